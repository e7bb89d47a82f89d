"""Use cases: each opens the store's transaction, calls `tui.store`, and returns plain results.

The desk (`tui.app`) and the commands call these and never open sessions or build queries
themselves (GUIDE §6). A write returns a `Change` that says what happened in Chinese and
which audit batch holds it, so the desk can offer to undo exactly that.
"""
