"""kill -9 in the middle of a write leaves a sound store with all of it or none of it.

`duban import` of a large plan is killed at ten or more moments (from the first
milliseconds to the commit); after each kill the store passes SQLite's integrity check and
`duban check`, and holds either the whole plan or nothing of it.
"""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from synth import synthetic_breakdown  # noqa: E402

from .conftest import SEED002  # noqa: E402

ENV = {"PATH": "/usr/bin:/bin", "DUBAN_USER": "测试员", "DUBAN_CONFIG": "/dev/null"}


def duban(*args: str, db: Path, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tui.cli", *args, "--db", str(db)],
        cwd=ROOT,
        env={**ENV, "HOME": str(db.parent)},
        capture_output=True,
        text=True,
        **kw,
    )


def counts(db: Path) -> tuple[int, int, int]:
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return tuple(
            con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
            for t in ("plan", "task", "assignment")
        )
    finally:
        con.close()


def kill_at_moments(
    argv: list[str],
    *,
    base: Path,
    tmp_path: Path,
    env: dict,
    duration: float,
    state,
    before,
    after,
    check,
    kills: int = 10,
) -> None:
    """Run `argv --db COPY` on fresh copies of `base` and SIGKILL it at moments from the
    first milliseconds to past the commit (the whole run took `duration`); after each kill
    the store must hold `before` or `after` and pass `duban check`. On a busy machine a run
    may finish before its kill, so keep going until `kills` kills have landed."""
    killed = 0
    outcomes = set()
    for step in range(60):
        if killed >= kills:
            break
        delay = 0.02 + (step % 20) * duration / 16
        db = tmp_path / f"k{killed}.db"
        db.write_bytes(base.read_bytes())
        proc = subprocess.Popen(
            [*argv, "--db", str(db)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            killed += 1
            found = state(db)
            assert found in (before, after), (delay, found)
            outcomes.add(found == after)
            checked = check(db)
            assert checked.returncode == 0, (delay, checked.stdout, checked.stderr)
        else:
            proc.wait()
    assert killed >= kills, f"only {killed} kills landed (the whole run took {duration:.2f} s)"
    assert False in outcomes  # some kills landed before the commit


def test_kill_9_during_import_is_all_or_nothing(tmp_path):
    plan = tmp_path / "big.txt"
    plan.write_text(synthetic_breakdown(3000), encoding="utf-8")
    base = tmp_path / "base.db"
    assert duban("import", str(SEED002), db=base).returncode == 0
    before = counts(base)
    # The whole import, to know its length and its result.
    whole = tmp_path / "whole.db"
    whole.write_bytes(base.read_bytes())
    t0 = time.monotonic()
    assert duban("import", str(plan), db=whole).returncode == 0
    duration = time.monotonic() - t0
    after = counts(whole)
    assert after[0] == before[0] + 1

    kill_at_moments(
        [sys.executable, "-m", "tui.cli", "import", str(plan)],
        base=base,
        tmp_path=tmp_path,
        env={**ENV, "HOME": str(tmp_path)},
        duration=duration,
        state=counts,
        before=before,
        after=after,
        check=lambda db: duban("check", db=db),
    )


SIGN_SETTINGS = (
    'region = "东胜区"\n'
    'office = "中共鄂尔多斯市东胜区委全面依法治区委员会办公室"\n'
    'issuer_mark = "中共鄂尔多斯市东胜区委全面依法治区委员会办公室"\n'
    "backup_daily = 0\n"
)


def letter_state(db: Path) -> tuple[tuple, tuple]:
    """(numbers given, counters) after a sound integrity check."""
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        numbers = tuple(
            r[0] for r in con.execute("SELECT number FROM letter ORDER BY id") if r[0] is not None
        )
        counters = tuple(con.execute("SELECT kind, year, next_seq FROM letter_counter ORDER BY 1"))
        signs = con.execute("SELECT count(*) FROM audit_log WHERE action='letter.sign'").fetchone()
        return (numbers, signs), counters
    finally:
        con.close()


def test_kill_9_during_a_letter_batch_signs_all_or_none(tmp_path):
    cfg = tmp_path / "settings.toml"
    cfg.write_text(SIGN_SETTINGS, encoding="utf-8")
    env = {**ENV, "DUBAN_CONFIG": str(cfg), "HOME": str(tmp_path)}

    def run(*args: str, db: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "tui.cli", *args, "--db", str(db)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )

    plan = tmp_path / "big.txt"
    plan.write_text(synthetic_breakdown(1500), encoding="utf-8")
    base = tmp_path / "base.db"
    assert run("import", str(plan), db=base).returncode == 0
    con = sqlite3.connect(base)
    con.execute("UPDATE unit SET head = '张局长'")  # a 督办函 goes to the unit's head
    con.commit()
    con.close()
    drafted = run("letters", "draft", "--kind", "督办", "--as-of", "2030-01-15", db=base)
    assert drafted.returncode == 0, drafted.stderr
    ids = [str(r[0]) for r in sqlite3.connect(base).execute("SELECT id FROM letter ORDER BY id")]
    assert len(ids) >= 3
    sign = ["letters", "sign", *ids, "--by", "王主任", "--date", "2030-01-15"]
    before = letter_state(base)
    assert before[0][0] == ()

    whole = tmp_path / "whole.db"
    whole.write_bytes(base.read_bytes())
    t0 = time.monotonic()
    done = run(*sign, db=whole)
    assert done.returncode == 0, done.stderr
    duration = time.monotonic() - t0
    after = letter_state(whole)
    assert len(after[0][0]) == len(ids)

    kill_at_moments(
        [sys.executable, "-m", "tui.cli", *sign],
        base=base,
        tmp_path=tmp_path,
        env=env,
        duration=duration,
        state=letter_state,
        before=before,
        after=after,
        check=lambda db: run("check", db=db),
    )
