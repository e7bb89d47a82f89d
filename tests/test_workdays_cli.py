"""`duban workdays`: China's calendar, visible fallback, and the office's holiday file."""

from __future__ import annotations


def test_make_up_workday_and_national_day(cli):
    r = cli("workdays", "2024-09-27", "5", use_db=False)
    assert r.code == 0
    assert "2024-10-10" in r.out
    assert "注意" not in r.out


def test_2027_without_file_falls_back_visibly(cli, tmp_path, monkeypatch):
    empty = tmp_path / "holidays"
    empty.mkdir()
    (tmp_path / "settings.toml").write_text(f'holidays_dir = "{empty}"\n', encoding="utf-8")
    monkeypatch.setenv("DUBAN_CONFIG", str(tmp_path / "settings.toml"))
    r = cli("workdays", "2026-12-25", "5", use_db=False)
    assert "2027-01-01" in r.out
    assert "2027年节假日安排未知" in r.out and "周一至周五" in r.out


def test_2027_with_office_file(cli, tmp_path, monkeypatch):
    folder = tmp_path / "holidays"
    folder.mkdir()
    (folder / "2027.toml").write_text(
        'year = 2027\nholidays = ["2027-01-01"]\nworkdays = []\n', encoding="utf-8"
    )
    (tmp_path / "settings.toml").write_text(f'holidays_dir = "{folder}"\n', encoding="utf-8")
    monkeypatch.setenv("DUBAN_CONFIG", str(tmp_path / "settings.toml"))
    r = cli("workdays", "2026-12-25", "5", use_db=False)
    assert "2027-01-04" in r.out
    assert "注意" not in r.out


def test_bad_settings_file(cli, tmp_path, monkeypatch):
    (tmp_path / "settings.toml").write_text('soon_days = "十五"\n', encoding="utf-8")
    monkeypatch.setenv("DUBAN_CONFIG", str(tmp_path / "settings.toml"))
    r = cli("workdays", "2026-12-25", "5", use_db=False)
    assert r.code == 2 and "soon_days" in r.err
