"""The vocabulary an office reads its plans with: the shipped words and its own vocab.toml.

Apart from tui.services.importing (the desk's import steps, which bring the store services
with them): `duban import` is timed as a whole process and needs only this."""

from __future__ import annotations

import os

from tui.ingest.vocab import Vocabulary, load_vocabulary


def office_vocabulary() -> Vocabulary:
    """The shipped vocabulary, extended by the office's own ``vocab.toml`` beside its
    settings file (or the file named by DUBAN_VOCAB) when there is one. The command line and
    the desk read documents with the same words."""
    from tui.config_file import config_path  # not tui.config: no settings are read here

    named = os.environ.get("DUBAN_VOCAB")
    if named:
        return load_vocabulary(named)  # a missing named file is an error, said in one line
    extra = config_path().parent / "vocab.toml"
    return load_vocabulary(str(extra) if extra.is_file() else None)
