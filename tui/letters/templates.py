"""Letter wording from plain-text templates an office can edit without code.

Why our own renderer: `str.format` and Jinja can reach attributes (`{x.__class__}`),
index, call format specs or include files. A template here can only name a value;
anything else is refused with a message in Chinese, so an edited template can never
run code or read files.

Template file format (documented again at the top of each file and in
data/templates/README.md):

- lines starting with `#` are comments;
- `标题：…`, `主送：…`, `结束语：…`, `联系：…`, `抄送：…` set those parts (one line each);
- every other line is body text; a blank line starts a new paragraph, and lines of
  one paragraph are joined without a space (so an office may wrap long lines);
- `{名称}` inserts a value; `{{` and `}}` print literal braces.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from tui.errors import DubanError
from tui.paths import data_dir

PLACEHOLDERS: tuple[str, ...] = (
    "单位",
    "负责人",
    "事项数",
    "最早期限",
    "回复期限",
    "回复工作日",
    "联系人",
    "联系电话",
    "发文机关",
    "日期",
    "年度",
    "抄送",
)

# Values used when the caller leaves a known placeholder out, so an office that adds
# an optional placeholder to its template does not block a batch of letters.
DEFAULTS: Mapping[str, str] = {"负责人": "主要负责同志", "抄送": ""}

KIND_ALIASES: Mapping[str, str] = {
    "提示": "提示",
    "提示函": "提示",
    "reminder": "提示",
    "提醒": "提醒",
    "提醒函": "提醒",
    "催办": "提醒",
    "warning": "提醒",
    "督办": "督办",
    "督办函": "督办",
    "supervision": "督办",
}

KEYS: Mapping[str, str] = {
    "标题": "title",
    "主送": "addressee",
    "结束语": "closing",
    "联系": "contact",
    "抄送": "cc",
}

MAX_TEMPLATE_CHARS = 20_000
_NAME = re.compile(r"^[^\W\d]\w*$")
_KEY_LINE = re.compile(r"^\s*(标题|主送|结束语|联系|抄送)\s*[：:]\s*(.*)$")


@dataclass(frozen=True)
class LetterText:
    """The rendered wording of one letter."""

    title: str
    addressee: str
    body_paragraphs: tuple[str, ...]
    closing: str
    contact: str
    cc: str


def _placeholders(text: str, name: str) -> list[tuple[str, str | None]]:
    """Split a template into (literal, placeholder-or-None) pieces, refusing anything
    but plain names."""
    pieces: list[tuple[str, str | None]] = []
    buf: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "{":
            if i + 1 < n and text[i + 1] == "{":
                buf.append("{")
                i += 2
                continue
            end = text.find("}", i + 1)
            if end < 0:
                raise DubanError(f"模板 {name} 中有未闭合的花括号“{{”（第 {i + 1} 个字符附近）")
            inner = text[i + 1 : end]
            if "{" in inner:
                raise DubanError(f"模板 {name} 中有未闭合的花括号“{{”（第 {i + 1} 个字符附近）")
            key = inner.strip()
            if not _NAME.match(key):
                raise DubanError(
                    f"模板 {name} 中的占位符 {{{inner}}} 写法不支持：只能写 {{名称}}，"
                    "不能带“.”“[]”“:”“!”等符号"
                )
            pieces.append(("".join(buf), key))
            buf = []
            i = end + 1
            continue
        if ch == "}":
            if i + 1 < n and text[i + 1] == "}":
                buf.append("}")
                i += 2
                continue
            raise DubanError(
                f"模板 {name} 中有多余的“}}”（第 {i + 1} 个字符附近），如需原样输出请写“}}}}”"
            )
        buf.append(ch)
        i += 1
    pieces.append(("".join(buf), None))
    return pieces


def render_template(text: str, values: Mapping[str, str], name: str = "文本") -> str:
    """Replace `{名称}` with values[名称]; nothing else is interpreted."""
    out: list[str] = []
    for literal, key in _placeholders(text, name):
        out.append(literal)
        if key is None:
            continue
        if key not in values:
            available = "、".join(f"{{{k}}}" for k in values) or "（无）"
            raise DubanError(f"模板 {name} 中有未知占位符 {{{key}}}，可用的有：{available}")
        out.append(str(values[key]))
    return "".join(out)


def normalize_kind(kind: str) -> str:
    """提示/提醒/督办 from any of the names the app uses for a letter kind."""
    try:
        return KIND_ALIASES[kind.strip()]
    except KeyError:
        raise DubanError(f"未知的函件种类“{kind}”，可选：提示、提醒、督办") from None


def template_path(kind: str, template_dir: Path | None = None) -> Path:
    """The template file for a kind; an office directory overrides the shipped one."""
    k = normalize_kind(kind)
    if template_dir is not None:
        own = Path(template_dir) / f"{k}.txt"
        if own.exists():
            return own
    return data_dir() / "templates" / f"{k}.txt"


def load_template(kind: str, template_dir: Path | None = None) -> tuple[str, str]:
    """(text, display name) of the template for a kind."""
    path = template_path(kind, template_dir)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DubanError(f"找不到{normalize_kind(kind)}函模板文件：{path}") from None
    except OSError as exc:
        raise DubanError(f"无法读取模板文件 {path}：{exc.strerror}") from None
    if len(raw) > MAX_TEMPLATE_CHARS * 4:
        raise DubanError(f"模板文件 {path.name} 过大，不像是函件模板")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost anything
        raise DubanError(f"模板文件 {path.name} 的编码无法识别，请另存为 UTF-8")
    return text, path.name


def parse_template(text: str, name: str = "文本") -> dict[str, object]:
    """Split template text into its parts (still unrendered)."""
    if len(text) > MAX_TEMPLATE_CHARS:
        raise DubanError(f"模板 {name} 过长（超过 {MAX_TEMPLATE_CHARS} 字）")
    parts: dict[str, object] = {v: "" for v in KEYS.values()}
    paragraphs: list[str] = []
    current: list[str] = []
    for raw_line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw_line.strip()
        if line.startswith("#"):
            continue
        m = _KEY_LINE.match(line)
        if m:
            if current:
                paragraphs.append("".join(current))
                current = []
            parts[KEYS[m.group(1)]] = m.group(2).strip()
            continue
        if not line:
            if current:
                paragraphs.append("".join(current))
                current = []
            continue
        current.append(line.lstrip("\u3000"))
    if current:
        paragraphs.append("".join(current))
    if not parts["title"]:
        raise DubanError(f"模板 {name} 缺少“标题：”一行")
    if not paragraphs:
        raise DubanError(f"模板 {name} 没有正文段落")
    parts["body"] = paragraphs
    return parts


def _full_values(values: Mapping[str, str]) -> dict[str, str]:
    full = {k: DEFAULTS.get(k, "") for k in PLACEHOLDERS}
    for k, v in values.items():
        full[k] = "" if v is None else str(v)
    for k, v in DEFAULTS.items():
        if not full.get(k):
            full[k] = v
    if not full.get("年度"):
        m = re.match(r"\s*(\d{4})", full.get("日期", ""))
        full["年度"] = m.group(1) if m else ""
    return full


def render_letter_text(text: str, values: Mapping[str, str], name: str = "文本") -> LetterText:
    """Render a whole template text (already loaded) into its parts."""
    parts = parse_template(text, name)
    full = _full_values(values)

    def r(s: object) -> str:
        return render_template(str(s), full, name).strip()

    body = tuple(p for p in (r(p) for p in parts["body"]) if p)  # type: ignore[union-attr]
    return LetterText(
        title=r(parts["title"]),
        addressee=r(parts["addressee"]).rstrip("：:"),
        body_paragraphs=body,
        closing=r(parts["closing"]),
        contact=r(parts["contact"]),
        cc=r(parts["cc"]),
    )


def validate_template(text: str, name: str = "文本") -> None:
    """Check a template an office edited before it is used (raises DubanError)."""
    render_letter_text(text, {k: k for k in PLACEHOLDERS}, name)


def build_letter_parts(
    kind: str, values: Mapping[str, str], template_dir: Path | None = None
) -> LetterText:
    """All the wording of a letter of this kind, from its template file."""
    text, name = load_template(kind, template_dir)
    return render_letter_text(text, values, name)


def build_letter_text(
    kind: str, values: Mapping[str, str], template_dir: Path | None = None
) -> tuple[str, tuple[str, ...], str]:
    """(title, body_paragraphs, closing) for a letter of this kind."""
    parts = build_letter_parts(kind, values, template_dir)
    return parts.title, parts.body_paragraphs, parts.closing
