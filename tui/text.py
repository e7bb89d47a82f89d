"""Text from files and people is data: characters that would steer a terminal are removed.

A plan line, a progress note or a unit name can carry ESC sequences that clear the screen or
retitle the terminal, bidirectional overrides (U+202E) that show a name backwards, or other
C0/C1 controls. They never mean anything in a plan, so imported text and notes lose them,
and everything printed passes through `strip_controls` once more.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls, and the bidirectional formatting
# characters (embeddings, overrides, isolates, marks).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")


# Whole terminal escape sequences: CSI (ESC [ … final), OSC (ESC ] … BEL or ST) and the
# two-character ones, so that not even their printable payload ("[2J", "]0;title") is left.
_SEQUENCES = re.compile(
    "\x1b\\[[0-?]*[ -/]*[@-~]|\x1b\\][^\x07\x1b]*(?:\x07|\x1b\\\\)?|\x1b[@-Z\\\\-_]|\x9b[0-?]*[ -/]*[@-~]"
)


def strip_controls(text: str) -> str:
    """The text without terminal escape sequences, control and bidi-override characters
    (tabs and newlines kept)."""
    if not text:
        return text
    if "\x1b" in text or "\x9b" in text:
        text = _SEQUENCES.sub("", text)
    return _CONTROLS.sub("", text)


def show_controls(text: str) -> str:
    """The text with each control character replaced by U+FFFD, for the audit trail: what was
    there stays visible without acting on the terminal."""
    return _CONTROLS.sub("\ufffd", text) if text else text


def has_controls(text: str) -> bool:
    return bool(text) and _CONTROLS.search(text) is not None


def note_text(raw: str | None) -> tuple[str, str]:
    """A note a person typed: (what is stored, what the audit trail records). The stored text
    loses control characters; the audit keeps where they were, as U+FFFD."""
    raw = raw or ""
    return strip_controls(raw).strip(), show_controls(raw).strip()
