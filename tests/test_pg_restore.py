"""`duban restore` on a PostgreSQL store: a `duban backup` (pg_dump custom format) is
verified, restored whole into the store's schema, the replaced schema kept under another
name (never dropped), and the restore audited. A file that is no dump changes nothing.
Runs against the real server (DUBAN_TEST_PG)."""

from __future__ import annotations

import pytest

from .conftest import SEED002, _pg_admin, query


def _kept_schemas(live: str) -> list[str]:
    with _pg_admin() as conn:
        rows = conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE %s ORDER BY 1",
            (f"{live}_before_restore_%",),
        ).fetchall()
    return [r[0] for r in rows]


def execute(db: str, sql: str) -> None:
    """One statement on the store, outside duban (a change made behind its back)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(db, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            conn.execute(text(sql))
    finally:
        engine.dispose()


@pytest.fixture
def office(cli, pg_store):
    assert cli("import", str(SEED002), "--db", pg_store, use_db=False).code == 0
    live = query(pg_store, "SELECT current_schema()")[0][0]
    yield pg_store, live
    with _pg_admin() as conn:
        for name in _kept_schemas(live):
            conn.execute(f'DROP SCHEMA "{name}" CASCADE')


def test_restore_brings_the_backup_back_and_keeps_the_replaced_schema(cli, office, tmp_path):
    db, live = office
    dump = tmp_path / "office.dump"
    r = cli("backup", str(dump), "--db", db, use_db=False)
    assert r.code == 0, r.err
    titles = query(db, "SELECT id, title FROM plan ORDER BY id")
    assignments = query(db, "SELECT count(*) FROM assignment")[0][0]
    audit_before = query(db, "SELECT count(*) FROM audit_log")[0][0]
    # a change made after the backup: the restore takes the store back before it
    execute(db, "UPDATE plan SET title = title || '（备份后改）'")

    r = cli("restore", str(dump), "--db", db, use_db=False)
    assert r.code == 0, r.err
    assert "已从" in r.out and "恢复数据库" in r.out and "原数据库已改名保留为" in r.out
    assert query(db, "SELECT id, title FROM plan ORDER BY id") == titles
    assert query(db, "SELECT count(*) FROM assignment")[0][0] == assignments
    # the replaced data is kept, under the name the command printed
    kept = _kept_schemas(live)
    assert len(kept) == 1 and kept[0] in r.out
    with _pg_admin() as conn:
        changed = conn.execute(f'SELECT title FROM "{kept[0]}".plan ORDER BY id').fetchall()
    assert changed and all(t.endswith("（备份后改）") for (t,) in changed)
    # audited in the restored trail, and the chain still verifies
    last = query(db, "SELECT action, actor FROM audit_log ORDER BY id DESC LIMIT 1")[0]
    assert last[0] == "恢复备份"
    assert query(db, "SELECT count(*) FROM audit_log")[0][0] == audit_before + 1
    v = cli("audit", "verify", "--db", db, use_db=False)
    assert v.code == 0, v.err
    # the restored store takes writes (its sequences came back with it)
    again = cli("import", str(SEED002), "--db", db, use_db=False)
    assert again.code == 0, again.err


def test_a_file_that_is_no_dump_changes_nothing(cli, office, tmp_path):
    db, live = office
    bad = tmp_path / "not-a-dump.dump"
    bad.write_bytes(b"PGDMP but not really" * 10)
    before = query(db, "SELECT count(*) FROM assignment")[0][0]
    r = cli("restore", str(bad), "--db", db, use_db=False)
    assert r.code == 2 and "未恢复" in r.err and len(r.err.strip().splitlines()) == 1
    assert query(db, "SELECT count(*) FROM assignment")[0][0] == before
    assert _kept_schemas(live) == []
    missing = cli("restore", str(tmp_path / "无.dump"), "--db", db, use_db=False)
    assert missing.code == 2 and "不存在" in missing.err


def test_a_server_store_behind_the_schema_is_dumped_before_it_is_upgraded(
    cli, office, tmp_path, monkeypatch
):
    """As a SQLite file is copied before its upgrade, a PostgreSQL store is pg_dumped (into
    the user's data folder's 备份) and the upgrade says where; the dump holds the old rows."""
    import subprocess

    db, live = office
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    # the store as schema 9 left it (the 9→10 step works on a store of any earlier version)
    execute(db, "UPDATE meta SET value = '9' WHERE key = 'schema_version'")
    execute(db, "UPDATE alembic_version SET version_num = 'schema9'")
    r = cli("db", "upgrade", "--db", db, use_db=False)
    assert r.code == 0, r.err
    dumps = list((tmp_path / "data" / "duban" / "备份").glob("*.dump"))
    assert len(dumps) == 1 and f"{live}.升级前-v9-" in dumps[0].name
    assert "升级前的备份" in r.out and dumps[0].name in r.out.replace("\n", "")
    assert dumps[0].stat().st_mode & 0o777 == 0o600
    listed = subprocess.run(
        ["pg_restore", "--list", str(dumps[0])], capture_output=True, text=True, check=True
    ).stdout
    assert f" TABLE DATA {live} assignment " in listed
    assert query(db, "SELECT value FROM meta WHERE key = 'schema_version'") == [("10",)]
    # current now: opening it again takes no second dump
    assert cli("db", "upgrade", "--db", db, use_db=False).code == 0
    assert len(list(dumps[0].parent.glob("*.dump"))) == 1


def test_no_pg_dump_no_upgrade(cli, office, tmp_path, monkeypatch):
    db, _live = office
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    execute(db, "UPDATE meta SET value = '9' WHERE key = 'schema_version'")
    execute(db, "UPDATE alembic_version SET version_num = 'schema9'")
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump anywhere
    r = cli("db", "upgrade", "--db", db, use_db=False)
    assert r.code == 2 and "升级前的备份失败" in r.err and "pg_dump" in r.err
    assert query(db, "SELECT value FROM meta WHERE key = 'schema_version'") == [("9",)]


def test_restoring_the_pre_upgrade_dump_brings_the_old_rows_back_upgraded(
    cli, office, tmp_path, monkeypatch
):
    """The dump taken before an upgrade is what an office restores when an upgrade went
    wrong: it comes back (at the older schema), is upgraded as any store is when opened,
    and the restore is audited in the schema the program knows."""
    db, live = office
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    execute(db, "UPDATE meta SET value = '9' WHERE key = 'schema_version'")
    execute(db, "UPDATE alembic_version SET version_num = 'schema9'")
    titles = query(db, "SELECT id, title FROM plan ORDER BY id")
    assert cli("db", "upgrade", "--db", db, use_db=False).code == 0
    (dump,) = (tmp_path / "data" / "duban" / "备份").glob("*.升级前-v9-*.dump")
    execute(db, "UPDATE plan SET title = title || '（升级后改）'")

    r = cli("restore", str(dump), "--db", db, use_db=False)
    assert r.code == 0, r.err
    assert query(db, "SELECT id, title FROM plan ORDER BY id") == titles
    assert query(db, "SELECT value FROM meta WHERE key = 'schema_version'") == [("10",)]
    last = query(db, "SELECT action FROM audit_log ORDER BY id DESC LIMIT 1")[0][0]
    assert last == "恢复备份"
    assert cli("audit", "verify", "--db", db, use_db=False).code == 0
