"""Automatic daily backups: made before the first write of the day, beside the store, kept
for 7 days and then one per week for 4 weeks (settings), never from a command that only
reads, and never touching files that are not its own."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from tests.conftest import SEED002
from tui.clock import today
from tui.store.backups import BACKUP_DIR, dated_backups, to_keep


def _expected_keep(days: list[date], daily: int, weekly: int) -> set[date]:
    """Independently: newest `daily` days; then walk older days newest first and keep the
    first one met in each ISO week until `weekly` weeks are kept."""
    ordered = sorted(days, reverse=True)
    keep = set(ordered[:daily])
    seen_weeks = []
    for d in ordered[daily:]:
        y, w, _ = d.isocalendar()
        if (y, w) not in seen_weeks and len(seen_weeks) < weekly:
            seen_weeks.append((y, w))
            keep.add(d)
    return keep


def test_rotation_keeps_seven_days_and_four_weeks():
    start = date(2026, 9, 1)
    days = [start + timedelta(days=i) for i in range(90)]
    keep = to_keep(days, 7, 4)
    assert keep == _expected_keep(days, 7, 4)
    assert len(keep) == 11
    assert max(days) in keep and all(d in keep for d in days[-7:])
    weekly = sorted(keep - set(days[-7:]))
    assert len({d.isocalendar()[:2] for d in weekly}) == 4
    # gaps (days without any use) are no problem
    sparse = days[::5]
    assert to_keep(sparse, 7, 4) == _expected_keep(sparse, 7, 4)
    assert to_keep(days, 0, 0) == set()


def _rows(path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        return {
            t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
            for (t,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        }
    finally:
        con.close()


def test_the_first_write_of_the_day_backs_up_and_rotates(cli, db, tmp_path, monkeypatch):
    cfg = tmp_path / "s.toml"
    cfg.write_text("backup_daily = 3\nbackup_weekly = 2\n", encoding="utf-8")
    monkeypatch.setenv("DUBAN_CONFIG", str(cfg))
    assert cli("import", str(SEED002)).code == 0
    folder = db.parent / BACKUP_DIR
    # the import created the store: there was nothing to back up before it
    assert not dated_backups(folder)
    # older automatic backups (as earlier days left them) and a file of the office's own
    t = today()
    folder.mkdir(exist_ok=True)
    old_days = [t - timedelta(days=i) for i in range(1, 40)]
    for d in old_days:
        (folder / f"督办台-{d.isoformat()}.db").write_bytes(b"old")
    mine = folder / "督办台-手工备份.db"
    mine.write_bytes(b"mine")

    before = _rows(db)
    assert cli("progress", "1", "已报送方案", "--date", "2024-08-01").code == 0
    found = dated_backups(folder)
    assert t in found
    assert _rows(found[t]) == before  # taken before the write, whole
    with sqlite3.connect(found[t]) as con:
        assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert (found[t].stat().st_mode & 0o777) == 0o600
    assert set(found) == _expected_keep([t, *old_days], 3, 2)
    assert mine.read_bytes() == b"mine"

    # a second write the same day makes no second copy and leaves today's as it was
    stamp = found[t].stat().st_mtime_ns
    assert cli("progress", "1", "又一次进展", "--date", "2024-08-02").code == 0
    assert dated_backups(folder)[t].stat().st_mtime_ns == stamp


def test_reading_makes_no_backup_and_zero_turns_it_off(cli, db, tmp_path, monkeypatch):
    assert cli("import", str(SEED002)).code == 0
    folder = db.parent / BACKUP_DIR
    assert cli("tasks").code == 0 and cli("overdue", "--as-of", "2025-01-15").code == 0
    assert not folder.exists()
    cfg = tmp_path / "s.toml"
    cfg.write_text("backup_daily = 0\n", encoding="utf-8")
    monkeypatch.setenv("DUBAN_CONFIG", str(cfg))
    assert cli("progress", "1", "已报送方案", "--date", "2024-08-01").code == 0
    assert not folder.exists()


def test_the_desk_backs_up_before_its_first_write(cli, db):
    from tui.services.desk import Change
    from tui.services.store import backed_up_first, open_store

    assert cli("import", str(SEED002)).code == 0
    store = open_store(str(db))
    try:
        calls = []

        def write():
            calls.append(dated_backups(db.parent / BACKUP_DIR).get(today()))
            return Change("已记录")

        change = backed_up_first(store, write)()
        assert change.message == "已记录"
        assert calls and calls[0] is not None  # the copy existed before the write ran
    finally:
        from tui.services.store import close_store

        close_store(store)
