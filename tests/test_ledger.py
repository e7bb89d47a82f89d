"""The ledger round trip: export, a unit edits the file (openpyxl, LibreOffice), import."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from tui.reports.ledger import HEADERS, row_key

from .conftest import query

AS_OF = "2024-11-15"
IMPORT_ON = "2024-11-20"


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    from tui.commands.demo import build_demo_store

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    build_demo_store(str(path))
    return path


@pytest.fixture
def demo(demo_template, db, store_kind) -> Path | str:
    """The test's store holding the demo (on PostgreSQL, `db` is a copy of it already)."""
    if store_kind == "sqlite":
        shutil.copy(demo_template, db)
    return db


def export(cli, path: Path, *args: str) -> None:
    r = cli("ledger", "export", str(path), "--as-of", AS_OF, *args)
    assert r.code == 0, r.err


def import_(cli, path: Path, *args: str):
    return cli("ledger", "import", str(path), "--as-of", IMPORT_ON, *args)


def col(name: str) -> int:
    return HEADERS.index(name) + 1


def plan_sheets(wb) -> list:
    return [ws for ws in wb.worksheets if ws["A1"].value == "事项键"]


def rows_by_id(wb) -> dict[int, tuple]:
    """assignment id → (sheet, row number), from the hidden key column."""
    out = {}
    for ws in plan_sheets(wb):
        for r in range(2, ws.max_row + 1):
            key = ws.cell(r, 1).value
            if key:
                out[int(str(key).split("-")[0])] = (ws, r)
    return out


def open_ids(db: Path, n: int, plan_id: int = 1) -> list[int]:
    """Assignments a unit can still report on (live, on a unit, not closed)."""
    return [
        r[0]
        for r in query(
            db,
            "SELECT a.id FROM assignment a JOIN task t ON t.id = a.task_id "
            "WHERE a.active = TRUE AND t.active = TRUE AND a.unit_id IS NOT NULL "
            "AND a.completed_on IS NULL AND t.plan_id = :p ORDER BY a.id LIMIT :n",
            {"p": plan_id, "n": n},
        )
    ]


def snapshot(db: Path) -> dict:
    return {
        "progress": query(
            db,
            "SELECT assignment_id, CAST(reported_on AS VARCHAR), text FROM progress ORDER BY id",
        ),
        "closed": query(
            db,
            "SELECT id, CAST(completed_on AS VARCHAR) FROM assignment "
            "WHERE completed_on IS NOT NULL ORDER BY id",
        ),
        "audit": query(db, "SELECT count(*) FROM audit_log")[0][0],
    }


def fill(path: Path, edits: dict[int, dict[str, object]], out: Path | None = None) -> Path:
    """Edit cells as a unit would (by column name), save (to ``out`` or in place)."""
    wb = openpyxl.load_workbook(path)
    where = rows_by_id(wb)
    for aid, cells in edits.items():
        ws, r = where[aid]
        for name, value in cells.items():
            ws.cell(r, col(name)).value = value
    target = out or path
    wb.save(target)
    return target


