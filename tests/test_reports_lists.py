"""Unit task lists (`duban lists`): real files checked item by item against the store."""

from __future__ import annotations

import sqlite3
import subprocess
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from docx import Document

from tests.conftest import SEED001, SEED002
from tui.reports.filenames import MAX_NAME_BYTES, safe_stem, unique_stems

ROLE_CN = {"lead": "牵头", "responsible": "责任", "supporting": "配合"}
ROLE_RANK = {"lead": 0, "responsible": 1, "supporting": 2}


def cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def store_items(db: Path, unit: str, plan_id: int = 1) -> list[dict]:
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT a.id, a.role, coalesce(nullif(t.key, ''), t.number), t.text, t.due_dates, "
        "t.due_recurring, a.due_override, t.position FROM assignment a "
        "JOIN task t ON t.id = a.task_id JOIN unit u ON u.id = a.unit_id "
        "WHERE u.name = ? AND a.active = 1 AND t.active = 1 AND t.plan_id = ?",
        (unit, plan_id),
    ).fetchall()
    con.close()
    items = [
        {
            "id": r[0],
            "role": r[1],
            "key": r[2],
            "text": r[3],
            "dates": [date.fromisoformat(x) for x in r[4].split(",")] if r[4] else [],
            "recurring": bool(r[5]),
            "override": r[6],
            "position": r[7],
        }
        for r in rows
    ]
    items.sort(key=lambda i: (ROLE_RANK[i["role"]], i["position"], i["id"]))
    return items


def xlsx_rows(path: Path) -> tuple[list[str], list[tuple]]:
    ws = openpyxl.load_workbook(path).worksheets[0]
    values = [tuple(c.value for c in row) for row in ws.iter_rows()]
    header_at = next(i for i, r in enumerate(values) if r[0] == "序号")
    titles = [r[0] for r in values[:header_at]]
    rows = [r for r in values[header_at + 1 :] if isinstance(r[0], int)]
    return titles, rows


@pytest.fixture
def seed001(cli, db):
    assert cli("import", str(SEED001)).code == 0
    return db


def test_seed001_unit_list_item_by_item(cli, seed001, tmp_path):
    out = tmp_path / "清单"
    r = cli("lists", "--plan", "1", "--unit", "区司法局", "--out", str(out), "--date", "2023-01-10")
    assert r.code == 0, r.err
    items = store_items(seed001, "区司法局")
    assert len(items) > 40  # the office's lead unit for most of seed 001
    xlsx = out / "区司法局任务清单.xlsx"
    docx = out / "区司法局任务清单.docx"
    assert xlsx.is_file() and docx.is_file()
    assert sorted(p.name for p in out.iterdir()) == [docx.name, xlsx.name]

    titles, rows = xlsx_rows(xlsx)
    assert titles[0] == "区司法局任务清单"
    plan_title = sqlite3.connect(seed001).execute("SELECT title FROM plan").fetchone()[0]
    cited = "《" + plan_title.replace("《", "〈").replace("》", "〉") + "》"  # marks nest as 〈〉
    assert f"根据{cited}（2022年12月29日印发）" in titles[1]  # the cover line
    assert "2023年1月10日" in titles[2]
    assert len(rows) == len(items)
    for n, (row, item) in enumerate(zip(rows, items, strict=True), start=1):
        number, role, key, text, deadline, report = row
        assert number == n
        assert role == ROLE_CN[item["role"]]
        assert key == item["key"]
        assert text == item["text"]
        if item["recurring"]:
            # every occurrence inside the plan period is spelled out
            assert all(cn(d) in deadline for d in item["dates"]), (deadline, item["dates"])
            assert f"共{len(item['dates'])}期" in report
        elif item["dates"]:
            assert deadline.startswith(cn(item["dates"][-1]) + "前")
            assert report.startswith(cn(item["dates"][-1]) + "前报送")
        else:
            assert "无固定" in deadline  # 无固定期限, or 无固定日期 when counted from an event
    # a recurring duty is among them, so the rule above was exercised
    assert any(i["recurring"] for i in items)

    # The Word file says the same, one table per role under a heading with its count.
    doc = Document(str(docx))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "区司法局任务清单"
    assert f"根据{cited}（2022年12月29日印发）" in texts[1]
    by_role = {}
    for i in items:
        by_role.setdefault(i["role"], []).append(i)
    headings = [t for t in texts if "任务（" in t and t[1] == "、"]
    assert headings == [
        f"{'一二三'[k]}、{ROLE_CN[role]}任务（{len(by_role[role])}项）"
        for k, role in enumerate(r for r in ("lead", "responsible", "supporting") if r in by_role)
    ]
    docx_rows = []
    for table in doc.tables:
        cells = [[c.text for c in row.cells] for row in table.rows]
        assert cells[0] == ["序号", "任务编号", "任务内容", "完成时限", "报送要求"]
        docx_rows += cells[1:]
    assert [(int(r[0]), r[1], r[2], r[3], r[4]) for r in docx_rows] == [
        (r[0], r[2], r[3], r[4], r[5]) for r in rows
    ]

    # Registered as issued: one row for the unit, audited.
    con = sqlite3.connect(seed001)
    issued = con.execute(
        "SELECT l.issued_on, l.items, u.name, l.files FROM list_issue l "
        "JOIN unit u ON u.id = l.unit_id"
    ).fetchall()
    assert [(i[0], i[1], i[2]) for i in issued] == [("2023-01-10", len(items), "区司法局")]
    assert "区司法局任务清单.docx" in issued[0][3]
    assert con.execute("SELECT count(*) FROM audit_log WHERE action = 'list.issue'").fetchone() == (
        1,
    )


