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
- `{名称}` inserts a value; `{{` and `}}` print literal braces;
- `【如果 条件】` … `【否则】` … `【结束】`, each on a line of its own, keep the lines
  between them only when the named fact is true (or, after 否则, false). Conditions are
  a fixed list of facts from the store (tui.letters.facts.CONDITIONS) — a name, never an
  expression — and sections may nest.

A sentence about history ("此前已发出提醒函", "至今未见书面回复", {此前函件}) outside a
condition that makes it true would be printed to units that never got a letter: such a
template still loads, with a warning naming the line (`history_warnings`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tui.errors import DubanError
from tui.letters.facts import (
    CONDITIONS,
    HISTORY_CONDITIONS,
    HISTORY_PLACEHOLDERS,
    PROGRESS_CONDITIONS,
)
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
    "计划年度",
    "最长逾期天数",
    "抄送",
    *HISTORY_PLACEHOLDERS,
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


@lru_cache(maxsize=1024)
def _placeholders(text: str, name: str) -> tuple[tuple[str, str | None], ...]:
    """Split a template into (literal, placeholder-or-None) pieces, refusing anything
    but plain names. Remembered: a batch renders the same few template pieces for every
    letter (an error is raised again each time, never remembered)."""
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
    return tuple(pieces)


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
    text, name, _ = _load(kind, template_dir)
    return text, name


def _read(path: Path) -> tuple[str, str]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DubanError(f"找不到函件模板文件：{path}") from None
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


_COND_LINE = re.compile(r"^\s*【\s*(如果|否则|结束)\s*([^】]*?)\s*】\s*$")


def select_lines(
    text: str, name: str, conds: Mapping[str, bool] | None
) -> list[tuple[int, str, tuple[tuple[str, bool], ...]]]:
    """(line number, line, active conditions) of the lines a letter keeps.

    `conds` None keeps every line (for checking a template); the active conditions are
    (name, branch) pairs, branch False after 【否则】."""
    stack: list[list] = []  # [name, branch, line number]
    out: list[tuple[int, str, tuple[tuple[str, bool], ...]]] = []
    for n, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1):
        if raw.strip().startswith("#"):
            continue
        m = _COND_LINE.match(raw)
        if m:
            word, arg = m.group(1), m.group(2).strip()
            if word == "如果":
                if arg not in CONDITIONS:
                    known = "、".join(CONDITIONS)
                    raise DubanError(f"模板 {name} 第 {n} 行的条件“{arg}”不认识，可用的有：{known}")
                stack.append([arg, True, n])
            elif word == "否则":
                if not stack or not stack[-1][1] or arg:
                    raise DubanError(f"模板 {name} 第 {n} 行的【否则】前面没有配对的【如果 …】")
                stack[-1][1] = False
            else:
                if not stack or arg:
                    raise DubanError(f"模板 {name} 第 {n} 行的【结束】前面没有配对的【如果 …】")
                stack.pop()
            continue
        if "【如果" in raw or "【否则" in raw or "【结束" in raw:
            raise DubanError(f"模板 {name} 第 {n} 行：【如果 …】【否则】【结束】须各占一行")
        active = tuple((c, b) for c, b, _ in stack)
        if conds is None or all(conds.get(c, False) == b for c, b in active):
            out.append((n, raw, active))
    if stack:
        raise DubanError(f"模板 {name} 第 {stack[-1][2]} 行的【如果 {stack[-1][0]}】缺少【结束】")
    return out


def parse_template(
    text: str, name: str = "文本", conds: Mapping[str, bool] | None = None
) -> dict[str, object]:
    """Split template text into its parts (still unrendered), keeping the lines whose
    conditions hold (`conds` None: every line)."""
    if len(text) > MAX_TEMPLATE_CHARS:
        raise DubanError(f"模板 {name} 过长（超过 {MAX_TEMPLATE_CHARS} 字）")
    parts: dict[str, object] = {v: "" for v in KEYS.values()}
    paragraphs: list[str] = []
    current: list[str] = []
    for _n, raw_line, _active in select_lines(text, name, conds):
        line = raw_line.strip()
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
    if not paragraphs and conds is None:
        raise DubanError(f"模板 {name} 没有正文段落")
    parts["body"] = paragraphs
    return parts


# Words that state history: true only when an earlier letter exists (or went unanswered).
_HISTORY_WORDS = re.compile(
    r"此前|前期已|已(?:于[^，。；]{0,24}?)?(?:发出|发送|印发|函告|函请|提醒|提示|督办|催办|发函)"
    r"|(?:曾|多次|屡次|一再|再次)(?:发|函|提醒|督促|催)"
    r"|(?:未见|未予|未按要求|至今未|仍未)(?:书面)?(?:回复|答复|反馈|说明)"
)
_PROGRESS_WORDS = re.compile(r"未(?:报送|报告|反馈)(?:工作)?进展|(?:无|没有)(?:任何)?进展")


