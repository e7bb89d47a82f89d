"""The office's identity: `duban setup` (flags and the form) writes a valid settings file,
`duban settings` shows every value with its source, a region suggests the rest."""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.conftest import SEED002
from tui.config import Settings, load_settings, suggest_identity
from tui.config_form import SetupForm
from tui.errors import DubanError
from tui.paths import data_dir

ROOT = Path(__file__).resolve().parent.parent


def test_setup_flags_write_a_file_settings_shows_back_with_sources(cli, tmp_path, monkeypatch):
    cfg = tmp_path / "conf" / "settings.toml"
    monkeypatch.setenv("DUBAN_CONFIG", str(cfg))  # not there yet: setup creates it
    res = cli(
        "setup",
        "--office",
        "中共达拉特旗委全面依法治旗委员会办公室",
        "--mark",
        "中共达拉特旗委全面依法治旗委员会办公室",
        "--short",
        "旗委依法治旗办",
        "--code",
        "提示=达依法治办提",
        "--code",
        "督办函=达依法治办督",
        "--contact",
        "李某",
        "--phone",
        "0477-5212345",
        "--cc",
        "旗委、旗政府分管领导",
        "--signer",
        "王主任,李副主任",
        "--printer",
        "办公室打印机",
        "--region",
        "达拉特旗",
        use_db=False,
    )
    assert res.code == 0, res.err
    assert cfg.exists() and cfg.stat().st_mode & 0o777 == 0o600
    data = tomllib.loads(cfg.read_text(encoding="utf-8"))
    assert data["office"] == "中共达拉特旗委全面依法治旗委员会办公室"
    assert data["letter_prefix"] == {"提示": "达依法治办提", "督办": "达依法治办督"}
    assert data["signers"] == ["王主任", "李副主任"]
    res = cli("settings", "--format", "json", use_db=False)
    assert res.code == 0, res.err
    shown = {r["key"]: r for r in res.json()["settings"]}
    source = f"设置文件 {cfg}"
    for key, value in (
        ("office", "中共达拉特旗委全面依法治旗委员会办公室"),
        ("office_short", "旗委依法治旗办"),
        ("letter_prefix.督办", "达依法治办督"),
        ("contact", "李某"),
        ("signers", "王主任、李副主任"),
        ("printer", "办公室打印机"),
    ):
        assert shown[key]["value"] == value and shown[key]["source"] == source, key
    # the code left out is suggested from the region, and says so
    assert shown["letter_prefix.提醒"]["value"] == "达依法治办醒"
    assert "按地区“达拉特旗”推定" in shown["letter_prefix.提醒"]["source"]
    assert shown["soon_days"] == {
        "key": "soon_days", "label": "临期天数", "value": "15", "source": "默认值"
    }  # fmt: skip
    # a second setup merges: thresholds and other keys stay
    cfg.write_text("soon_days = 10\n" + cfg.read_text(encoding="utf-8"), encoding="utf-8")
    assert cli("setup", "--phone", "0477-1111111", use_db=False).code == 0
    again = load_settings()
    assert again.phone == "0477-1111111" and again.soon_days == 10 and again.contact == "李某"
    table = cli("settings", use_db=False)
    assert table.code == 0 and "0477-1111111" in table.out and str(cfg) in table.out


def test_setup_refuses_nonsense_and_writes_nothing(cli, tmp_path, monkeypatch):
    cfg = tmp_path / "settings.toml"
    monkeypatch.setenv("DUBAN_CONFIG", str(cfg))
    for args, msg in (
        (("setup", "--code", "通报=x"), "--code"),
        (("setup",), "没有给出要设置的内容"),  # no flags and no terminal: no form
        (("setup", "--contact", "李某"), "发文机关全称"),  # no office and no region
    ):
        res = cli(*args, use_db=False)
        assert res.code == 2 and msg in res.err, (args, res.err)
        assert len([x for x in res.err.splitlines() if x.strip()]) == 1
    assert not cfg.exists()


