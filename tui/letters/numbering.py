"""发文字号: issuer code + year in 〔〕 + sequence + 号 (GB/T 9704: no 第, no leading zeros).

Pure: the sequence itself is taken from the locked counter row in `tui.store.letters`.
"""

from __future__ import annotations

import re

from tui.errors import DubanError

_NUMBER = re.compile(r"^(?P<prefix>.+?)〔(?P<year>\d{4})〕(?P<seq>[1-9]\d*)号$")


def format_number(prefix: str, year: int, seq: int) -> str:
    """`东依法治办督〔2024〕7号`."""
    prefix = prefix.strip()
    if not prefix:
        raise DubanError("发文字号前缀为空，请在设置的 letter_prefix 中填写")
    if seq < 1:
        raise DubanError(f"发文序号必须从 1 开始，现为 {seq}")
    if not 1000 <= year <= 9999:
        raise DubanError(f"发文年份不对：{year}")
    return f"{prefix}〔{year}〕{seq}号"


def parse_number(number: str) -> tuple[str, int, int]:
    """(prefix, year, seq) of a 发文字号; raises DubanError when it is not one."""
    m = _NUMBER.match(number.strip())
    if not m:
        raise DubanError(f"不是有效的发文字号：{number}（应如 东依法治办督〔2024〕7号）")
    return m.group("prefix"), int(m.group("year")), int(m.group("seq"))


def prefix_for(kind: str, prefixes: dict[str, str]) -> str:
    """The issuer code for a letter kind, from the office settings."""
    prefix = (prefixes.get(kind) or "").strip()
    if not prefix:
        raise DubanError(f"设置中没有{kind}函的发文字号前缀（letter_prefix.{kind}）")
    return prefix
