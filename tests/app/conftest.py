"""A real demo store (sample plans + demo history) built once, copied per test."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tui.store.demo_history import DEMO_AS_OF

OPERATOR = "测试员"


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory) -> Path:
    from tui.commands.demo import build_demo_store

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo_store(str(path))
    return path


@pytest.fixture
def store(demo_master, tmp_path) -> Path:
    dest = tmp_path / "duban.db"
    for suffix in ("", "-wal", "-shm"):
        src = Path(str(demo_master) + suffix)
        if src.exists():
            shutil.copy(src, str(dest) + suffix)
    return dest


@pytest.fixture
def make_app(store, monkeypatch, tmp_path):
    monkeypatch.setenv("DUBAN_CONFIG", os.devnull)  # an empty settings file: the defaults
    engines = []

    def make(**kw):
        from tui.app.app import DubanApp
        from tui.store.db import make_engine

        engine = make_engine(str(store))
        engines.append(engine)
        kw.setdefault("as_of", DEMO_AS_OF)
        kw.setdefault("operator", OPERATOR)
        return DubanApp(engine, **kw)

    yield make
    for e in engines:
        e.dispose()


async def settle(pilot) -> None:
    """Let workers finish and their results land on screen."""
    app = pilot.app
    for _ in range(3):
        await pilot.pause()
        await app.workers.wait_for_complete()
    await pilot.pause()
