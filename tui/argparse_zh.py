"""argparse speaking Chinese: usage line, section titles, -h, and every parse error.

argparse's own texts are English and only reachable through gettext catalogues we do not
ship, so the titles are set here and the error messages (a closed set of templates, listed
below) are translated in `error()`, which raises a one-line DubanError (exit code 2).
"""

from __future__ import annotations

import argparse
import re
import unicodedata
from collections.abc import Callable

from tui.errors import DubanError


class ChineseHelpFormatter(argparse.HelpFormatter):
    """`用法：`, headings ending in `：`, and columns measured in display cells (汉字 = 2)."""

    def __init__(
        self,
        prog: str,
        indent_increment: int = 2,
        max_help_position: int = 30,
        width: int | None = None,
    ) -> None:
        super().__init__(prog, indent_increment, max_help_position, width)

    def add_usage(self, usage, actions, groups, prefix=None) -> None:  # type: ignore[override]
        super().add_usage(usage, actions, groups, "用法：" if prefix is None else prefix)

    def _format_usage(self, usage, actions, groups, prefix) -> str:  # type: ignore[override]
        """Continuation lines line up under the first argument (the prefix is wide)."""
        text = super()._format_usage(usage, actions, groups, prefix)
        extra = cells(prefix or "") - len(prefix or "")
        first, *rest = text.split("\n")
        return "\n".join([first, *((" " * extra + ln) if ln.strip() else ln for ln in rest)])

    def format_help(self) -> str:
        text = super().format_help()
        return re.sub(r"^(\S[^\n]*):$", r"\1：", text, flags=re.M)

    def add_argument(self, action) -> None:  # type: ignore[override]
        if action.help is not argparse.SUPPRESS:
            invocations = [self._format_action_invocation(action)]
            invocations += [
                self._format_action_invocation(a) for a in self._iter_indented_subactions(action)
            ]
            length = max(map(cells, invocations)) + self._current_indent
            self._action_max_length = max(self._action_max_length, length)
            self._add_item(self._format_action, [action])

    def _format_action(self, action) -> str:  # type: ignore[override]
        help_position = min(self._action_max_length + 2, self._max_help_position)
        help_width = max(self._width - help_position, 11)
        action_width = help_position - self._current_indent - 2
        header = self._format_action_invocation(action)
        indent_first = 0
        if not action.help:
            header = " " * self._current_indent + header + "\n"
        elif cells(header) <= action_width:
            header = " " * self._current_indent + header + " " * (action_width - cells(header) + 2)
        else:
            header = " " * self._current_indent + header + "\n"
            indent_first = help_position
        parts = [header]
        if action.help and action.help.strip():
            help_text = self._expand_help(action)
            if help_text:
                lines = self._split_lines(help_text, help_width)
                parts.append(" " * indent_first + lines[0] + "\n")
                parts += [" " * help_position + line + "\n" for line in lines[1:]]
        elif not header.endswith("\n"):
            parts.append("\n")
        for sub in self._iter_indented_subactions(action):
            parts.append(self._format_action(sub))
        return self._join_parts(parts)

    def _split_lines(self, text: str, width: int) -> list[str]:  # type: ignore[override]
        """Wrap by display cells; Chinese may break between any two characters."""
        text = " ".join(text.split())
        lines: list[str] = []
        line, used = "", 0
        for token in re.findall(r"[A-Za-z0-9_./:=\-\[\]{}|<>%*+]+ ?|.", text):
            w = cells(token)
            if used + w > width and line.strip() and token not in _NO_LINE_START:
                lines.append(line.rstrip())
                line, used = "", 0
                token = token.lstrip()
                w = cells(token)
            line += token
            used += w
        if line.strip():
            lines.append(line.rstrip())
        return lines or [""]


_NO_LINE_START = set("，。、；：？！）》」』”’")


def cells(text: str) -> int:
    """Display width: East Asian wide and full-width characters take two cells."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


class ChineseArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose help and errors are Chinese; errors are one line, exit code 2."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", ChineseHelpFormatter)
        add_help = kwargs.pop("add_help", True)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "位置参数"
        self._optionals.title = "选项"
        if add_help:
            self.add_argument(
                "-h", "--help", action="help", default=argparse.SUPPRESS, help="显示帮助并退出"
            )

    def add_subparsers(self, **kwargs):  # type: ignore[override]
        kwargs.setdefault("title", "子命令")
        kwargs.setdefault("metavar", "子命令")
        kwargs.setdefault("parser_class", type(self))
        kwargs.setdefault("help", f"可用的子命令如下（{self.prog} 子命令 -h 查看各自的用法）")
        return super().add_subparsers(**kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        raise DubanError(f"命令参数有误：{translate(message)}（用 {self.prog} -h 查看用法）")


def _values(text: str) -> str:
    """`'a', 'b'` or `--x, --y` as `a、b` / `--x、--y`."""
    quoted = re.findall(r"'((?:[^'\\]|\\.)*)'", text)
    items = quoted if quoted else [t.strip() for t in text.split(",")]
    return "、".join(i for i in items if i)


def _value(text: str) -> str:
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    return f"“{text}”"


_TYPE_CN = {"int": "整数", "float": "数字"}

# Patterns as text, compiled by `re` on the first error (its cache keeps them): compiling
# them at import cost every command a few milliseconds, errors being rare.
_TEMPLATES: list[tuple[str, Callable[[re.Match[str]], str]]] = [
    (
        r"the following arguments are required: (.+)",
        lambda m: f"缺少必需的参数：{_values(m[1])}",
    ),
    (r"unrecognized arguments: (.+)", lambda m: f"无法识别的参数：{m[1]}"),
    (
        r"invalid choice: (.+?) \(choose from (.+)\)",
        lambda m: f"无效的取值{_value(m[1])}（可选：{_values(m[2])}）",
    ),
    (
        r"invalid (\w+) value: (.+)",
        lambda m: f"{_value(m[2])} 不是有效的{_TYPE_CN.get(m[1], '取值')}",
    ),
    (r"expected one argument", lambda m: "需要一个值"),
    (r"expected at most one argument", lambda m: "最多只能给一个值"),
    (r"expected at least one argument", lambda m: "至少需要一个值"),
    (r"expected (\d+) arguments?", lambda m: f"需要 {m[1]} 个值"),
    (
        r"ambiguous option: (\S+) could match (.+)",
        lambda m: f"选项 {m[1]} 有歧义，可能是：{_values(m[2])}",
    ),
    (r"not allowed with argument (.+)", lambda m: f"不能与参数 {m[1]} 同时使用"),
    (
        r"one of the arguments (.+) is required",
        lambda m: f"必须给出以下参数之一：{_values(m[1].replace(' ', ','))}",
    ),
    (r"ignored explicit argument (.+)", lambda m: f"这个选项不接受值：{_value(m[1])}"),
]


def translate(message: str) -> str:
    """argparse's English error text in Chinese; text already in Chinese passes through."""
    m = re.fullmatch(r"argument (.+?): (.+)", message, flags=re.S)
    if m:
        return f"参数 {m[1]}：{translate(m[2])}"
    for pattern, render in _TEMPLATES:
        m = re.fullmatch(pattern, message)
        if m:
            return render(m)
    return message
