"""发文字号: format, and gapless unique numbering with two processes on one SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from tests.conftest import SEED002
from tui.cli import main
from tui.clock import now
from tui.config import Settings
from tui.errors import DubanError
from tui.letters.numbering import format_number, parse_number, prefix_for
from tui.store.db import make_engine, transaction
from tui.store.letter_models import DRAFT, SIGNED, Letter, LetterItem
from tui.store.letters import sign_letters
from tui.store.models import Assignment

ROOT = Path(__file__).resolve().parent.parent


def test_format_has_no_di_and_no_leading_zeros() -> None:
    assert format_number("东依法治办督", 2024, 7) == "东依法治办督〔2024〕7号"
    assert format_number("东依法治办督", 2024, 120) == "东依法治办督〔2024〕120号"
    assert parse_number("东依法治办督〔2024〕7号") == ("东依法治办督", 2024, 7)
    for bad in ("东依法治办督〔2024〕第7号", "东依法治办督〔2024〕07号", "东依法治办督[2024]7号"):
        with pytest.raises(DubanError, match="不是有效的发文字号"):
            parse_number(bad)
    with pytest.raises(DubanError, match="从 1 开始"):
        format_number("东依法治办督", 2024, 0)
    with pytest.raises(DubanError, match="前缀为空"):
        format_number(" ", 2024, 1)
    assert prefix_for("督办", Settings().for_region("").letter_prefix) == "依法治办督"
    with pytest.raises(DubanError, match="letter_prefix.督办"):
        prefix_for("督办", {"提示": "x"})


def _store_with_drafts(db, n: int, monkeypatch) -> tuple[Path | str, list[int]]:
    """A real store (plan 002 imported) and n one-item 提醒 drafts."""
    monkeypatch.setenv("DUBAN_USER", "测试员")
    assert main(["import", str(SEED002), "--db", str(db)]) == 0
    engine = make_engine(str(db))
    with transaction(engine) as s:
        a = s.exec(select(Assignment).where(Assignment.unit_id.is_not(None))).first()
        ids = []
        for i in range(n):
            letter = Letter(
                kind="提醒",
                rung=2,
                unit_id=a.unit_id,
                addressee="测试单位",
                title="测试",
                status=DRAFT,
                batch="b",
                as_of=date(2025, 1, 15),
                created_at=now(),
            )
            s.add(letter)
            s.flush()
            s.add(
                LetterItem(
                    letter_id=letter.id,
                    assignment_id=a.id,
                    position=1,
                    task_number=f"（{i + 1}）",
                    task_title="任务",
                    due=date(2024, 12, 31),
                )
            )
            ids.append(letter.id)
    engine.dispose()
    return db, ids


SIGNER = textwrap.dedent(
    """
    import os, sys, time
    from datetime import date
    sys.path.insert(0, {root!r})
    from tui.config import Settings
    from tui.domain.calendar import WorkCalendar
    from tui.store.db import make_engine
    from tui.store.letters import sign_letters

    db, gate, ids = sys.argv[1], sys.argv[2], [int(x) for x in sys.argv[3].split(",")]
    engine = make_engine(db)
    settings = Settings(letter_prefix={{"提醒": "依法治办醒"}})
    cal = WorkCalendar.from_dir()
    open(gate + "." + str(ids[0]), "w").close()  # ready
    while not os.path.exists(gate):  # wait for the go
        time.sleep(0.001)
    t0 = time.time()
    half = len(ids) // 2
    # half one by one (many short transactions interleave), half as one batch
    for lid in ids[:half]:
        sign_letters(engine, [lid], "签发人", on=date(2025, 1, 15), settings=settings, calendar=cal)
    sign_letters(engine, ids[half:], "签发人", on=date(2025, 1, 15), settings=settings, calendar=cal)
    print("ok", len(ids), t0, time.time())
    """
)


@pytest.mark.both_stores
def test_two_processes_sign_fifty_each_gapless(tmp_path, db, monkeypatch) -> None:
    db, ids = _store_with_drafts(db, 100, monkeypatch)
    script = tmp_path / "signer.py"
    script.write_text(SIGNER.format(root=str(ROOT)), encoding="utf-8")
    gate = tmp_path / "go"
    env = {**os.environ, "DUBAN_USER": "测试员"}
    env.pop("DUBAN_CONFIG", None)
    odd, even = ids[0::2], ids[1::2]  # interleaved ids: both processes work the same range
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(db), str(gate), ",".join(map(str, part))],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for part in (odd, even)
    ]
    deadline = time.time() + 60
    while not all((tmp_path / f"go.{part[0]}").exists() for part in (odd, even)):
        assert time.time() < deadline and all(p.poll() is None for p in procs)
        time.sleep(0.01)
    gate.touch()  # both are ready: go
    outs = [p.communicate(timeout=120) for p in procs]
    spans = []
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        word, n, t0, t1 = out.split()
        assert (word, n) == ("ok", "50")
        spans.append((float(t0), float(t1)))
    # the two really signed at the same time, not one after the other
    assert max(a for a, _ in spans) < min(b for _, b in spans)
    engine = make_engine(str(db))
    with Session(engine) as s:
        letters = s.exec(select(Letter)).all()
        assert len(letters) == 100
        assert {x.status for x in letters} == {SIGNED}
        seqs = sorted(x.seq for x in letters)
        assert seqs == list(range(1, 101))
        numbers = {x.number for x in letters}
        assert len(numbers) == 100
        assert "依法治办醒〔2025〕1号" in numbers and "依法治办醒〔2025〕100号" in numbers
        assert all(x.number == f"依法治办醒〔2025〕{x.seq}号" for x in letters)
        counter = s.connection().execute(
            text("SELECT next_seq FROM letter_counter WHERE kind='提醒' AND year=2025")
        )
        assert counter.scalar_one() == 101


@pytest.mark.both_stores
def test_batch_is_all_or_nothing_and_collision_is_refused(db, monkeypatch) -> None:
    db, ids = _store_with_drafts(db, 3, monkeypatch)
    engine = make_engine(str(db))
    settings = Settings(letter_prefix={"提醒": "依法治办醒"})
    # the third id does not exist: nothing is signed, the counter is not advanced
    with pytest.raises(DubanError, match="找不到函件"):
        sign_letters(engine, [ids[0], ids[1], 999], "王", on=date(2025, 1, 15), settings=settings)
    with Session(engine) as s:
        assert {x.status for x in s.exec(select(Letter)).all()} == {DRAFT}
        assert s.connection().execute(text("SELECT COUNT(*) FROM letter_counter")).scalar() == 0
    signed = sign_letters(engine, [ids[0]], "王", on=date(2025, 1, 15), settings=settings)
    assert signed[0].number == "依法治办醒〔2025〕1号"
    # someone winds the counter back: the next number would collide, and is refused
    with engine.begin() as conn:
        conn.execute(text("UPDATE letter_counter SET next_seq = 1"))
    with pytest.raises(DubanError, match="发文字号冲突"):
        sign_letters(engine, [ids[1]], "王", on=date(2025, 1, 15), settings=settings)
    with Session(engine) as s:
        assert s.get(Letter, ids[1]).status == DRAFT
        assert s.get(Letter, ids[1]).number is None
    with pytest.raises(DubanError, match="签发人"):
        sign_letters(engine, [ids[2]], "  ", on=date(2025, 1, 15), settings=settings)
