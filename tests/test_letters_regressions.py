"""Defects found by reading the letters as an office would (issues 10 and 11), each checked
through the command line only, so the same tests ran against the code before the fix
(where each of them failed) and after it."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import tomllib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import SEED001, SEED002

ROOT = Path(__file__).resolve().parent.parent


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(path: str) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", path, "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def settings_file(tmp_path, monkeypatch) -> Path:
    cfg = tmp_path / "settings.toml"
    cfg.write_text('contact = "李某"\nphone = "0483-1234567"\n', encoding="utf-8")
    monkeypatch.setenv("DUBAN_CONFIG", str(cfg))
    return cfg


def _draft(cli, kind: str, as_of: str) -> dict:
    res = cli("letters", "draft", "--kind", kind, "--as-of", as_of, "--format", "json")
    assert res.code == 0, res.err
    return res.json()


def _sign_render(cli, ids, on: str, out: Path) -> list[str]:
    res = cli("letters", "sign", *map(str, ids), "--by", "张主任", "--date", on, "--yes")
    if res.code == 2 and "unrecognized arguments: --yes" in res.err:  # the code before the fix
        res = cli("letters", "sign", *map(str, ids), "--by", "张主任", "--date", on)
    assert res.code == 0, res.err
    assert cli("letters", "render", *map(str, ids), "--out", str(out)).code == 0
    return sorted(str(p) for p in out.glob("*.pdf"))


def test_list_accepts_the_short_batch_id_draft_prints(cli, settings_file):
    """Issue 10: `letters draft` prints the batch's first 8 characters; `letters list
    --batch` took only the full id and listed nothing."""
    assert cli("import", str(SEED002)).code == 0
    drafted = _draft(cli, "提醒", "2025-01-15")
    short = drafted["batch"][:8]
    res = cli("letters", "list", "--batch", short, "--format", "json")
    assert res.code == 0, res.err
    assert sorted(r["id"] for r in res.json()) == sorted(drafted["ids"])


def test_missing_duban_config_is_an_error_not_the_defaults(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("DUBAN_CONFIG", str(tmp_path / "typo-settings.toml"))
    res = cli("letters", "list")
    assert res.code == 2
    lines = [x for x in res.err.splitlines() if x.strip()]
    assert len(lines) == 1 and "typo-settings.toml" in lines[0] and "不存在" in lines[0]


def test_supervision_letter_without_earlier_letters_claims_none(cli, db, tmp_path, settings_file):
    """The 督办函 said "此前已就上述事项发出提示函、提醒函…也未按要求书面说明情况" on a store
    with no earlier letter at all."""
    assert cli("import", str(SEED002)).code == 0
    con = sqlite3.connect(db)
    con.execute("UPDATE unit SET head = '某某主任'")
    con.commit()
    con.close()
    drafted = _draft(cli, "督办", "2025-02-10")  # 41 days overdue: 督办函 straight away
    pdfs = _sign_render(cli, drafted["ids"][:3], "2025-02-10", tmp_path / "out")
    assert len(pdfs) == 3
    for pdf in pdfs:
        text = flat(pdf_text(pdf))
        assert "督办函" in text
        for claim in ("此前已就", "发出提示函", "提醒函，但", "未按要求书面说明", "未见书面回复"):
            assert claim not in text, (pdf, claim)


def test_attachment_one_row_per_task_and_whole_task_text(cli, db, tmp_path, settings_file):
    """The same task was listed twice for a unit that leads and is responsible for it, and
    the task was printed as its cut-down title."""
    assert cli("import", str(SEED002)).code == 0
    con = sqlite3.connect(db)
    unit, task = con.execute(
        "SELECT a.unit_id, a.task_id FROM assignment a JOIN unit u ON u.id = a.unit_id "
        "WHERE a.role = 'lead' AND u.name = '旗司法局' ORDER BY a.task_id LIMIT 1"
    ).fetchone()
    con.execute(
        "INSERT INTO assignment (task_id, unit_id, role, active, created_at) "
        "VALUES (?, ?, 'responsible', 1, ?)",
        (task, unit, datetime.now(UTC).isoformat()),
    )
    number, full = con.execute("SELECT number, text FROM task WHERE id = ?", (task,)).fetchone()
    con.commit()
    con.close()
    drafted = _draft(cli, "提醒", "2025-01-15")
    res = cli("letters", "list", "--unit", "旗司法局", "--format", "json")
    (letter,) = [r for r in res.json() if r["id"] in drafted["ids"]]
    pdfs = _sign_render(cli, [letter["id"]], "2025-01-15", tmp_path / "out")
    text = pdf_text(pdfs[0])
    assert flat(text).count(number) == 1, "one row for the task"
    assert "…" not in text
    # the whole task text is printed (the table wraps it over lines, in order)
    assert flat(full)[:60] in flat(text) or all(
        piece in flat(text) for piece in re.split(r"[，。；]", flat(full)) if len(piece) > 3
    )


def test_title_year_is_the_plan_period_not_a_due_date_year(cli, tmp_path, settings_file):
    """A 2020–2025 plan got "2022年度" in the title, the year of its earliest deadline."""
    assert cli("import", str(SEED001)).code == 0
    drafted = _draft(cli, "督办", "2024-03-15")
    assert drafted["ids"]
    res = cli("letters", "show", str(drafted["ids"][0]))
    assert res.code == 0, res.err
    title = next(line for line in res.out.splitlines() if line.endswith("督办函"))
    assert "2020—2025年" in title, title


def test_a_qi_office_is_not_named_after_a_district(cli, db, tmp_path, monkeypatch):
    """With no settings file, an office of 阿拉善左旗 signed as 全面依法治区委员会办公室."""
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    monkeypatch.setenv("DUBAN_CONFIG", str(empty))
    assert cli("import", str(SEED002)).code == 0
    drafted = _draft(cli, "提醒", "2025-01-15")
    pdfs = _sign_render(cli, drafted["ids"][:1], "2025-01-15", tmp_path / "out")
    text = flat(pdf_text(pdfs[0]))
    assert "依法治区" not in text and "依法治旗" in text


def test_readme_settings_example_is_valid_toml():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## 设置", 1)[1]
    block = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
    data = tomllib.loads(block)
    assert data["office"] and data["letter_prefix"]["督办"]
    json.dumps(data, ensure_ascii=False)
