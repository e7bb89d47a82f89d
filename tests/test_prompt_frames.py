"""The desk's frames reach the terminal promptly: while it runs, a thread waiting for the
interpreter lock (Textual's output thread) gets it within a millisecond, and the setting
is put back when the desk leaves (tui.app.prompt_frames)."""

from __future__ import annotations

import sys

import pytest

from tui.app.prompt_frames import SWITCH_INTERVAL_S, prompt_frames


def test_lowers_the_switch_interval_and_puts_it_back():
    before = sys.getswitchinterval()
    with prompt_frames():
        assert sys.getswitchinterval() == pytest.approx(SWITCH_INTERVAL_S, abs=2e-6)
    assert sys.getswitchinterval() == before


def test_put_back_when_the_desk_fails():
    before = sys.getswitchinterval()
    with pytest.raises(RuntimeError), prompt_frames():
        raise RuntimeError("desk failed")
    assert sys.getswitchinterval() == before


def test_never_raises_a_lower_interval_already_set():
    before = sys.getswitchinterval()
    sys.setswitchinterval(0.0002)
    try:
        with prompt_frames():
            assert sys.getswitchinterval() == pytest.approx(0.0002, abs=2e-6)
    finally:
        sys.setswitchinterval(before)
