"""A city over its counties: `duban import-store` merges two county stores, each built with
the real import path from plans written for these tests (阿拉善左旗 and 东胜区, both with a
unit called 气象局), with progress, signed letters (the same 发文字号 in both counties) and
a signed circular; into a city store on SQLite and on PostgreSQL. Counts add up table by
table, a second run changes nothing, the audit rows keep their origin, the letters their
numbers; the refusals write nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tui.cli import main

from .conftest import query

pytestmark = pytest.mark.both_stores

FIXTURES = Path(__file__).parent / "fixtures" / "city"
ALXA, DONGSHENG = "阿拉善左旗", "东胜区"

SETTINGS_TOML = """
office = "全面依法治县委员会办公室"
issuer_mark = "中共某县委员会全面依法治县委员会办公室"
office_short = "县委依法治县办"
contact = "李某"
phone = "0483-1234567"

[letter_prefix]
"提示" = "依法治办示"
"提醒" = "依法治办醒"
"督办" = "依法治办督"
"""

# Tables whose rows a merge into an empty store copies one for one.
COPIED = (
    "region",
    "unit",
    "unit_alias",
    "unit_group",
    "unit_group_member",
    "plan",
    "plan_revision",
    "outline_node",
    "task",
    "task_deadline",
    "assignment",
    "progress",
    "letter",
    "letter_item",
    "circular",
)


def _run(*argv: str) -> int:
    return main(list(argv))


def _q(path: Path, sql: str, *params) -> list[tuple]:
    con = sqlite3.connect(path)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def _county(tmp_path: Path, plan: str, region: str, as_of: str) -> Path:
    """A county's store, built the way its office builds it: import, progress, letters, a
    circular — all through the command line."""
    path = tmp_path / f"{plan}.db"
    db = str(path)
    assert _run("import", str(FIXTURES / f"{plan}.txt"), "--db", db) == 0
    assert _q(path, "SELECT DISTINCT region FROM plan") == [(region,)]
    aids = [
        a
        for (a,) in _q(
            path, "SELECT id FROM assignment WHERE unit_id IS NOT NULL ORDER BY id LIMIT 3"
        )
    ]
    for i, aid in enumerate(aids):
        assert (
            _run(
                "progress", str(aid), f"已完成第{i + 1}阶段工作", "--date", "2025-03-01", "--db", db
            )
            == 0
        )
    assert _run("letters", "draft", "--kind", "提醒", "--as-of", as_of, "--db", db) == 0
    drafts = [str(i) for (i,) in _q(path, "SELECT id FROM letter WHERE status = '草稿'")]
    assert len(drafts) >= 2
    assert _run("letters", "sign", *drafts, "--by", "张主任", "--date", as_of, "--db", db) == 0
    assert _run("circular", "draft", "--as-of", as_of, "--db", db) == 0
    (cid,) = _q(path, "SELECT id FROM circular")[0]
    assert (
        _run("circular", "sign", str(cid), "--by", "张主任", "--date", as_of, "--yes", "--db", db)
        == 0
    )
    # one draft left behind: the county's unfinished work stays in the county
    assert _run("letters", "draft", "--kind", "督办", "--as-of", "2025-12-31", "--db", db) == 0
    return path


@pytest.fixture
def counties(tmp_path, monkeypatch):
    monkeypatch.setenv("DUBAN_USER", "县里的办事员")
    cfg = tmp_path / "settings.toml"
    cfg.write_text(SETTINGS_TOML, encoding="utf-8")
    monkeypatch.setenv("DUBAN_CONFIG", str(cfg))
    return (
        _county(tmp_path, "alxa_2025", ALXA, "2025-07-15"),
        _county(tmp_path, "dongsheng_2025", DONGSHENG, "2025-04-15"),
    )


def _count(db, table: str, where: str = "") -> int:
    return query(db, f"SELECT COUNT(*) FROM {table} {where}")[0][0]


def _county_count(path: Path, table: str) -> int:
    where = " WHERE status <> '草稿'" if table in ("letter", "circular") else ""
    if table == "letter_item":
        where = " WHERE letter_id IN (SELECT id FROM letter WHERE status <> '草稿')"
    return _q(path, f"SELECT COUNT(*) FROM {table}{where}")[0][0]


def _city(cli, db) -> None:
    assert cli("init").code == 0


def test_two_counties_add_up_and_a_second_run_changes_nothing(cli, db, counties):
    alxa, dongsheng = counties
    _city(cli, db)
    audit_before = _count(db, "audit_log")

    dry = cli("import-store", str(alxa), "--dry-run", "--format", "json")
    assert dry.code == 0, dry.err
    assert dry.json()["added"]["assignment"] == _county_count(alxa, "assignment")
    assert _count(db, "assignment") == 0 and _count(db, "audit_log") == audit_before

    for path, region in ((alxa, ALXA), (dongsheng, DONGSHENG)):
        res = cli("import-store", str(path), "--format", "json")
        assert res.code == 0, res.err
        assert res.json()["origin"] == region and res.json()["changed"]
        assert res.json()["drafts_left"] >= 1

    for table in COPIED:
        expected = _county_count(alxa, table) + _county_count(dongsheng, table)
        assert _count(db, table) == expected, table
    county_audit = _county_count(alxa, "audit_log") + _county_count(dongsheng, "audit_log")
    # every county row, plus one row per merge (the batch's own record)
    assert _count(db, "audit_log") == audit_before + county_audit + 2
    assert _count(db, "audit_log", "WHERE action = 'store.merge'") == 2

    # 气象局 is in both counties: two units, one per region
    assert sorted(query(db, "SELECT region FROM unit WHERE name = '气象局'")) == [
        (DONGSHENG,),
        (ALXA,),
    ] or sorted(query(db, "SELECT region FROM unit WHERE name = '气象局'")) == sorted(
        [(ALXA,), (DONGSHENG,)]
    )

    snapshot = {t: _count(db, t) for t in (*COPIED, "audit_log", "merge_map", "meta")}
    for path in (alxa, dongsheng):
        res = cli("import-store", str(path))
        assert res.code == 0, res.err
        assert "已合并过，没有新内容，未作任何更改" in res.out
    assert {t: _count(db, t) for t in snapshot} == snapshot

    # the chain holds across the merged rows, each carrying its origin
    res = cli("audit", "verify")
    assert res.code == 0, res.out + res.err
    origins = dict(
        query(db, "SELECT origin, COUNT(*) FROM audit_log WHERE origin <> '' GROUP BY origin")
    )
    assert origins == {
        ALXA: _county_count(alxa, "audit_log"),
        DONGSHENG: _county_count(dongsheng, "audit_log"),
    }


def test_letters_keep_their_numbers_in_their_county_register(cli, db, counties):
    alxa, dongsheng = counties
    _city(cli, db)
    numbers = {
        ALXA: sorted(
            _q(alxa, "SELECT number, kind, year, seq FROM letter WHERE number IS NOT NULL")
        ),
        DONGSHENG: sorted(
            _q(dongsheng, "SELECT number, kind, year, seq FROM letter WHERE number IS NOT NULL")
        ),
    }
    # both counties issued 依法治办醒〔2025〕1号: the same number, in two registers
    assert numbers[ALXA][0][0] == numbers[DONGSHENG][0][0] == "依法治办醒〔2025〕1号"
    for path in (alxa, dongsheng):
        assert cli("import-store", str(path)).code == 0
    for region, rows in numbers.items():
        got = sorted(
            query(
                db,
                "SELECT number, kind, year, seq FROM letter WHERE origin = :o",
                {"o": region},
            )
        )
        assert got == rows
    circulars = query(db, "SELECT origin, number FROM circular ORDER BY origin")
    assert sorted(circulars) == sorted([(ALXA, "2025年第1期"), (DONGSHENG, "2025年第1期")])
    # a merged letter's seal holds over the ids it has here: it renders
    (lid,) = query(db, "SELECT id FROM letter WHERE origin = :o LIMIT 1", {"o": ALXA})[0]
    res = cli("letters", "show", str(lid))
    assert res.code == 0, res.err
    assert "依法治办醒〔2025〕" in res.out


def test_the_countys_history_is_not_the_citys_to_undo(cli, db, counties):
    from sqlmodel import Session

    from tui.store.db import make_engine
    from tui.store.undo import change_log

    _city(cli, db)
    assert cli("import-store", str(counties[0])).code == 0
    engine = make_engine(str(db), create=False)
    try:
        with Session(engine) as s:
            batches = {c.batch for c in change_log(s)}
    finally:
        engine.dispose()
    county = {b for (b,) in query(db, "SELECT DISTINCT batch FROM audit_log WHERE origin <> ''")}
    assert county and not (batches & county)
    (merge,) = query(db, "SELECT batch FROM audit_log WHERE action = 'store.merge'")[0]
    assert merge in batches  # the merge itself is the city's own change


def test_the_city_numbers_its_own_letters_apart_from_the_counties(cli, db, counties, tmp_path):
    alxa, _ = counties
    _city(cli, db)
    assert cli("import-store", str(alxa)).code == 0
    assert cli("import", str(FIXTURES / "alxa_2025.txt")).code == 0  # the same plan: not doubled
    assert _count(db, "plan") == 1
    res = cli("letters", "draft", "--kind", "提醒", "--as-of", "2025-10-08", "--format", "json")
    assert res.code == 0, res.err
    ids = [str(i) for i in res.json()["ids"]]
    assert ids, res.out
    assert cli("letters", "sign", *ids, "--by", "市里主任", "--date", "2025-10-08").code == 0
    own = query(db, "SELECT number FROM letter WHERE origin = '' AND number IS NOT NULL")
    assert ("依法治办醒〔2025〕1号",) in own  # the city's own register starts at 1
    # the number as printed finds the city's own letter first
    res = cli("letters", "show", "依法治办醒〔2025〕1号")
    assert res.code == 0 and "2025年10月8日" in res.out, res.out


def test_refusals_write_nothing(cli, db, counties, tmp_path):
    alxa, _ = counties
    _city(cli, db)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not a database at all" * 100)
    other = tmp_path / "other.db"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE t (x)")
    con.commit()
    con.close()
    newer = tmp_path / "newer.db"
    newer.write_bytes(alxa.read_bytes())
    con = sqlite3.connect(newer)
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.commit()
    con.close()
    broken = tmp_path / "broken.db"
    broken.write_bytes(alxa.read_bytes())
    con = sqlite3.connect(broken)
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("UPDATE audit_log SET actor = '别人' WHERE id = 2")
    con.commit()
    con.close()
    cases = [
        (garbage, "不是督办台数据库"),
        (other, "不是督办台数据库"),
        (newer, "高于本程序支持的版本"),
        (broken, "审计链"),
        (tmp_path / "missing.db", "不存在"),
    ]
    if not isinstance(db, str):
        cases.append((Path(db), "当前数据库本身"))
    before = {t: _count(db, t) for t in ("unit", "assignment", "audit_log", "letter", "meta")}
    for path, words in cases:
        res = cli("import-store", str(path))
        assert res.code == 2, (path, res.out, res.err)
        lines = [x for x in res.err.splitlines() if x.strip()]
        assert len(lines) == 1 and words in lines[0], (path, res.err)
        assert "Traceback" not in res.err
    assert {t: _count(db, t) for t in before} == before


def test_a_copy_of_the_store_itself_is_refused(cli, db, counties, tmp_path):
    alxa, _ = counties
    copy = tmp_path / "copy.db"
    copy.write_bytes(alxa.read_bytes())
    audit = _county_count(alxa, "audit_log")
    res = cli("import-store", str(copy), "--db", str(alxa), use_db=False)
    assert res.code == 2 and "副本" in res.err, res.err
    assert _county_count(alxa, "audit_log") == audit


def test_step_10_on_a_postgresql_store_at_schema_9(pg_store):
    """The 9 → 10 step on PostgreSQL: a store whose registers are keyed without origin (as
    schema 9 made them) gets the origin column and the origin-keyed constraints; rows stay."""
    from sqlalchemy import create_engine, inspect, text

    from tui.store.db import make_engine

    make_engine(pg_store).dispose()  # a new store at 10
    raw = create_engine(pg_store)
    with raw.begin() as conn:
        for table, old in (
            ("letter", "UNIQUE (kind, year, seq)"),
            ("circular", "UNIQUE (year, seq)"),
        ):
            for u in inspect(conn).get_unique_constraints(table):
                conn.execute(text(f'ALTER TABLE {table} DROP CONSTRAINT "{u["name"]}"'))
            conn.execute(text(f"ALTER TABLE {table} DROP COLUMN origin"))
            conn.execute(text(f"ALTER TABLE {table} ADD CONSTRAINT {table}_old_key {old}"))
            conn.execute(
                text(f"ALTER TABLE {table} ADD CONSTRAINT {table}_number_key UNIQUE (number)")
            )
        conn.execute(text("ALTER TABLE audit_log DROP COLUMN origin"))
        conn.execute(text("DROP TABLE merge_map"))
        conn.execute(text("UPDATE meta SET value = '9' WHERE key = 'schema_version'"))
        conn.execute(text("UPDATE alembic_version SET version_num = 'schema9'"))
    raw.dispose()
    engine = make_engine(pg_store, create=False)
    try:
        with engine.connect() as conn:
            insp = inspect(conn)
            letter = {tuple(u["column_names"]) for u in insp.get_unique_constraints("letter")}
            circular = {tuple(u["column_names"]) for u in insp.get_unique_constraints("circular")}
            assert letter == {("origin", "kind", "year", "seq"), ("origin", "number")}
            assert circular == {("origin", "year", "seq"), ("origin", "number")}
            assert "origin" in {c["name"] for c in insp.get_columns("audit_log")}
            assert insp.has_table("merge_map")
            version = conn.execute(text("SELECT value FROM meta WHERE key='schema_version'"))
            assert version.scalar() == "10"
    finally:
        engine.dispose()


def test_new_rows_in_the_county_are_merged_on_the_next_run(cli, db, counties):
    alxa, _ = counties
    _city(cli, db)
    assert cli("import-store", str(alxa)).code == 0
    progress = _count(db, "progress")
    (aid,) = _q(alxa, "SELECT id FROM assignment WHERE unit_id IS NOT NULL ORDER BY id DESC")[0]
    res = cli(
        "progress",
        str(aid),
        "又报来新进展",
        "--date",
        "2025-08-01",
        "--db",
        str(alxa),
        use_db=False,
    )
    assert res.code == 0, res.err
    res = cli("import-store", str(alxa), "--format", "json")
    assert res.code == 0, res.err
    assert res.json()["added"].get("progress") == 1
    assert _count(db, "progress") == progress + 1
    (text,) = query(
        db,
        "SELECT p.text FROM progress p JOIN merge_map m ON m.target_id = p.id "
        "AND m.kind = 'progress' AND m.origin = :o ORDER BY p.id DESC LIMIT 1",
        {"o": ALXA},
    )[0]
    assert text == "又报来新进展"


def _json(cli, *args, use_db: bool = True):
    res = cli(*args, "--format", "json", use_db=use_db)
    assert res.code == 0, res.err
    return res.json()


OVERDUE_FIELDS = (
    "task_title",
    "unit",
    "role",
    "due",
    "days_overdue",
    "last_progress",
    "letters_sent",
)


def _overdue_rows(records) -> list[tuple]:
    return sorted(tuple(str(r[k]) for k in OVERDUE_FIELDS) for r in records)


def test_region_filter_gives_each_countys_own_figures(cli, db, counties, tmp_path):
    """Every listing and report of the city store, kept to one region, says what the county's
    own store says."""
    _city(cli, db)
    for path in counties:
        assert cli("import-store", str(path)).code == 0
    all_tasks = _json(cli, "tasks")
    seen = 0
    for path, region in zip(counties, (ALXA, DONGSHENG), strict=True):
        county = ("--db", str(path))
        mine = _json(cli, "tasks", "--region", region)
        theirs = _json(cli, "tasks", *county, use_db=False)
        assert [(t["key"], t["title"]) for t in mine] == [(t["key"], t["title"]) for t in theirs]
        seen += len(mine)

        as_of = ("--as-of", "2025-10-08")
        mine = _json(cli, "overdue", "--region", region, *as_of)
        theirs = _json(cli, "overdue", *as_of, *county, use_db=False)
        assert len(mine) > 0
        assert _overdue_rows(mine) == _overdue_rows(theirs)

        year = ("--year", "2025", "--as-of", "2025-10-08")
        mine = _json(cli, "summary", "--region", region, *year)
        theirs = _json(cli, "summary", *year, *county, use_db=False)
        for figures in (mine, theirs):  # ids differ between the stores; titles do not
            figures["plans"] = [p["title"] for p in figures["plans"]]
        assert mine == theirs and mine["plans"]

        out = tmp_path / f"ledger-{region}.xlsx"
        res = cli("ledger", "export", str(out), "--region", region, *as_of)
        assert res.code == 0, res.err
        (n,) = _q(path, "SELECT COUNT(*) FROM assignment WHERE active = 1")[0]
        assert f"{n} 条落实事项" in res.out

        res = cli("circular", "draft", "--region", region, *as_of, "--format", "json")
        assert res.code == 0, res.err
    assert seen == len(all_tasks)

    res = cli("tasks", "--region", "不存在的旗")
    assert res.code == 2 and "没有这个地区：不存在的旗" in res.err
    res = cli("overdue", "--region", "不存在的旗")
    assert res.code == 2 and "没有这个地区：不存在的旗" in res.err


def test_what_the_county_changed_since_is_brought_up_to_date(cli, db, counties):
    """An item closed and a letter replied to in the county after the first merge: the
    second run brings their state (and the county's audit rows saying so), nothing else."""
    alxa, _ = counties
    _city(cli, db)
    assert cli("import-store", str(alxa)).code == 0
    (aid,) = _q(alxa, "SELECT id FROM assignment WHERE unit_id IS NOT NULL ORDER BY id")[0]
    county = ("--db", str(alxa))
    progress_before = _county_count(alxa, "progress")
    res = cli(
        "progress", str(aid), "已办结", "--date", "2025-08-02", "--done", *county, use_db=False
    )
    assert res.code == 0, res.err
    (lid,) = _q(alxa, "SELECT id FROM letter WHERE status = '已签发' ORDER BY id")[0]
    res = cli(
        "letters",
        "reply",
        str(lid),
        "--date",
        "2025-07-20",
        "--text",
        "已整改",
        *county,
        use_db=False,
    )
    assert res.code == 0, res.err
    (status,) = _q(alxa, "SELECT status FROM letter WHERE id = ?", lid)[0]
    res = cli("import-store", str(alxa), "--format", "json")
    assert res.code == 0, res.err
    report = res.json()
    assert report["updated"] == {"assignment": 1, "letter": 1}
    new_progress = _county_count(alxa, "progress") - progress_before
    assert report["added"]["progress"] == new_progress >= 1
    assert report["added"]["letter_reply"] == 1

    def mapped(kind, sid):
        return query(
            db,
            "SELECT target_id FROM merge_map WHERE origin = :o AND kind = :k AND source_id = :s",
            {"o": ALXA, "k": kind, "s": sid},
        )[0][0]

    got = query(
        db, "SELECT completed_on FROM assignment WHERE id = :i", {"i": mapped("assignment", aid)}
    )
    assert str(got[0][0]) == "2025-08-02"
    got = query(db, "SELECT status FROM letter WHERE id = :i", {"i": mapped("letter", lid)})
    assert got[0][0] == status
    res = cli("import-store", str(alxa))
    assert "没有新内容" in res.out


def test_a_newer_revision_in_the_county_is_reported_not_merged(cli, db, counties, tmp_path):
    alxa, _ = counties
    _city(cli, db)
    assert cli("import-store", str(alxa)).code == 0
    before = {t: _count(db, t) for t in ("task", "assignment", "progress", "plan")}
    revised = tmp_path / "alxa_2025_修订.txt"
    text = (FIXTURES / "alxa_2025.txt").read_text(encoding="utf-8")
    revised.write_text(
        text.replace("2025年9月30日前完成年度案卷评查", "2025年10月31日前完成年度案卷评查"),
        encoding="utf-8",
    )
    county = ("--db", str(alxa))
    res = cli("import", str(revised), *county, "--format", "json", use_db=False)
    assert res.code == 0, res.err
    assert res.json()["revision"] == 2
    (aid,) = _q(alxa, "SELECT id FROM assignment WHERE unit_id IS NOT NULL ORDER BY id")[0]
    res = cli("progress", str(aid), "修订后的进展", "--date", "2025-08-03", *county, use_db=False)
    assert res.code == 0, res.err

    res = cli("import-store", str(alxa), "--format", "json")
    assert res.code == 0, res.err
    report = res.json()
    assert len(report["plans_not_merged"]) == 1 and "第2版" in report["plans_not_merged"][0]
    assert {t: _count(db, t) for t in before} == before  # nothing under that plan moved
    res = cli("import-store", str(alxa))
    assert "与本库中同一计划的版本不同" in res.out


def test_a_merge_brings_the_servers_planner_statistics_up_to_date(cli, db, counties, store_kind):
    """A city store filled by a merge is read at once (the desk's first screen groups every
    assignment on the server): planned on the empty tables' statistics, that read took
    several times longer until the server's autovacuum caught up. A merge that wrote rows
    has the server sample the tables it wrote; a dry run leaves them as they were."""
    alxa, _dongsheng = counties
    _city(cli, db)

    def analysed() -> dict[str, bool]:
        if store_kind != "postgresql":  # SQLite keeps no statistics unless asked: none made
            return {
                t: bool(n)
                for t, n in query(
                    db, "SELECT name, 1 FROM sqlite_master WHERE name = 'sqlite_stat1'"
                )
            }
        rows = query(
            db,
            "SELECT relname, last_analyze IS NOT NULL FROM pg_stat_user_tables "
            "WHERE schemaname = current_schema()",
        )
        return {t: bool(done) for t, done in rows}

    assert cli("import-store", str(alxa), "--dry-run").code == 0
    assert not any(analysed().values())
    assert cli("import-store", str(alxa)).code == 0
    after = analysed()
    if store_kind == "postgresql":
        assert after["assignment"] and after["task"] and after["progress"]
    else:
        assert after == {}
