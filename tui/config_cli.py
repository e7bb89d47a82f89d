"""`duban setup` (write the office's identity into settings.toml) and `duban settings` (show
every setting in effect and where it came from).

setup: flags for scripts (`duban setup --office … --mark … --code 督办=东依法治办督 …`);
with no flags on a terminal, a Textual form (tui/config_form.py) prefilled with what is in
effect. Either way the file is merged (thresholds and other keys the office set stay),
written owner-only through a temporary file, and loaded back before the command returns.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from tui.config import (
    IDENTITY,
    KINDS,
    LABELS,
    Settings,
    config_path,
    load_settings,
    read_raw,
    suggest_identity,
    write_settings,
)
from tui.errors import DubanError

FLAG_KEYS = {
    "region": "region",
    "office": "office",
    "mark": "issuer_mark",
    "short": "office_short",
    "contact": "contact",
    "phone": "phone",
    "cc": "cc",
    "printer": "printer",
}


def add_parsers(sub, parser_class, add_db) -> None:
    """Register `setup` and `settings` on the main parser's sub-parsers."""
    p = sub.add_parser(
        "setup",
        help="设置本办公室的名称、红头、发文字号代字、联系人、抄送、签发人、打印机",
        description="不带参数在终端中运行时打开填写表单；带参数时直接写入设置文件。",
    )
    p.add_argument(
        "--region", metavar="地区", help="所属地区，如 达拉特旗（未写的名称、代字、抄送按地区推定）"
    )
    p.add_argument(
        "--office",
        metavar="全称",
        help="发文机关全称（署名），如 中共达拉特旗委全面依法治旗委员会办公室",
    )
    p.add_argument("--mark", metavar="红头", help="发文机关标志（红头），通常同全称")
    p.add_argument("--short", metavar="简称", help="发文机关简称（正文中用），如 旗委依法治旗办")
    p.add_argument(
        "--code",
        action="append",
        default=[],
        metavar="种类=代字",
        help="发文字号代字，如 督办=达依法治办督（可重复：提示、提醒、督办）",
    )
    p.add_argument("--contact", metavar="姓名", help="联系人")
    p.add_argument("--phone", metavar="电话", help="联系电话")
    p.add_argument("--cc", metavar="单位", help="督办函抄送单位，如 旗委、旗政府分管领导")
    p.add_argument(
        "--signer",
        action="append",
        default=[],
        metavar="姓名",
        help="签发人姓名（可重复；写“-”清空名单）",
    )
    p.add_argument("--printer", metavar="队列", help="打印机队列名（系统打印服务中的名称）")
    p.add_argument(
        "--config",
        metavar="文件",
        help="设置文件路径（默认为环境变量所指的文件，否则用户配置目录中的 settings.toml）",
    )
    add_db(p)

    p = sub.add_parser("settings", help="显示正在使用的设置及其来源")
    p.add_argument(
        "--format",
        choices=["table", "json"],
        default="table",
        help="输出格式：table 表格（默认），json 供程序读取",
    )
    p.add_argument(
        "--config",
        metavar="文件",
        help="设置文件路径（默认为环境变量所指的文件，否则用户配置目录中的 settings.toml）",
    )
    add_db(p)


def _target(args) -> Path:
    return Path(args.config).expanduser() if getattr(args, "config", None) else config_path()


def _store_region(args) -> str:
    """The region of the store's plans (the most common one), for suggestions; "" when
    there is no store. Reads only: a missing store is not created."""
    try:
        from tui.store.board import connect
    except ImportError:  # pragma: no cover
        return ""
    try:
        conn = connect(getattr(args, "db", None))
    except DubanError:
        return ""
    try:
        row = conn.execute(
            "SELECT region, COUNT(*) AS n FROM plan WHERE region <> '' "
            "GROUP BY region ORDER BY n DESC LIMIT 1"
        ).fetchone()
        return row[0] if row else ""
    except Exception:  # noqa: BLE001 - an empty or foreign database: no suggestion
        return ""
    finally:
        conn.close()


# ----------------------------------------------------------------------------- setup


def _from_flags(args) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for flag, key in FLAG_KEYS.items():
        v = getattr(args, flag, None)
        if v is not None:
            values[key] = v.strip()
    codes: dict[str, str] = {}
    for item in args.code:
        kind, sep, code = item.partition("=")
        kind = kind.strip().removesuffix("函")
        if not sep or kind not in KINDS or not code.strip():
            raise DubanError(f"--code 应写成 种类=代字（种类为 提示、提醒、督办），现为：{item}")
        codes[kind] = code.strip()
    if codes:
        values["letter_prefix"] = codes
    if args.signer:
        names = [n.strip() for x in args.signer for n in x.replace("，", ",").split(",")]
        values["signers"] = [] if names == ["-"] else [n for n in names if n and n != "-"]
    return values