def test_every_unit_gets_its_own_list_once(cli, seed001, tmp_path):
    out = tmp_path / "all"
    assert cli("lists", "--out", str(out), "--date", "2023-01-10").code == 0  # one plan: no --plan
    con = sqlite3.connect(seed001)
    units = {
        name
        for (name,) in con.execute(
            "SELECT DISTINCT u.name FROM assignment a JOIN unit u ON u.id = a.unit_id "
            "JOIN task t ON t.id = a.task_id WHERE a.active = 1 AND t.active = 1"
        )
    }
    docx = sorted(p.name for p in out.glob("*.docx"))
    assert len(docx) == len(units) == len(list(out.glob("*.xlsx")))
    assert {n.removesuffix("任务清单.docx") for n in docx} == units
    registered = con.execute("SELECT count(*), count(DISTINCT unit_id) FROM list_issue").fetchone()
    assert registered == (len(units), len(units))
    for name in units:  # spot-check the counts against the store for every unit
        _titles, rows = xlsx_rows(out / f"{name}任务清单.xlsx")
        assert len(rows) == len(store_items(seed001, name)), name


def test_two_plans_need_a_choice_and_draft_writes_nothing(cli, db, tmp_path):
    assert cli("import", str(SEED001)).code == 0
    assert cli("import", str(SEED002)).code == 0
    r = cli("lists", "--out", str(tmp_path / "x"))
    assert r.code == 2 and "请用 --plan 指定" in r.err
    before = db.read_bytes()
    r = cli("lists", "--plan", "阿拉善", "--out", str(tmp_path / "d"), "--draft")
    assert r.code == 0, r.err
    assert db.read_bytes() == before  # a draft registers nothing
    assert not Path(f"{db}-wal").exists()
    _titles, rows = xlsx_rows(next((tmp_path / "d").glob("*.xlsx")))
    assert rows
    assert (
        "（草稿）"
        in openpyxl.load_workbook(next((tmp_path / "d").glob("*.xlsx"))).worksheets[0]["A1"].value
    )


def test_pdf_list_has_its_text_and_font(cli, seed001, tmp_path):
    out = tmp_path / "pdf"
    r = cli("lists", "--unit", "区司法局", "--out", str(out), "--pdf", "--date", "2023-01-10")
    assert r.code == 0, r.err
    pdf = out / "区司法局任务清单.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    flat = "".join(text.split())
    assert "区司法局任务清单" in flat
    items = store_items(seed001, "区司法局")
    recurring = next(i for i in items if i["recurring"])
    assert all(cn(d) in flat for d in recurring["dates"])
    assert "2022年12月29日印发" in flat
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True).stdout
    assert fonts.count(" yes yes ") >= 1 and "DubanSerifSC" in fonts  # embedded and subset
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert int(info.split("Pages:")[1].split()[0]) >= 2


def test_failed_registration_leaves_no_files(cli, seed001, tmp_path, monkeypatch):
    from tui.errors import DubanError
    from tui.store import reports as store_reports

    def refuse(*_a, **_k):
        raise DubanError("登记失败（测试）")

    out = tmp_path / "lists"
    assert cli("lists", "--unit", "区司法局", "--out", str(out), "--date", "2023-01-10").code == 0
    earlier = {p.name: p.read_bytes() for p in out.iterdir()}
    monkeypatch.setattr(store_reports, "register_lists", refuse)
    r = cli("lists", "--out", str(out), "--date", "2023-02-01")
    assert r.code == 2 and "登记失败" in r.err
    # the earlier issue is untouched, nothing new was left behind (no hidden folder either)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == earlier


# ----------------------------------------------------------------------------- file names


