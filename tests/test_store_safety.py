"""The store, safely: the demo keeps to its own store, listings create nothing, the `.db`
file alone is complete after a write, and database failures are one Chinese line (exit 2)."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEED001, SEED002

ROOT = Path(__file__).resolve().parent.parent


def content(db: Path) -> str:
    """The store's content (not its bytes: a checkpoint rewrites pages at any time)."""
    assert db.is_file()
    con = sqlite3.connect(db)  # read-write, so that closing it leaves no -wal or -shm behind
    try:
        dump = "\n".join(con.iterdump())
    finally:
        con.close()
    return hashlib.sha256(dump.encode()).hexdigest()


def listing(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes (for 'changed nothing at all')."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def one_line_error(r, *words: str) -> None:
    assert r.code == 2, (r.code, r.err)
    lines = [ln for ln in r.err.splitlines() if ln.strip()]
    assert len(lines) == 1, r.err
    assert lines[0].startswith("错误："), r.err
    assert "Traceback" not in r.err and "内部错误" not in r.err
    for w in words:
        assert w in lines[0], (w, lines[0])


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A user data folder of the test's own (platformdirs reads XDG_DATA_HOME)."""
    data = tmp_path / "xdg-data"
    monkeypatch.setenv("XDG_DATA_HOME", str(data))
    return data / "duban"


@pytest.fixture
def office(cli, db):
    """An office's real store: one imported plan and one progress entry, no demo mark."""
    assert cli("import", str(SEED002)).code == 0
    assert cli("progress", "1", "电话反馈：已部署", "--date", "2024-08-01").code == 0
    return db


# ----------------------------------------------------------------------------- demo


def test_demo_rebuild_refuses_a_store_that_is_not_a_demo(cli, office, home):
    before = content(office)
    files = listing(office.parent)
    r = cli("demo", "--rebuild", "--no-open")
    one_line_error(r, "不是演示库", "未作任何更改")
    assert content(office) == before
    assert listing(office.parent) == files
    assert not home.exists()


def test_demo_without_rebuild_refuses_a_store_that_is_not_a_demo(cli, office):
    before = content(office)
    r = cli("demo", "--no-open")
    one_line_error(r, "不是演示库")
    assert content(office) == before


def test_demo_never_deletes_a_file_it_did_not_make(cli, tmp_path):
    stranger = tmp_path / "notes.db"
    stranger.write_text("科室的会议记录，不是数据库\n", encoding="utf-8")
    r = cli("demo", "--rebuild", "--no-open", "--db", str(stranger), use_db=False)
    one_line_error(r, "不是演示库")
    assert stranger.read_text(encoding="utf-8") == "科室的会议记录，不是数据库\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


def test_demo_honours_duban_db(cli, tmp_path, home, monkeypatch):
    target = tmp_path / "演示" / "试用.db"
    monkeypatch.setenv("DUBAN_DB", str(target))
    r = cli("demo", "--no-open", use_db=False)
    assert r.code == 0, r.err
    assert target.is_file()
    assert not home.exists(), "the default demo file must not be made when DUBAN_DB names one"
    con = sqlite3.connect(target)
    try:
        assert con.execute("SELECT value FROM meta WHERE key='demo'").fetchone() is not None
        assert con.execute("SELECT COUNT(*) FROM plan").fetchone()[0] == 2
    finally:
        con.close()


def test_demo_refuses_duban_db_naming_the_office_store(cli, office, monkeypatch):
    monkeypatch.setenv("DUBAN_DB", str(office))
    before = content(office)
    r = cli("demo", "--rebuild", "--no-open", use_db=False)
    one_line_error(r, "不是演示库", "DUBAN_DB")
    assert content(office) == before


def test_demo_default_is_its_own_file_beside_the_office_store(cli, home, monkeypatch):
    monkeypatch.delenv("DUBAN_DB", raising=False)
    assert cli("demo", "--no-open", use_db=False).code == 0
    assert sorted(p.name for p in home.iterdir()) == ["demo.db"]


def _notes(db: Path) -> list[str]:
    con = sqlite3.connect(db)
    try:
        return [r[0] for r in con.execute("SELECT text FROM progress ORDER BY id")]
    finally:
        con.close()


def test_demo_rebuild_replaces_only_a_demo_store(cli, tmp_path):
    demo = tmp_path / "demo.db"
    assert cli("demo", "--no-open", "--db", str(demo), use_db=False).code == 0
    fresh = _notes(demo)
    r = cli(
        "progress",
        "1",
        "演示时随手记的一条",
        "--date",
        "2024-11-01",
        "--db",
        str(demo),
        use_db=False,
    )
    assert r.code == 0, r.err
    assert _notes(demo) == [*fresh, "演示时随手记的一条"]
    # Opening again without --rebuild keeps what was done in it.
    assert cli("demo", "--no-open", "--db", str(demo), use_db=False).code == 0
    assert _notes(demo)[-1] == "演示时随手记的一条"
    r = cli("demo", "--rebuild", "--no-open", "--db", str(demo), use_db=False)
    assert r.code == 0, r.err
    assert _notes(demo) == fresh
    # nothing left of the build (the hidden clean-close stamp belongs to the store)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".demo.db.checked", "demo.db"]


# ----------------------------------------------------------------------------- missing stores


READERS = {
    "tasks": ("tasks",),
    "units list": ("units", "list"),
    "letters list": ("letters", "list"),
    "letters due": ("letters", "due"),
    "overdue": ("overdue",),
    "deadlines": ("deadlines", "1"),
}


@pytest.mark.parametrize("name", list(READERS))
def test_listing_a_missing_store_creates_nothing(cli, tmp_path, name):
    new = tmp_path / "新建" / "子目录" / "duban.db"
    r = cli(*READERS[name], "--db", str(new), use_db=False)
    one_line_error(r, "数据库不存在", "duban init")
    assert not (tmp_path / "新建").exists()


def test_dry_run_on_a_missing_store_reports_and_creates_nothing(cli, tmp_path):
    new = tmp_path / "新建" / "duban.db"
    r = cli("import", str(SEED002), "--dry-run", "--format", "json", "--db", str(new), use_db=False)
    assert r.code == 0, r.err
    assert r.json()["tasks_count"] == 26 and r.json()["dry_run"] is True
    assert not (tmp_path / "新建").exists()


@pytest.mark.parametrize("name", [*READERS, "import --dry-run"])
def test_listing_an_existing_store_leaves_every_file_as_it_was(cli, office, name):
    args = ("import", str(SEED001), "--dry-run") if name == "import --dry-run" else READERS[name]
    files = listing(office.parent)
    r = cli(*args)
    assert r.code == 0, r.err
    assert listing(office.parent) == files


def test_listing_a_store_of_an_older_release_reads_it_without_migrating(cli, tmp_path):
    old = tmp_path / "旧库.db"
    shutil.copy(Path(__file__).parent / "fixtures" / "store_schema1.sqlite", old)
    files = listing(tmp_path)
    for args in (
        ("tasks", "--format", "json"),
        ("units", "list"),
        ("letters", "list"),
        ("overdue", "--as-of", "2025-03-01"),
        ("deadlines", "3"),
    ):
        r = cli(*args, "--db", str(old), use_db=False)
        assert r.code == 0, (args, r.err)
        assert listing(tmp_path) == files, args
    tasks = cli("tasks", "--format", "json", "--db", str(old), use_db=False).json()
    assert len(tasks) > 26 and all(t["key"] for t in tasks)
    # A writer upgrades the file in place.
    assert cli("init", "--db", str(old), use_db=False).code == 0
    con = sqlite3.connect(old)
    assert con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone() != ("1",)
    con.close()


def test_writing_commands_do_not_create_a_store(cli, tmp_path):
    new = tmp_path / "nowhere" / "duban.db"
    for args in (
        ("progress", "1", "进展"),
        ("deadline", "1", "2024-06-30", "--reason", "更正"),
        ("letters", "draft", "--kind", "提醒"),
        ("backup", str(tmp_path / "b.db")),
    ):
        r = cli(*args, "--db", str(new), use_db=False)
        one_line_error(r, "数据库不存在")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_plain_duban_on_a_missing_store_says_how_to_create_one(cli, tmp_path):
    new = tmp_path / "空" / "duban.db"
    r = cli("--db", str(new), use_db=False)
    one_line_error(r, "数据库不存在", "duban init", "duban import")
    assert not (tmp_path / "空").exists()


def test_a_store_that_cannot_be_created_is_one_line(cli, tmp_path):
    blocker = tmp_path / "文件"
    blocker.write_text("x")
    for args in (("init",), ("import", str(SEED002))):
        r = cli(*args, "--db", str(blocker / "duban.db"), use_db=False)
        one_line_error(r, "无法创建数据库文件夹", "不是文件夹")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["文件"]


def test_init_creates_an_empty_store_once(cli, tmp_path):
    new = tmp_path / "新库" / "duban.db"
    r = cli("init", "--db", str(new), use_db=False)
    assert r.code == 0 and "已新建" in r.out
    assert new.is_file()
    assert oct(new.stat().st_mode & 0o777) == oct(0o600)
    assert oct(new.parent.stat().st_mode & 0o777) == oct(0o700)
    assert cli("tasks", "--db", str(new), use_db=False).code == 0
    before = content(new)
    r = cli("init", "--db", str(new), use_db=False)
    assert r.code == 0 and "已存在" in r.out
    assert content(new) == before


# ----------------------------------------------------------------------------- the WAL


def _copy_db_only(db: Path, dest: Path) -> Path:
    dest.mkdir()
    shutil.copy(db, dest / db.name)
    return dest / db.name


def _counts(db: Path) -> tuple[int, int, int]:
    con = sqlite3.connect(db)
    try:
        return tuple(
            con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("task", "assignment", "progress")
        )
    finally:
        con.close()


def test_after_a_writing_command_the_db_file_alone_is_complete(cli, office, tmp_path):
    # In the same process (engines of other callers may still be alive): copy only the .db.
    whole = _counts(office)
    assert whole[0] == 26 and whole[2] == 1
    alone = _copy_db_only(office, tmp_path / "copy")
    assert _counts(alone) == whole


def test_after_a_writing_process_the_db_file_alone_is_complete(tmp_path):
    db = tmp_path / "store" / "duban.db"
    env = {**os.environ, "DUBAN_USER": "测试员"}
    env.pop("DUBAN_DB", None)
    for args in (
        ("import", str(SEED002)),
        ("progress", "1", "书面报告：已完成", "--date", "2024-08-01"),
    ):
        r = subprocess.run(
            [sys.executable, "-m", "tui.cli", *args, "--db", str(db)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert r.returncode == 0, r.stderr
    wal = Path(f"{db}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    alone = _copy_db_only(db, tmp_path / "copy")
    assert _counts(alone) == (26, _counts(db)[1], 1)


def test_disposing_an_engine_checkpoints_the_wal(tmp_path):
    from sqlmodel import Session

    from tui.store.db import dispose_engine, make_engine
    from tui.store.models import Meta

    db = tmp_path / "d.db"
    engine = make_engine(str(db))
    keep = sqlite3.connect(db)  # another reader keeps SQLite from removing the WAL on close
    keep.execute("SELECT COUNT(*) FROM meta").fetchall()
    with Session(engine) as s:
        s.add(Meta(key="测试", value="一"))
        s.commit()
    assert Path(f"{db}-wal").stat().st_size > 0
    dispose_engine(engine)
    assert Path(f"{db}-wal").stat().st_size == 0
    keep.close()
    alone = _copy_db_only(db, tmp_path / "copy")
    con = sqlite3.connect(alone)
    assert con.execute("SELECT value FROM meta WHERE key='测试'").fetchone() == ("一",)
    con.close()


# ----------------------------------------------------------------------------- failures


def test_a_corrupt_store_is_one_line(cli, db):
    db.write_bytes(b"SQLite format 3\x00" + os.urandom(4096))
    for args in (("tasks",), ("overdue",), ("progress", "1", "进展"), ("letters", "list")):
        before = db.read_bytes()
        r = cli(*args)
        one_line_error(r)
        assert "损坏" in r.err or "不是督办台数据库" in r.err, r.err
        assert db.read_bytes() == before


def test_a_file_that_is_not_a_store_is_one_line(cli, db):
    db.write_text("这不是数据库", encoding="utf-8")
    r = cli("progress", "1", "进展")
    one_line_error(r, "不是督办台数据库")
    assert db.read_text(encoding="utf-8") == "这不是数据库"


@pytest.mark.parametrize(
    "url, words",
    [
        ("nosuchdb://host/duban", ("不支持的数据库类型", "nosuchdb")),
        ("postgresql+pg8000://duban:secret@localhost/duban", ("缺少数据库驱动", "pg8000")),
        ("mysql://localhost/duban", ("缺少数据库驱动",)),
        ("sqlite+nosuchdriver:///x.db", ("不支持的数据库类型",)),
    ],
)
def test_unknown_scheme_and_missing_driver_are_one_line(cli, url, words):
    for args in (("tasks",), ("progress", "1", "进展"), ("init",)):
        r = cli(*args, "--db", url, use_db=False)
        one_line_error(r, *words)
        assert "secret" not in r.err


def test_postgres_without_its_driver_is_one_line(cli, monkeypatch):
    """psycopg is an optional extra: without it, one line says how to install it."""
    import sys

    for name in [m for m in sys.modules if m == "psycopg" or m.startswith("psycopg.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg -> ImportError
    for url in ("postgresql://duban:secret@localhost/duban", "postgresql+psycopg://h/duban"):
        r = cli("tasks", "--db", url, use_db=False)
        one_line_error(r, "缺少数据库驱动 psycopg", "duban[postgres]")
        assert "secret" not in r.err


def test_a_locked_store_is_one_line(cli, office, monkeypatch):
    import tui.store.sqlconn as store_connections  # every SQLite connection's settings

    monkeypatch.setattr(store_connections, "BUSY_TIMEOUT_MS", 100)
    holder = sqlite3.connect(office)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO meta(key, value) VALUES ('锁', '1')")
    try:
        before_rows = _counts(office)
        r = cli("progress", "1", "锁住时记录", "--date", "2024-08-02")
        one_line_error(r, "占用")
    finally:
        holder.rollback()
        holder.close()
    assert _counts(office) == before_rows


def test_read_only_and_full_stores_are_explained():
    from tui.store.db_errors import explain

    ro = sqlite3.connect(":memory:")
    ro.execute("CREATE TABLE t(x)")
    ro.execute("PRAGMA query_only=ON")
    with pytest.raises(sqlite3.Error) as readonly:
        ro.execute("INSERT INTO t VALUES (1)")
    # query_only reports SQLITE_READONLY, as a write-protected file does.
    assert "只读" in explain(readonly.value, "某库")

    full = sqlite3.connect(":memory:")
    full.execute("PRAGMA max_page_count=3")
    full.execute("CREATE TABLE t(x)")
    with pytest.raises(sqlite3.Error) as disk_full:
        for _ in range(200):
            full.execute("INSERT INTO t VALUES (?)", ("满" * 500,))
    assert "磁盘已满" in explain(disk_full.value, "某库")

    from sqlalchemy.exc import OperationalError

    wrapped = OperationalError("INSERT", {}, disk_full.value)
    assert "磁盘已满" in explain(wrapped, "某库")


def test_backup_to_an_unwritable_place_is_one_line(cli, office, tmp_path):
    r = cli("backup", str(tmp_path / "没有这个文件夹" / "b.db"))
    one_line_error(r, "备份")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = cli("backup", str(blocker / "b.db"))
    one_line_error(r, "备份")
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".db")) == ["duban.db"]


def test_backup_is_complete_and_private(cli, office, tmp_path):
    dest = tmp_path / "手工备份"
    dest.mkdir()
    r = cli("backup", str(dest))
    assert r.code == 0, r.err
    (made,) = list(dest.iterdir())
    assert oct(made.stat().st_mode & 0o777) == oct(0o600)
    assert content(made) == content(office)
    con = sqlite3.connect(made)
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    con.close()
    r = cli("backup", str(made))
    one_line_error(r, "已存在")
