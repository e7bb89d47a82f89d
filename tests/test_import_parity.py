"""`duban import` without SQLAlchemy writes exactly what the SQLAlchemy path writes.

The same sequence of imports — every corpus document, the seeds, a plan of repeated numbers,
a revision with progress recorded in between, review fixes that must survive a re-import,
two towns' plans of the same title answered with --new-plan and --revision-of — runs twice
through the real command line: once as it runs for an office (a SQLite store at today's
version: tui.store.lite, sqlite3 alone) and once with that path turned off (the store
opened by SQLAlchemy: tui.store.sqlconn.AlchemyConn, as the desk, dry runs and server
stores import). The clock, the operator and the transaction ids are fixed, so the two
stores must be equal row by row in every table — timestamps and audit hashes included —
and every printed report byte for byte. Only the store's random secret (meta.store_secret,
drawn when the store is created) differs, and is left out of the comparison.
"""

from __future__ import annotations

import itertools
import sqlite3
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

import tui.clock
from tests.conftest import SEED001, SEED002
from tui.cli import main

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.synth import repeated_numbers_plan  # noqa: E402

CORPUS = ROOT / "tests" / "corpus"
DOCUMENTS = sorted(p for p in CORPUS.iterdir() if p.suffix in (".txt", ".docx", ".xlsx", ".pdf"))
FIXED = datetime(2026, 3, 2, 1, 30, 15, 123456, tzinfo=UTC)

TITLE = "2024年法治政府建设工作计划"


def town_plan(town: str, tasks: list[tuple[str, str]]) -> str:
    lines = [TITLE, "", f"为推进{town}法治政府建设，结合本镇实际，制定本计划。", "一、重点任务"]
    for i, (text, lead) in enumerate(tasks, start=1):
        lines.append(f"（{'一二三四五六七八九十'[i - 1]}）{text}")
        lines.append(f"牵头单位：{lead}")
    lines += ["二、保障措施", "各单位要加强组织领导。", "", f"{town}人民政府", "2024年3月1日"]
    return "\n".join(lines) + "\n"


TOWN_TASKS = [
    ("完善镇级重大行政决策程序，严格落实合法性审查。", "党政综合办"),
    ("推进综合行政执法改革，规范执法程序，2024年6月底前完成。", "综合行政执法局"),
    ("加强村（社区）法律顾问工作，实现全覆盖。", "司法所"),
    ("开展普法中期检查，总结经验做法。", "司法所"),
]


@pytest.fixture
def fixed(monkeypatch):
    """One instant for every timestamp, one operator, transaction ids from a counter."""
    original = tui.clock.now

    def now() -> datetime:
        return FIXED

    monkeypatch.setattr(tui.clock, "now", now)
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("tui."):
            for name in ("now", "clock_now"):
                if getattr(module, name, None) is original:
                    monkeypatch.setattr(module, name, now)
    monkeypatch.setenv("DUBAN_USER", "测试员")
    monkeypatch.delenv("DUBAN_DB", raising=False)

    def restart_ids() -> None:
        counter = itertools.count(1)
        monkeypatch.setattr(uuid, "uuid4", lambda: uuid.UUID(int=next(counter)))

    return restart_ids


def _files(tmp_path: Path) -> dict[str, Path]:
    """The documents of the sequence that are written here (the rest are checked in)."""
    out = tmp_path / "docs"
    out.mkdir()
    files = {}
    files["repeated"] = out / "repeated.txt"
    files["repeated"].write_text(repeated_numbers_plan(300, per_section=7), encoding="utf-8")
    files["town_a"] = out / "town_a.txt"
    files["town_a"].write_text(town_plan("青石镇", TOWN_TASKS), encoding="utf-8")
    files["town_b"] = out / "town_b.txt"
    files["town_b"].write_text(
        town_plan("白沙镇", [(t.replace("镇级", "本镇"), lead) for t, lead in TOWN_TASKS[1:]]),
        encoding="utf-8",
    )
    edited = SEED002.read_text(encoding="utf-8")
    lines = edited.splitlines()
    task_lines = [i for i, line in enumerate(lines) if line.startswith("（") and "）" in line[:5]]
    assert len(task_lines) > 4
    lines[task_lines[1]] += "2024年9月底前完成。"  # a changed task
    del lines[task_lines[3]]  # a dropped task
    files["seed002_v2"] = out / "alxa_v2.txt"
    files["seed002_v2"].write_text("\n".join(lines) + "\n", encoding="utf-8")
    return files