def test_safe_stem_cleans_what_windows_and_linux_refuse():
    assert safe_stem('司法局/法律援助中心:"一"*?<>|') == "司法局_法律援助中心__一______"
    assert safe_stem("CON") == "_CON"
    assert safe_stem("con.任务清单") == "_con.任务清单"
    assert safe_stem("LPT1") == "_LPT1"
    assert safe_stem(" ..隐藏. ") == "隐藏"
    # bidi overrides and zero-width characters vanish, control characters too
    assert safe_stem("\u202e司法局\u200b\u2066局\u2069\x07\x00") == "司法局局"
    assert safe_stem("\u200f\u200e") == "未命名"
    long = safe_stem("很长的单位名称" * 40)
    assert len(long.encode("utf-8")) <= MAX_NAME_BYTES - 10
    long.encode("utf-8").decode("utf-8")  # cut at a character boundary


def test_unique_stems_on_case_insensitive_file_systems():
    stems = unique_stems([(1, "Ab局"), (2, "ab局"), (3, "a/b局"), (4, "a:b局"), (5, "司法局")])
    assert len({s.casefold() for s in stems.values()}) == 5
    assert stems[5] == "司法局"
    assert stems[3] != stems[4]
    huge = unique_stems([(7, "名" * 300), (8, "名" * 300)], suffix="任务清单")
    assert huge[7] != huge[8]
    assert all(len(s.encode("utf-8")) + len(".docx") <= MAX_NAME_BYTES for s in huge.values())


def test_lists_for_units_with_hostile_names(cli, seed001, tmp_path):
    con = sqlite3.connect(seed001)
    ids = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT a.unit_id FROM assignment a WHERE a.unit_id IS NOT NULL "
            "ORDER BY a.unit_id LIMIT 4"
        )
    ]
    names = ["CON", "司法局/援助:中心*?", "\u202eexe.局\u202c", "局" * 120]
    for uid, name in zip(ids, names, strict=True):
        con.execute("UPDATE unit SET name = ? WHERE id = ?", (name, uid))
    con.commit()
    con.close()
    out = tmp_path / "hostile"
    r = cli("lists", "--out", str(out), "--date", "2023-01-10")
    assert r.code == 0, r.err
    files = [p.name for p in out.iterdir()]
    assert "CON任务清单.docx" in files  # only CON itself (or CON.xxx) is reserved
    assert "司法局_援助_中心__任务清单.xlsx" in files
    assert "exe.局任务清单.docx" in files
    assert all(len(f.encode("utf-8")) <= MAX_NAME_BYTES for f in files)
    assert not any(ch in f for f in files for ch in '\\/:*?"<>|\u202e\u202c')


def test_display_width_agrees_with_the_unicode_database():
    from tui.reports.text import display_width, display_width_exact

    samples = [
        "区司法局任务清单",
        "二、（一）1．（1）",
        "abc 123",
        "“引号”《书名》〔2024〕",
        "ｆｕｌｌ－ｗｉｄｔｈ",
        "한국어",
        "𠀀𠀁",
        "—…·",
    ]
    for text in samples:
        assert display_width(text) == display_width_exact(text), text


def test_the_desk_call_one_unit_by_id_with_progress(seed001, tmp_path, monkeypatch):
    """What the units tab will call from a worker: one unit by id, progress reported."""
    from tui.services.reports import write_unit_lists
    from tui.store.db import make_engine

    con = sqlite3.connect(seed001)
    uid = con.execute("SELECT id FROM unit WHERE name = '区司法局'").fetchone()[0]
    con.close()
    calls = []
    engine = make_engine(str(seed001), create=False)
    try:
        result = write_unit_lists(
            engine,
            out_dir=tmp_path / "desk",
            unit_id=uid,
            issued_on=date(2023, 2, 1),
            actor="测试员",
            office="区委依法治区办",
            progress=lambda done, total, what: calls.append((done, total, what)),
        )
    finally:
        engine.dispose()
    assert [w.unit_name for w in result.lists] == ["区司法局"] and result.registered
    assert calls == [(0, 1, "区司法局"), (1, 1, "")]
    con = sqlite3.connect(seed001)
    batch = con.execute("SELECT batch FROM list_issue").fetchone()[0]
    assert batch == result.batch and con.execute(
        "SELECT count(*) FROM audit_log WHERE batch = ? AND action = 'list.issue'", (batch,)
    ).fetchone() == (1,)


def test_without_out_the_lists_go_beside_the_store_where_the_desk_puts_them(cli, seed001):
    r = cli("lists", "--unit", "区司法局", "--date", "2023-01-10")
    assert r.code == 0, r.err
    folder = Path(seed001).parent / "清单"
    assert sorted(p.name for p in folder.iterdir()) == [
        "区司法局任务清单.docx",
        "区司法局任务清单.xlsx",
    ]
    from tui.services.desk_reports import lists_dir
    from tui.services.store import open_store

    store = open_store(str(seed001))
    try:
        assert lists_dir(store) == folder
    finally:
        store.engine.dispose()