def test_readme_example_is_the_shipped_file_and_loads(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## 设置", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
    example = (data_dir() / "settings.example.toml").read_text(encoding="utf-8")
    assert block == example
    copied = tmp_path / "settings.toml"
    copied.write_text(block, encoding="utf-8")
    settings = load_settings(copied)
    assert settings.office.endswith("全面依法治区委员会办公室")
    assert settings.letter_prefix["督办"] == "东依法治办督" and settings.signers
    assert settings.sources["office"] == f"设置文件 {copied}"


def test_region_suggests_the_identity():
    qi = suggest_identity("达拉特旗")
    assert qi["office"] == "中共达拉特旗委全面依法治旗委员会办公室"
    assert qi["office_short"] == "旗委依法治旗办" and qi["cc"] == "旗委、旗政府分管领导"
    assert qi["letter_prefix"]["督办"] == "达依法治办督"
    assert "依法治区" not in json.dumps(qi, ensure_ascii=False)
    assert suggest_identity("东胜区")["office"] == "中共东胜区委全面依法治区委员会办公室"
    assert suggest_identity("鄂尔多斯市")["office_short"] == "市委依法治市办"
    assert suggest_identity("某某县")["office"].endswith("全面依法治县委员会办公室")
    assert suggest_identity("") == {} and suggest_identity("某某") == {}
    # the file wins over the suggestion; without either a letter cannot be signed
    mine = Settings(office="我的办公室", issuer_mark="我的红头").for_region("达拉特旗")
    assert mine.office == "我的办公室" and mine.office_short == "旗委依法治旗办"
    with pytest.raises(DubanError, match="duban setup"):
        Settings().for_region("").require_identity()


def test_supervision_letter_gets_contact_and_cc_by_default(cli, db, tmp_path, monkeypatch):
    cfg = tmp_path / "settings.toml"
    cfg.write_text('contact = "李某"\nphone = "0483-1234567"\n', encoding="utf-8")
    monkeypatch.setenv("DUBAN_CONFIG", str(cfg))
    assert cli("import", str(SEED002)).code == 0
    import sqlite3

    con = sqlite3.connect(db)
    con.execute("UPDATE unit SET head = '某某主任'")
    con.commit()
    con.close()
    res = cli("letters", "draft", "--kind", "督办", "--as-of", "2025-02-10", "--format", "json")
    first = str(res.json()["ids"][0])
    assert cli("letters", "sign", first, "--by", "张主任", "--date", "2025-02-10").code == 0
    assert cli("letters", "render", first, "--out", str(tmp_path / "out")).code == 0
    (pdf,) = (tmp_path / "out").glob("*.pdf")
    text = re.sub(
        r"\s+",
        "",
        subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout,
    )
    assert "联系人：李某联系电话：0483-1234567" in text
    assert "抄送：旗委、旗政府分管领导。" in text
    assert "中共阿拉善左旗委全面依法治旗委员会办公室" in text


def test_signers_list_is_enforced(cli, tmp_path, monkeypatch):
    cfg = tmp_path / "settings.toml"
    cfg.write_text('signers = ["王主任"]\n', encoding="utf-8")
    monkeypatch.setenv("DUBAN_CONFIG", str(cfg))
    assert cli("import", str(SEED002)).code == 0
    res = cli("letters", "draft", "--kind", "提醒", "--as-of", "2025-01-15", "--format", "json")
    first = str(res.json()["ids"][0])
    res = cli("letters", "sign", first, "--by", "张三", "--date", "2025-01-15")
    assert res.code == 2 and "不在设置的签发人名单中" in res.err
    assert cli("letters", "sign", first, "--by", "王主任", "--date", "2025-01-15").code == 0


async def test_setup_form_fills_from_the_region_and_saves(tmp_path):
    app = SetupForm(Settings(contact="李某"), "", tmp_path / "settings.toml")
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        await pilot.click("#f-region")
        await pilot.press(*"达拉特旗")
        await pilot.pause()
        assert app.query_one("#f-office").value == "中共达拉特旗委全面依法治旗委员会办公室"
        assert app.query_one("#f-code-2").value == "达依法治办督"
        assert app.query_one("#f-contact").value == "李某"
        box = app.query_one("#f-office_short")
        box.value = "达旗依法治旗办"  # the office's own short name
        await pilot.press("ctrl+s")
        await pilot.pause()
    values = app.return_value
    assert values["region"] == "达拉特旗" and values["office_short"] == "达旗依法治旗办"
    assert values["letter_prefix"]["提醒"] == "达依法治办醒"


async def test_setup_form_escape_saves_nothing(tmp_path):
    app = SetupForm(Settings(), "东胜区", tmp_path / "settings.toml")
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        assert app.query_one("#f-office").value == "中共东胜区委全面依法治区委员会办公室"
        await pilot.press("escape")
        await pilot.pause()
    assert app.return_value is None


def test_settings_reads_only(cli, tmp_path, monkeypatch):
    cfg = tmp_path / "settings.toml"
    cfg.write_text('region = "杭锦旗"\n', encoding="utf-8")
    monkeypatch.setenv("DUBAN_CONFIG", str(cfg))
    before = sorted(p.name for p in tmp_path.iterdir())
    res = cli("settings")
    assert res.code == 0 and "中共杭锦旗委全面依法治旗委员会办公室" in res.out
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no store created


@pytest.mark.parametrize(
    "line", ["reply_workdays = 100000000", "reply_workdays = 0", "soon_days = 99999999"]
)
def test_numbers_out_of_range_are_refused_before_any_date_is_computed(
    cli, tmp_path, monkeypatch, line
):
    # a huge reply window carried the reply deadline past year 9999: an internal error at sign
    cfg = tmp_path / "s.toml"
    cfg.write_text(line + "\n", encoding="utf-8")
    assert cli("import", str(SEED002)).code == 0
    monkeypatch.setenv("DUBAN_CONFIG", str(cfg))
    res = cli("letters", "draft", "--kind", "提醒", "--as-of", "2025-01-15")
    assert res.code == 2
    key = line.split(" =")[0]
    assert f"{key} 应为" in res.err and "之间的整数" in res.err
    assert "内部错误" not in res.err