def run_sequence(db: Path, files: dict[str, Path], capsys, *, light: bool, monkeypatch) -> list:
    """The whole sequence through the command line; → what each step printed and returned."""
    import tui.store.lite

    opened_light = []
    if light:
        real = tui.store.lite.open_lite

        def spy(db, create=True):
            store = real(db, create=create)
            opened_light.append(store is not None)
            return store

        monkeypatch.setattr(tui.store.lite, "open_lite", spy)
    else:
        monkeypatch.setattr(tui.store.lite, "open_lite", lambda db, create=True: None)
    said = []

    def duban(*args: str) -> tuple[int, str, str]:
        code = main([*args, "--db", str(db)])
        out = capsys.readouterr()
        said.append((args[0], code, out.out, out.err))
        return code, out.out, out.err

    for doc in DOCUMENTS:
        duban("import", str(doc))
    duban("import", str(SEED001))
    duban("import", str(SEED002))
    duban("import", str(files["repeated"]))
    # Progress on the seed's first assignments, then an edited version of the seed.
    for assignment in _assignments(db, SEED002.name):
        duban("progress", str(assignment), "已制定工作方案，正在推进", "--date", "2026-02-27")
    duban("import", str(files["seed002_v2"]))
    duban("import", str(files["seed002_v2"]))  # unchanged
    duban("import", str(SEED002))  # back to the first version
    # Two towns' plans of the same title: a question, then each answer.
    duban("import", str(files["town_a"]))
    duban("import", str(files["town_b"]))  # refused: which plan is it?
    duban("import", str(files["town_b"]), "--new-plan")
    duban("import", str(files["town_a"]), "--revision-of", _plan_id(db, "town_a.txt"))
    duban("import", str(files["town_b"]), "--format", "json")
    # Review fixes (the desk's import review) stored with a plan, kept by a re-import.
    _import_with_fix(db, files["town_a"], light=light)
    duban("import", str(files["town_a"]))
    duban("import", str(files["town_a"]), "--format", "json")
    # Every import of the light run went the light way (the dry-run-free sequence).
    assert all(opened_light) and (len(opened_light) > 20) == light
    return said


def _plan_id(db: Path, source: str) -> str:
    con = sqlite3.connect(db)
    try:
        return str(
            con.execute("SELECT id FROM plan WHERE source_name = ?", (source,)).fetchone()[0]
        )
    finally:
        con.close()


def _assignments(db: Path, source: str) -> list[str]:
    """Three of the plan's assignments to units (every fifth, from the first)."""
    con = sqlite3.connect(db)
    try:
        rows = con.execute(
            "SELECT a.id FROM assignment a JOIN task t ON t.id = a.task_id "
            "JOIN plan p ON p.id = t.plan_id WHERE p.source_name = ? AND a.unit_id IS NOT NULL "
            "ORDER BY a.id",
            (source,),
        ).fetchall()
    finally:
        con.close()
    return [str(r[0]) for r in rows[::5][:3]]


def _import_with_fix(db: Path, path: Path, *, light: bool) -> None:
    """An owner fix as the review makes it, through the same opening as the command line."""
    from tui.ingest.corrections import Correction
    from tui.ingest.parser import parse_document
    from tui.ingest.readers import read_document
    from tui.services.importing import office_vocabulary
    from tui.store.importer import import_parsed

    doc = read_document(path)
    fix = Correction(
        "owners", "一、（二）", [["lead", "司法所", False], ["supporting", "派出所", False]]
    )
    if light:
        from tui.store.lite import open_lite

        store = open_lite(str(db))
        assert store is not None
        close = store.close
    else:
        from tui.store.db import dispose_engine, make_engine

        store = make_engine(str(db))

        def close() -> None:
            dispose_engine(store)

    try:
        report = import_parsed(
            store,
            parse_document(doc, office_vocabulary()),
            source=str(path),
            kind=doc.kind,
            actor="测试员",
            revision_of=_plan_id(db, path.name),
            corrections=[fix],
        )
    finally:
        close()
    assert report.corrections == [fix.describe()]


def dump(db: Path) -> dict[str, list[tuple]]:
    con = sqlite3.connect(db)
    try:
        tables = [
            name
            for (name,) in con.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        out = {}
        for table in tables:
            rows = con.execute(f'SELECT * FROM "{table}" ORDER BY rowid').fetchall()
            if table == "meta":  # the store's secret is random per store, by design
                rows = [r for r in rows if r[0] != "store_secret"]
            out[table] = rows
        return out
    finally:
        con.close()


def test_light_and_sqlalchemy_imports_write_the_same_store(tmp_path, capsys, fixed, monkeypatch):
    files = _files(tmp_path)
    fixed()
    light_db = tmp_path / "light" / "duban.db"
    light = run_sequence(light_db, files, capsys, light=True, monkeypatch=monkeypatch)
    fixed()
    heavy_db = tmp_path / "heavy" / "duban.db"
    heavy = run_sequence(heavy_db, files, capsys, light=False, monkeypatch=monkeypatch)

    # The sequence did what it says: imports, a question, answers, unchanged re-imports.
    refused = [e for _s, code, _o, e in light if code == 2]
    assert len(refused) == 1 and "--new-plan" in refused[0]
    assert sum("新计划已导入" in o for _s, _c, o, _e in light) >= len(DOCUMENTS) + 3
    assert any("已导入为新修订版" in o for _s, _c, o, _e in light)
    assert any("与已导入的版本相同" in o for _s, _c, o, _e in light)

    # Every printed line the same, byte for byte (the store's path aside).
    def shown(steps, db):
        return [(s, c, o.replace(str(db), "DB"), e.replace(str(db), "DB")) for s, c, o, e in steps]

    assert shown(light, light_db) == shown(heavy, heavy_db)

    a, b = dump(light_db), dump(heavy_db)
    assert a.keys() == b.keys()
    for table in a:
        assert a[table] == b[table], table
    assert len(a["task"]) > 500 and len(a["audit_log"]) > 1000 and len(a["progress"]) == 3
    assert any(r for r in a["import_correction"])

    for db in (light_db, heavy_db):
        code = main(["audit", "verify", "--db", str(db)])
        out = capsys.readouterr()
        assert code == 0, out.err