def merge(raw: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The file's values with these laid over (codes merge per kind)."""
    out = dict(raw)
    for key, value in values.items():
        if key == "letter_prefix":
            out["letter_prefix"] = {**(raw.get("letter_prefix") or {}), **value}
        else:
            out[key] = value
    return {k: v for k, v in out.items() if v not in ("", [], {}) or k in ("signers",)}


def run_setup(args) -> int:
    path = _target(args)
    raw = read_raw(path)
    values = _from_flags(args)
    if not values:
        if not (sys.stdin.isatty() and sys.stdout.isatty()):
            raise DubanError(
                "没有给出要设置的内容：在终端中直接运行 duban setup 打开表单，"
                "或用 --office、--mark、--code 等参数（见 duban setup -h）"
            )
        from tui.config_form import run_form

        current = load_settings(path, missing_ok=True)
        values = run_form(current, _store_region(args), path)
        if values is None:
            print("未保存，设置文件没有改动")
            return 0
    region = values.get("region", raw.get("region", "")) or _store_region(args)
    hint = suggest_identity(region)
    if not (values.get("office") or raw.get("office")) and not hint:
        raise DubanError(
            "请写明发文机关全称（--office），或所属地区（--region，如 达拉特旗）以便推定"
        )
    settings = write_settings(path, merge(raw, values))
    _print_settings(settings.for_region(region), path, "table")
    print(f"已写入设置文件：{path}")
    return 0


# ----------------------------------------------------------------------------- settings


def rows(settings: Settings) -> list[tuple[str, str, str, str]]:
    """(key, label, value, source) for every setting in effect."""
    from dataclasses import fields

    out = []
    src = settings.sources
    for f in fields(Settings):
        key = f.name
        if key == "sources":
            continue
        value = getattr(settings, key)
        if key == "letter_prefix":
            for kind in KINDS:
                code = value.get(kind, "")
                out.append(
                    (
                        f"letter_prefix.{kind}",
                        f"{kind}函代字",
                        code,
                        src.get(f"letter_prefix.{kind}", "默认值"),
                    )
                )
            continue
        if isinstance(value, tuple):
            shown = "、".join(value)
        else:
            shown = str(value)
        source = src.get(key)
        if source is None:
            source = "默认值" if shown else "未设置"
            if key in IDENTITY and not shown:
                source = "未设置（也没有地区可推定，签发前须运行 duban setup）"
        out.append((key, LABELS.get(key, key), shown, source))
    if not src.get("operator") and os.environ.get("DUBAN_USER"):
        out = [
            (k, lab, os.environ["DUBAN_USER"], "环境变量 DUBAN_USER")
            if k == "operator"
            else (k, lab, v, s)
            for k, lab, v, s in out
        ]
    return out


def _print_settings(settings: Settings, path: Path, fmt: str) -> None:
    table = rows(settings)
    if fmt == "json":
        sys.stdout.write(
            json.dumps(
                {
                    "file": str(path),
                    "file_exists": path.exists(),
                    "settings": [
                        {"key": k, "label": lab, "value": v, "source": s} for k, lab, v, s in table
                    ],
                },
                ensure_ascii=False,
                indent=2,
            )
            + "\n"
        )
        return
    width = max(len(k) for k, *_ in table)
    lines = [f"{k.ljust(width)}  {lab}：{v if v else '（空）'}　〔{s}〕" for k, lab, v, s in table]
    sys.stdout.write("\n".join(lines) + "\n")


def run_settings(args) -> int:
    path = _target(args)
    if getattr(args, "config", None) and not path.exists():
        raise DubanError(f"设置文件不存在：{path}")
    settings = load_settings(path if getattr(args, "config", None) else None)
    region = settings.region or _store_region(args)
    _print_settings(settings.for_region(region), path, args.format)
    if args.format == "table":
        state = "" if path.exists() else "（不存在，使用默认值；可用 duban setup 生成）"
        print(f"设置文件：{path}{state}")
    return 0


def dispatch(args: argparse.Namespace) -> int:
    return run_setup(args) if args.command == "setup" else run_settings(args)