def history_warnings(text: str, name: str = "文本") -> list[str]:
    """Lines that state history or progress outside a condition that makes them true."""
    warnings: list[str] = []
    for n, raw, active in select_lines(text, name, None):
        guarded_history = any(
            (c in HISTORY_CONDITIONS and b) or (c == "无此前函件" and not b) for c, b in active
        )
        guarded_progress = any(
            (c in PROGRESS_CONDITIONS and b) or (c == "有进展" and not b) for c, b in active
        )
        line = raw.strip()
        hit = _HISTORY_WORDS.search(line)
        placeholder = next((f"{{{p}}}" for p in HISTORY_PLACEHOLDERS if f"{{{p}}}" in line), None)
        if (hit or placeholder) and not guarded_history:
            what = placeholder or hit.group(0)  # type: ignore[union-attr]
            warnings.append(
                f"模板 {name} 第 {n} 行写了此前的函件或回复（“{what}”），但不在【如果 有此前函件】"
                "等条件中：没有收到过函件的单位也会看到这句话"
            )
            continue
        hit = _PROGRESS_WORDS.search(line)
        if hit and not guarded_progress:
            warnings.append(
                f"模板 {name} 第 {n} 行写了没有进展（“{hit.group(0)}”），但不在【如果 均无进展】"
                "等条件中：报过进展的单位也会看到这句话"
            )
    return warnings


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


@lru_cache(maxsize=256)
def _parsed(text: str, name: str, conds: tuple[tuple[str, bool], ...]) -> dict[str, object]:
    """The parsed template per set of conditions (a batch has only a few such sets)."""
    return parse_template(text, name, dict(conds))


def render_letter_text(
    text: str,
    values: Mapping[str, str],
    name: str = "文本",
    conds: Mapping[str, bool] | None = None,
) -> LetterText:
    """Render a whole template text (already loaded) into its parts; `conds` decide the
    【如果 …】 sections (None: every condition false)."""
    key = tuple(sorted((k, bool(v)) for k, v in (conds or {}).items()))
    parts = _parsed(text, name, key)
    full = _full_values(values)

    def r(s: object) -> str:
        return render_template(str(s), full, name).strip()

    body = tuple(p for p in (r(p) for p in parts["body"]) if p)  # type: ignore[union-attr]
    if not body:
        raise DubanError(f"模板 {name} 按本函的情况没有任何正文段落，请检查【如果 …】条件")
    return LetterText(
        title=r(parts["title"]),
        addressee=r(parts["addressee"]).rstrip("：:"),
        body_paragraphs=body,
        closing=r(parts["closing"]),
        contact=r(parts["contact"]),
        cc=r(parts["cc"]),
    )


def validate_template(text: str, name: str = "文本") -> list[str]:
    """Check a template an office edited before it is used (raises DubanError on errors);
    returns the warnings about history stated without a condition."""
    parts = parse_template(text, name, None)
    full = {k: k for k in PLACEHOLDERS}
    for piece in (*parts["body"], *(parts[k] for k in KEYS.values())):  # type: ignore[misc]
        render_template(str(piece), full, name)
    return history_warnings(text, name)


@lru_cache(maxsize=32)
def _cached(path: str, mtime: int) -> tuple[str, str, tuple[str, ...]]:
    text, display = _read(Path(path))
    warnings = tuple(validate_template(text, display))
    return text, display, warnings


def template_warnings(kind: str, template_dir: Path | None = None) -> list[str]:
    """Warnings about the template in effect for a kind (see `history_warnings`)."""
    return list(_load(kind, template_dir)[2])


# Within `one_batch()`: each kind's template located and read once, not once per letter.
_BATCH: ContextVar[dict | None] = ContextVar("letter_template_batch", default=None)


@contextmanager
def one_batch() -> Iterator[None]:
    """A batch of letters rendered together reads each kind's template file once (outside a
    batch every use looks again, so an office's edit is seen by the next letter)."""
    token = _BATCH.set({})
    try:
        yield
    finally:
        _BATCH.reset(token)


def _load(kind: str, template_dir: Path | None) -> tuple[str, str, tuple[str, ...]]:
    memo = _BATCH.get()
    if memo is None:
        return _locate_and_read(kind, template_dir)
    key = (kind, template_dir)
    got = memo.get(key)
    if got is None:
        got = memo[key] = _locate_and_read(kind, template_dir)
    return got


def _locate_and_read(kind: str, template_dir: Path | None) -> tuple[str, str, tuple[str, ...]]:
    path = template_path(kind, template_dir)
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        raise DubanError(f"找不到{normalize_kind(kind)}函模板文件：{path}") from None
    except OSError as exc:
        raise DubanError(f"无法读取模板文件 {path}：{exc.strerror}") from None
    return _cached(str(path), mtime)


def build_letter_parts(
    kind: str,
    values: Mapping[str, str],
    template_dir: Path | None = None,
    conds: Mapping[str, bool] | None = None,
) -> LetterText:
    """All the wording of a letter of this kind, from its template file."""
    text, name, _ = _load(kind, template_dir)
    return render_letter_text(text, values, name, conds)


def build_letter_text(
    kind: str,
    values: Mapping[str, str],
    template_dir: Path | None = None,
    conds: Mapping[str, bool] | None = None,
) -> tuple[str, tuple[str, ...], str]:
    """(title, body_paragraphs, closing) for a letter of this kind."""
    parts = build_letter_parts(kind, values, template_dir, conds)
    return parts.title, parts.body_paragraphs, parts.closing