def soffice_resave(src: Path, workdir: Path) -> Path:
    """Re-save through LibreOffice Calc, as a unit with WPS/LibreOffice would."""
    exe = shutil.which("soffice")
    if exe is None:
        pytest.skip(
            "LibreOffice (soffice) is not installed; .ci/run installs libreoffice-calc-nogui"
        )
    out = workdir / "resaved"
    out.mkdir()
    res = subprocess.run(
        [
            exe,
            f"-env:UserInstallation=file://{workdir / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(src),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    result = out / src.name
    assert result.is_file(), res.stdout + res.stderr
    return result


# ----------------------------------------------------------------------------- export


def test_export_layout(cli, demo, tmp_path):
    path = tmp_path / "台账.xlsx"
    export(cli, path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "汇总"
    assert wb["督办台信息"].sheet_state == "veryHidden"
    sheets = plan_sheets(wb)
    con = sqlite3.connect(demo)
    plans = con.execute("SELECT id FROM plan ORDER BY id").fetchall()
    assert len(sheets) == len(plans)
    live = con.execute(
        "SELECT count(*) FROM assignment a JOIN task t ON t.id = a.task_id "
        "WHERE a.active = 1 AND t.active = 1"
    ).fetchone()[0]
    assert sum(ws.max_row - 1 for ws in sheets) == live
    ws = sheets[0]
    assert [c.value for c in ws[1]] == list(HEADERS)
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:Q{ws.max_row}"
    assert ws.column_dimensions["A"].hidden and ws.column_dimensions["B"].hidden
    assert ws.protection.sheet
    assert ws.cell(2, col("事项键")).protection.locked
    assert ws.cell(2, col("任务内容")).protection.locked
    for name in ("进展情况", "是否完成", "完成时间"):
        # unlocked for the whole column (empty cells take the column's style)
        letter = openpyxl.utils.get_column_letter(col(name))
        assert not ws.column_dimensions[letter].protection.locked, name
    dv = {str(d.sqref).split(":")[0]: d for d in ws.data_validations.dataValidation}
    assert dv[f"{openpyxl.utils.get_column_letter(col('是否完成'))}2"].formula1 == '"是,否"'
    assert dv[f"{openpyxl.utils.get_column_letter(col('完成时间'))}2"].type == "date"
    # Chinese text gets room: the task column is wide, the role column narrow
    assert ws.column_dimensions["G"].width >= 40 and ws.column_dimensions["I"].width <= 8
    fills = {}
    for sheet in sheets:
        for r in range(2, sheet.max_row + 1):
            cell = sheet.cell(r, col("状态"))
            fills.setdefault(cell.value, cell.fill.fgColor.rgb)
    assert fills["逾期"] == "FFFFC7CE" and fills["正常"] == "FFC6EFCE"
    # keys are the store's, stable from one export to the next
    secret = con.execute("SELECT value FROM meta WHERE key = 'store_secret'").fetchone()[0]
    key = ws.cell(2, 1).value
    assert key == row_key(secret, int(key.split("-")[0]))
    export(cli, tmp_path / "again.xlsx")
    again = openpyxl.load_workbook(tmp_path / "again.xlsx")
    assert plan_sheets(again)[0].cell(2, 1).value == key
    # the summary's counts are the store's
    summary = wb["汇总"]
    totals = {
        summary.cell(2, c).value: summary.cell(summary.max_row - 2, c).value for c in range(1, 11)
    }
    assert totals["落实事项"] == live


def test_commands_that_only_read_write_nothing(cli, demo, tmp_path):
    before = (demo.read_bytes(), demo.stat().st_mtime_ns)
    path = tmp_path / "l.xlsx"
    export(cli, path)
    fill(path, {open_ids(demo, 1)[0]: {"进展情况": "已完成调研"}})
    assert import_(cli, path, "--dry-run").code == 0
    assert cli("summary", "--year", "2024").code == 0
    assert (demo.read_bytes(), demo.stat().st_mtime_ns) == before
    assert not Path(f"{demo}-wal").exists() and not Path(f"{demo}-shm").exists()


# ----------------------------------------------------------------------------- round trip


def round_trip(cli, demo: Path, tmp_path: Path, *, resave: bool) -> None:
    path = tmp_path / "台账.xlsx"
    export(cli, path)
    a, b, c = open_ids(demo, 3)
    fill(
        path,
        {
            a: {"进展情况": "已制定实施方案，10月召开推进会"},
            b: {"是否完成": "是", "完成时间": datetime(2024, 11, 8)},
            c: {"进展情况": "全部完成，佐证材料已报送", "是否完成": "是"},
        },
    )
    if resave:
        path = soffice_resave(path, tmp_path)
    before = snapshot(demo)

    r = import_(cli, path, "--dry-run")
    assert r.code == 0, r.err
    assert "已制定实施方案" in r.out and "销号：2024-11-08" in r.out
    assert "按导入日期2024年11月20日" in r.out
    assert snapshot(demo) == before

    r = import_(cli, path)
    assert r.code == 0, r.err
    assert "新增进展 2 条，销号 2 条" in r.out
    after = snapshot(demo)
    new_progress = [p for p in after["progress"] if p not in before["progress"]]
    assert sorted(new_progress) == sorted(
        [
            (a, IMPORT_ON, "已制定实施方案，10月召开推进会"),
            (c, IMPORT_ON, "全部完成，佐证材料已报送"),
        ]
    )
    new_closed = [x for x in after["closed"] if x not in before["closed"]]
    assert sorted(new_closed) == [(b, "2024-11-08"), (c, IMPORT_ON)]
    audit = query(
        demo,
        "SELECT action, entity_id FROM audit_log WHERE id > :n ORDER BY id",
        {"n": before["audit"]},
    )
    assert sorted(audit) == sorted(
        [
            ("progress.add", a),
            ("assignment.close", b),
            ("progress.add", c),
            ("assignment.close", c),
            ("ledger.import", None),
        ]
    )
    batches = query(
        demo, "SELECT count(DISTINCT batch) FROM audit_log WHERE id > :n", {"n": before["audit"]}
    )
    assert batches == [(1,)]  # one transaction

    # The same file again: nothing changes, not even the audit trail.
    r = import_(cli, path)
    assert r.code == 0, r.err
    assert "没有需要写入的变更" in r.out
    assert snapshot(demo) == after


@pytest.mark.both_stores
def test_round_trip_edited_with_openpyxl(cli, demo, tmp_path):
    round_trip(cli, demo, tmp_path, resave=False)


def test_round_trip_resaved_by_libreoffice(cli, demo, tmp_path):
    round_trip(cli, demo, tmp_path, resave=True)


@pytest.mark.both_stores
def test_tampered_keys_are_rejected_row_by_row(cli, demo, tmp_path):
    path = tmp_path / "t.xlsx"
    export(cli, path)
    a, b, c, d = open_ids(demo, 4)
    wb = openpyxl.load_workbook(path)
    where = rows_by_id(wb)
    ws, ra = where[a]
    key = ws.cell(ra, 1).value
    ws.cell(ra, 1).value = key[:-1] + ("0" if key[-1] != "0" else "1")  # one hex digit changed
    ws.cell(ra, col("进展情况")).value = "改过键的行"
    ws, rb = where[b]
    ws.cell(rb, 1).value = f"{c}-{ws.cell(rb, 1).value.split('-')[1]}"  # another id, old mac
    ws.cell(rb, col("是否完成")).value = "是"
    ws, rd = where[d]
    ws.cell(rd, col("进展情况")).value = "正常填报的行"
    wb.save(path)
    before = snapshot(demo)
    r = import_(cli, path)
    assert r.code == 0, r.err
    rejected = [line for line in r.out.splitlines() if line.startswith("未导入：")]
    assert len(rejected) == 2
    assert all("与本数据库不符" in line for line in rejected)
    assert f"第{ra}行" in rejected[0] or f"第{ra}行" in rejected[1]
    after = snapshot(demo)
    assert [p for p in after["progress"] if p not in before["progress"]] == [
        (d, IMPORT_ON, "正常填报的行")
    ]
    assert after["closed"] == before["closed"]


# ----------------------------------------------------------------------------- bad input


def only_problem(cli, demo, path: Path, fragment: str) -> str:
    before = snapshot(demo)
    r = import_(cli, path)
    assert r.code == 0, r.err
    rejected = [line for line in r.out.splitlines() if line.startswith("未导入：")]
    assert len(rejected) == 1, r.out
    assert fragment in rejected[0], rejected[0]
    assert snapshot(demo) == before
    return rejected[0]


@pytest.mark.parametrize(
    ("cells", "fragment"),
    [
        ({"完成时间": "下周五", "是否完成": "是"}, "“完成时间”不是日期：“下周五”"),
        ({"完成时间": "2024-13-45", "是否完成": "是"}, "不是日期"),
        ({"是否完成": "完成"}, "“是否完成”只能填“是”或“否”，现为“完成”"),
        ({"是否完成": "√"}, "只能填“是”或“否”"),
        ({"完成时间": datetime(2024, 12, 31), "是否完成": "是"}, "晚于导入日期"),
        ({"完成时间": datetime(2024, 10, 1)}, "“是否完成”不是“是”"),
        ({"最近进展": "单位把进展写进了只读列"}, "“最近进展”被改动过"),
        ({"任务内容": "改过的任务", "进展情况": "x"}, "“任务内容”被改动过"),
    ],
)
@pytest.mark.both_stores
def test_bad_cells_are_one_message_each(cli, demo, tmp_path, cells, fragment):
    path = tmp_path / "bad.xlsx"
    export(cli, path)
    fill(path, {open_ids(demo, 1)[0]: cells})
    only_problem(cli, demo, path, fragment)


def test_dates_as_spreadsheets_leave_them(cli, demo, tmp_path):
    path = tmp_path / "dates.xlsx"
    export(cli, path)
    a, b, c, d = open_ids(demo, 4)
    fill(
        path,
        {
            a: {"是否完成": "是", "完成时间": "2024/11/1"},
            b: {"是否完成": "是", "完成时间": "2024年11月2日"},
            c: {"是否完成": "是", "完成时间": 45601},  # a serial day that lost its format
            d: {"是否完成": " 是 ", "完成时间": "2024.11.04"},
        },
    )
    assert import_(cli, path).code == 0
    closed = dict(sqlite3.connect(demo).execute("SELECT id, completed_on FROM assignment"))
    assert [closed[x] for x in (a, b, c, d)] == [
        "2024-11-01",
        "2024-11-02",
        (date(1899, 12, 30) + timedelta(days=45601)).isoformat(),
        "2024-11-04",
    ]


@pytest.mark.both_stores
def test_row_moved_to_another_plans_sheet(cli, demo, tmp_path):
    path = tmp_path / "moved.xlsx"
    export(cli, path)
    wb = openpyxl.load_workbook(path)
    first, second = plan_sheets(wb)
    aid = open_ids(demo, 1, plan_id=2)[0]
    ws, r = rows_by_id(wb)[aid]
    assert ws.title == second.title
    values = [c.value for c in ws[r]]
    values[col("进展情况") - 1] = "放错了工作表"
    first.append(values)
    ws.delete_rows(r)
    wb.save(path)
    only_problem(cli, demo, path, "却在另一计划（编号 1）的工作表中")


@pytest.mark.both_stores
def test_duplicated_and_keyless_rows(cli, demo, tmp_path):
    path = tmp_path / "dup.xlsx"
    export(cli, path)
    wb = openpyxl.load_workbook(path)
    aid = open_ids(demo, 1)[0]
    ws, r = rows_by_id(wb)[aid]
    copy = [c.value for c in ws[r]]
    copy[col("进展情况") - 1] = "复制的行"
    ws.append(copy)
    keyless = [None] * len(HEADERS)
    keyless[col("进展情况") - 1] = "单位自己加的一行"
    ws.append(keyless)
    wb.save(path)
    before = snapshot(demo)
    r = import_(cli, path)
    rejected = [line for line in r.out.splitlines() if line.startswith("未导入：")]
    assert len(rejected) == 2
    assert "重复的行未导入" in rejected[0] and "没有事项键" in rejected[1]
    after = snapshot(demo)
    assert [p for p in after["progress"] if p not in before["progress"]] == []


def test_ledger_of_another_store(cli, demo, tmp_path, db):
    other = tmp_path / "other.db"
    shutil.copy(demo, other)
    con = sqlite3.connect(other)
    con.execute("UPDATE meta SET value = 'another-office-secret' WHERE key = 'store_secret'")
    con.commit()
    con.close()
    path = tmp_path / "theirs.xlsx"
    assert (
        cli("ledger", "export", str(path), "--as-of", AS_OF, "--db", str(other), use_db=False).code
        == 0
    )
    fill(path, {open_ids(demo, 1)[0]: {"进展情况": "别处的进展"}})
    before = snapshot(demo)
    r = import_(cli, path)
    assert r.code == 2 and "不是从本数据库导出的台账" in r.err
    assert snapshot(demo) == before
    # Without its information sheet (a tool dropped it), every row is refused by its key.
    wb = openpyxl.load_workbook(path)
    del wb["督办台信息"]
    wb.save(path)
    r = import_(cli, path)
    assert r.code == 0
    rejected = [line for line in r.out.splitlines() if line.startswith("未导入：")]
    assert rejected and all("与本数据库不符" in line for line in rejected)
    assert snapshot(demo) == before


@pytest.mark.both_stores
def test_wps_style_extra_sheets_and_renamed_headers(cli, demo, tmp_path):
    path = tmp_path / "wps.xlsx"
    export(cli, path)
    a, b = open_ids(demo, 2)
    fill(path, {a: {"进展情况": "改了表头也能读"}, b: {"是否完成": "是", "完成时间": "2024-11-05"}})
    wb = openpyxl.load_workbook(path)
    for ws in plan_sheets(wb):
        ws.cell(1, col("进展情况")).value = "进展情况（请填写）"
        ws.cell(1, col("是否完成")).value = "完成否"  # no longer names the column at all
    notes = wb.create_sheet("Sheet1")
    notes["A1"] = "我单位的备注"
    wb.create_sheet("Sheet2")
    wb["督办台信息"].sheet_state = "hidden"  # what LibreOffice and WPS do to a very hidden sheet
    wb.save(path)
    before = snapshot(demo)
    r = import_(cli, path)
    assert r.code == 0, r.err
    assert "按原位置作为“是否完成”读取" in r.out
    assert "工作表“Sheet1”不是台账工作表" in r.out
    after = snapshot(demo)
    assert [p for p in after["progress"] if p not in before["progress"]] == [
        (a, IMPORT_ON, "改了表头也能读")
    ]
    assert (b, "2024-11-05") in after["closed"]


@pytest.mark.both_stores
def test_one_transaction_nothing_half_applied(cli, demo, tmp_path, monkeypatch):
    from tui.store import progress

    path = tmp_path / "half.xlsx"
    export(cli, path)
    a, b = open_ids(demo, 2)
    fill(path, {a: {"进展情况": "第一条"}, b: {"是否完成": "是", "完成时间": "2024-11-05"}})

    def broken(*_a, **_k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(progress, "close", broken)
    before = snapshot(demo)
    r = import_(cli, path)
    assert r.code == 2
    assert snapshot(demo) == before  # the progress of the first row is gone with the rest


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "设置了打开密码的文件或旧版 .xls"),
        (b"this is not a workbook at all", "不是 .xlsx 文件"),
        (None, "已损坏"),  # a truncated download
        ("no-workbook", "不是 Excel 工作簿"),
        ("broken-xml", "内容已损坏"),
    ],
)
@pytest.mark.both_stores
def test_unreadable_files(cli, demo, tmp_path, content, fragment):
    path = tmp_path / "bad.xlsx"
    if content is None:
        export(cli, tmp_path / "good.xlsx")
        data = (tmp_path / "good.xlsx").read_bytes()
        path.write_bytes(data[: len(data) // 2])
    elif content == "no-workbook":
        with zipfile.ZipFile(path, "w") as zf:
            zf.writestr("hello.txt", "hi")
    elif content == "broken-xml":
        export(cli, tmp_path / "good.xlsx")
        with zipfile.ZipFile(tmp_path / "good.xlsx") as src, zipfile.ZipFile(path, "w") as dst:
            for item in src.infolist():
                data = src.read(item)
                if item.filename == "xl/worksheets/sheet2.xml":
                    data = data[: len(data) // 3]
                dst.writestr(item, data)
    else:
        path.write_bytes(content)
    before = snapshot(demo)
    r = import_(cli, path)
    assert r.code == 2, r.out
    assert fragment in r.err and r.err.count("\n") == 1 and "Traceback" not in r.err
    assert snapshot(demo) == before


@pytest.mark.skipif(
    __import__("os").geteuid() == 0, reason="root reads files whatever their permissions"
)
def test_locked_file(cli, demo, tmp_path):
    path = tmp_path / "locked.xlsx"
    export(cli, path)
    path.chmod(0)
    r = import_(cli, path)
    assert r.code == 2 and "没有权限，或文件正被其他程序占用" in r.err


@pytest.mark.both_stores
def test_missing_and_directory(cli, demo, tmp_path):
    r = import_(cli, tmp_path / "nope.xlsx")
    assert r.code == 2 and "找不到台账文件" in r.err
    r = import_(cli, tmp_path)
    assert r.code == 2 and "文件夹" in r.err


def test_markup_and_bidi_in_a_returned_ledger_are_text(cli, demo, tmp_path):
    path = tmp_path / "hostile.xlsx"
    export(cli, path)
    aid = open_ids(demo, 1)[0]
    fill(path, {aid: {"进展情况": "[bold]已完成[/bold]\u202e局法司\u202c，[red]报送"}})
    r = import_(cli, path)
    assert r.code == 0, r.err
    assert "[bold]已完成[/bold]局法司，[red]报送" in r.out  # markup shown as written
    assert "\u202e" not in r.out and "\x1b" not in r.out
    stored = (
        sqlite3.connect(demo)
        .execute(
            "SELECT text FROM progress WHERE assignment_id = ? ORDER BY id DESC LIMIT 1", (aid,)
        )
        .fetchone()[0]
    )
    assert stored == "[bold]已完成[/bold]局法司，[red]报送"
    assert cli("audit", "verify").code == 0  # the import's rows extend the audit chain
