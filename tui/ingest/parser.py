"""The breakdown parser: a Document (lines and table rows) → outline, tasks and raw owner names.

Plans number their outline 一、 / （一） / 1． / （1）, but which level is the task differs: in a
task breakdown (seed 001) the （1） items are tasks, in a yearly plan (seeds 000, 002) the （一）
items are. The parser first cuts the text into blocks at every outline marker, then picks the
task level: the level whose blocks carry owners, or, when no block has owners, the deepest
level whose blocks read as prose. Blocks above it become outline nodes; text that is neither a
task nor an owner line (preamble, closing paragraph, sections without tasks) is kept as plan
text, never turned into a task.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from tui.domain.identity import path_label, task_keys
from tui.ingest.clean import clean_line, is_page_number, join_fragments, leading_indent
from tui.ingest.document import Document, Line, Note, Row
from tui.ingest.owners import OwnerGrammar, OwnerName
from tui.ingest.script import to_simplified
from tui.ingest.texttable import text_tables
from tui.ingest.vocab import Vocabulary, load_vocabulary

ROLE_LEAD = "lead"
ROLE_RESPONSIBLE = "responsible"
ROLE_SUPPORTING = "supporting"
ROLES = (ROLE_LEAD, ROLE_RESPONSIBLE, ROLE_SUPPORTING)
ROLE_LABEL = {ROLE_LEAD: "牵头单位", ROLE_RESPONSIBLE: "责任单位", ROLE_SUPPORTING: "配合单位"}

_CN_NUM = "一二三四五六七八九十百零〇"
_MARKERS: tuple[tuple[int, re.Pattern[str]], ...] = (
    (1, re.compile(rf"^([{_CN_NUM}]+)、\s*")),
    (2, re.compile(rf"^（([{_CN_NUM}]+)）\s*")),
    (3, re.compile(r"^(\d{1,5})[．.、](?![\d％%])\s*")),
    (4, re.compile(r"^（(\d{1,6})）\s*")),
)
_MARKER_FORMAT = {1: "{}、", 2: "（{}）", 3: "{}．", 4: "（{}）"}
_SENTENCE_END = "。！？；;!?"
_CLOSING = re.compile(r"^(各|全区|全旗|全市|全县|全盟|各级)[^。]{0,40}要")
_DATE_LINE = re.compile(r"^(.*?)(\d{4})年(\d{1,2})月(\d{1,2})日(印发|发布)?$")
_TITLE_WORDS = re.compile(
    r"(工作计划|实施方案|分解方案|工作方案|工作要点|实施计划|规划|计划|方案|分解表|任务清单"
    r"|责任清单|要点|台账|任务表|分工表|任务分工|工作分工|工作安排|实施意见)$"
)
# A cover letter (印发通知) in front of the plan: "现将《…》印发给你们", "《…》已经…同意，现
# 印发给你们", or its 通知 title "关于印发《…》的通知" (also without 《》, over two lines).
_COVER_TRIGGER = re.compile(r"印发给你们|转发给你们|印发给各|现将《|关于(?:印发|转发|下发)")
_QUOTED_TITLE = re.compile(r"《(?P<title>[^《》]{4,80})》")
_NOTICE_TITLE = re.compile(r"关于(?:印发|转发|下发)(?P<title>.{4,80}?)的通知")
_FULL_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")
_COVER_SCAN = 40  # the cover letter's 现将 line is among the document's first lines
# Continuation of a broken owner line: a short fragment with no sentence punctuation.
_MAX_OWNER_FRAGMENT = 15


@dataclass
class ParsedNode:
    """A heading of the plan's outline (一、 / （一） …) and where it hangs."""

    level: int
    number: str
    heading: str
    body: str
    line: int
    parent: int | None  # index into ParsedPlan.nodes


@dataclass
class ParsedTask:
    """One task as the document states it: number, text, owners and deadline cell."""

    number: str
    title: str
    text: str
    line: int
    node: int | None  # index of the enclosing outline node
    owner_fields: list[tuple[str, str]] = field(default_factory=list)  # (role, raw text)
    deadline_text: str = ""
    owners: list[OwnerName] = field(default_factory=list)  # owner_fields as unit/group names
    people: list[str] = field(default_factory=list)  # person-label lines (牵头负责领导：…)

    def owner_text(self, role: str) -> str:
        return "、".join(t for r, t in self.owner_fields if r == role and t)


@dataclass
class ParsedPlan:
    """A parsed plan: its title, issuer and period, its outline and its tasks."""

    title: str
    issuer: str
    issue_date: str | None  # ISO date
    plan_text: str
    nodes: list[ParsedNode]
    tasks: list[ParsedTask]
    unplaced: list[tuple[int, str]]
    has_owners: bool
    section_level: int | None
    subsection_level: int | None
    traditional: bool = False  # the file was in traditional characters, parsed converted
    _keys: list[str] | None = field(default=None, repr=False, compare=False)

    @property
    def sections(self) -> list[ParsedNode]:
        return [n for n in self.nodes if n.level == self.section_level]

    @property
    def subsections(self) -> list[ParsedNode]:
        if self.subsection_level is None:
            return []
        return [n for n in self.nodes if n.level == self.subsection_level]

    def section_path(self, task: ParsedTask) -> list[ParsedNode]:
        path: list[ParsedNode] = []
        idx = task.node
        while idx is not None:
            path.append(self.nodes[idx])
            idx = self.nodes[idx].parent
        return list(reversed(path))

    def section_label(self, task: ParsedTask) -> str:
        """The task's section path for display: "（一）健全… / 1．推进…"."""
        return " / ".join(f"{n.number}{n.heading}" for n in self.section_path(task))

    def task_keys(self) -> list[str]:
        """Each task's identity: its place in the outline (see tui.domain.identity)."""
        if self._keys is None:
            self._keys = task_keys(
                (
                    tuple(path_label(n.number, n.heading) for n in self.section_path(t)),
                    t.number,
                )
                for t in self.tasks
            )
        return self._keys


@dataclass
class _Block:
    """A numbered paragraph of the text, before it is told apart as a heading or a task."""

    level: int
    number: str
    line: int
    parts: list[str] = field(default_factory=list)
    owners: list[tuple[str, str]] = field(default_factory=list)
    trailing: list[tuple[int, str]] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    owners_closed: bool = False  # inline owners ended the block's text
    deadlines: list[str] = field(default_factory=list)  # 完成时限：… lines
    notes: list[str] = field(default_factory=list)  # lines kept as plan text only (people)
    last_label: str = ""  # kind of the block's last label line, for broken unit names

    @property
    def text(self) -> str:
        return join_fragments(self.parts)


def _match_marker(s: str) -> tuple[int, str, str] | None:
    for level, rx in _MARKERS:
        m = rx.match(s)
        if m:
            return level, _MARKER_FORMAT[level].format(m.group(1)), s[m.end() :]
    return None


def _title_of(text: str) -> str:
    """A task's title: its first sentence, or a readable head of it."""
    head = re.split(r"[。；;！？]", text, maxsplit=1)[0].strip()
    if len(head) > 60:
        head = head[:58] + "…"
    return head or text[:60]


def parse_document(doc: Document, vocab: Vocabulary | None = None) -> ParsedPlan:
    """Cut a document into blocks and decide which of them are tasks."""
    grammar = OwnerGrammar(vocab or load_vocabulary())
    doc, traditional = to_simplified(doc)
    items = text_tables(doc.items, grammar.vocab.column_of)
    preamble: list[tuple[int, str]] = []
    blocks: list[_Block] = []
    table_rows: list[Row] = []
    prev_raw_end = "。"
    paragraph_per_line = doc.kind != "pdf"

    notes: list[tuple[int, str]] = []
    cover, items = _split_cover_letter(items)
    if cover is not None:
        preamble.extend(cover.lines)
    body, signature = _split_signature(items)
    for pos, item in enumerate(body):
        if isinstance(item, Note):
            notes.append((item.no, item.text))
            continue
        if isinstance(item, Row):
            if blocks:
                blocks[-1].rows.append(item)
            else:
                table_rows.append(item)
            continue
        assert isinstance(item, Line)
        raw = item.text
        cleaned = clean_line(raw)
        if not cleaned or is_page_number(cleaned):
            continue
        new_paragraph = paragraph_per_line or (
            prev_raw_end in _SENTENCE_END and leading_indent(raw) > 0
        )
        prev_raw_end = cleaned[-1]
        if _heads_a_table(cleaned, body, pos):
            # An unnumbered heading paragraph right above a table is the section of its rows.
            blocks.append(_Block(_HEADING_LEVEL, "", item.no, parts=[cleaned]))
            continue
        for piece_no, s in enumerate(_run_on_pieces(cleaned, grammar)):
            _take_line(s, item.no, new_paragraph or piece_no > 0, grammar, preamble, blocks)

    # Owners in a bracket that closes a block's text.
    for b in blocks:
        if not b.owners:
            found = grammar.closing_owners(b.text)
            if found is not None and found[1]:
                b.parts = [found[0]]
                b.owners = found[1]

    plan = _assemble(doc, preamble, blocks, table_rows, grammar)
    if signature is not None:
        issuer, issued_on, lines = signature
        plan.plan_text = "\n".join([plan.plan_text, *lines])
        if not plan.issuer and not plan.issue_date:
            plan.issuer, plan.issue_date = issuer, issued_on
    plan.traditional = traditional
    if cover is not None:
        if not plan.title:
            plan.title = cover.title
        if cover.issue_date and not plan.issue_date:
            plan.issuer, plan.issue_date = cover.issuer, cover.issue_date
    plan.title = plan.title or Path(doc.source).stem
    if notes:
        plan.unplaced = sorted(plan.unplaced + notes)
        plan.plan_text = "\n".join([plan.plan_text, *(text for _no, text in notes)])
    return plan


def _take_line(
    s: str,
    no: int,
    new_paragraph: bool,
    grammar: OwnerGrammar,
    preamble: list[tuple[int, str]],
    blocks: list[_Block],
) -> None:
    """Place one cleaned line: a new block, a label line, a continuation, or trailing text."""
    marker = _match_marker(s)
    if marker:
        level, number, rest = marker
        block = _Block(level, number, no)
        if rest:
            block.parts.append(rest)
            block.owners_closed = grammar.closing_owners(rest) is not None
        blocks.append(block)
        return
    if not blocks:
        preamble.append((no, s))
        return
    block = blocks[-1]
    label = grammar.line_label(s)
    if label and not (block.parts and block.parts[-1].endswith(("（", "("))):
        if label.kind == "owner":
            block.owners.append((label.role, label.value))
            block.last_label = "owner"
        elif label.kind == "deadline":
            block.deadlines.append(label.value)
            block.last_label = "deadline"
        else:
            block.notes.append(s)
            block.last_label = "person"
        return
    if block.owners or block.owners_closed or block.deadlines or block.notes:
        short = len(s) <= _MAX_OWNER_FRAGMENT and not any(c in s for c in "。：:")
        if block.owners and block.last_label == "owner" and not block.trailing and short:
            # A unit name broken over two lines.
            role, value = block.owners[-1]
            block.owners[-1] = (role, value + s)
        else:
            block.trailing.append((no, s))
        block.last_label = ""
        return
    if new_paragraph and _CLOSING.match(s) and block.parts:
        block.trailing.append((no, s))
        block.owners_closed = True
        return
    block.parts.append(s)
    if grammar.closing_owners(s) is not None:
        block.owners_closed = True


# Outline level of an unnumbered heading above a table (below 一、…（1）, above table groups).
_HEADING_LEVEL = 8


def _heads_a_table(s: str, items: list, pos: int) -> bool:
    """A short unnumbered line whose next item is a table row heads that table — unless it
    is the plan's title."""
    if len(s) > 40 or any(c in s for c in "。；;：:"):
        return False  # no heading: most lines end here, before looking ahead
    nxt = None
    for k in range(pos + 1, min(len(items), pos + 8)):  # look a few items ahead, no slice
        it = items[k]
        if not isinstance(it, Line) or it.text.strip():
            nxt = it
            break
    return isinstance(nxt, Row) and _match_marker(s) is None and not _TITLE_WORDS.search(s)


_MID_MARKER = re.compile(rf"（(?:\d{{1,6}}|[{_CN_NUM}]+)）")


def _run_on_pieces(line: str, grammar: OwnerGrammar) -> list[str]:
    """Split ``1．…。（1）…（X牵头负责）（2）…（Y牵头负责）`` into its items.

    A numbered item starting mid-line is cut off only when it closes with its own owner
    bracket and follows the end of a sentence or of the previous item's owner bracket;
    an enumeration inside a sentence (包括：（1）…；（2）…) stays one line.
    """
    starts = [m.start() for m in _MID_MARKER.finditer(line) if m.start() > 0]
    if not starts:
        return [line]
    cuts: list[int] = []
    bounds = [*starts, len(line)]
    for i, pos in enumerate(starts):
        if line[pos - 1] not in "。；;）)":
            continue
        segment = line[pos : bounds[i + 1]]
        found = grammar.closing_owners(segment)
        if found is not None and found[1]:
            cuts.append(pos)
    if not cuts:
        return [line]
    pieces, prev = [], 0
    for pos in cuts:
        pieces.append(line[prev:pos])
        prev = pos
    pieces.append(line[prev:])
    return [p for p in pieces if p.strip()]


def _is_prose(b: _Block) -> bool:
    t = b.text
    if b.level == 1:
        # Top-level items are sections (一、总体要求 with its paragraphs below) unless the
        # numbered line itself is a sentence: only then is such an item a task.
        first = b.parts[0] if b.parts else ""
        return any(c in first for c in "。，；") or len(first) > 40 or bool(b.owners)
    return "。" in t or len(t) > 40 or bool(b.owners)


def _task_level(blocks: list[_Block]) -> int | None:
    """The outline level whose items are the tasks, or None when the document has none.

    A block that heads table rows is the section of those rows, never a task. The level
    whose blocks carry owners wins; without owners, the deepest level whose items read as
    prose; a document of headings alone has no task level.
    """
    candidates = [b for b in blocks if not b.rows]
    levels = sorted({b.level for b in candidates})
    if not levels:
        return None
    with_owners = {lv: 0 for lv in levels}
    for b in candidates:
        if b.owners:
            with_owners[b.level] += 1
    best = max(levels, key=lambda lv: with_owners[lv])
    if with_owners[best] > 0:
        return best
    for lv in reversed(levels):
        group = [b for b in candidates if b.level == lv]
        if sum(_is_prose(b) for b in group) * 2 >= len(group):
            return lv
    return None


def _assemble(
    doc: Document,
    preamble: list[tuple[int, str]],
    blocks: list[_Block],
    table_rows: list[Row],
    grammar: OwnerGrammar,
) -> ParsedPlan:
    nodes: list[ParsedNode] = []
    tasks: list[ParsedTask] = []
    unplaced: list[tuple[int, str]] = []
    plan_text: list[str] = [s for _, s in preamble]
    task_level = _task_level(blocks)
    owner_mode = (
        any(b.owners for b in blocks)
        or any(_row_has_owners(r) for r in table_rows)
        or any(_row_has_owners(r) for b in blocks for r in b.rows)
    )
    stack: list[int] = []  # indices of open nodes, by level

    def open_node(level: int, number: str, heading: str, body: str, line: int) -> int:
        while stack and nodes[stack[-1]].level >= level:
            stack.pop()
        parent = stack[-1] if stack else None
        nodes.append(ParsedNode(level, number, heading, body, line, parent))
        stack.append(len(nodes) - 1)
        return len(nodes) - 1

    last_index = len(blocks) - 1
    for i, b in enumerate(blocks):
        text = b.text
        is_task_level = task_level is not None and b.level == task_level
        if is_task_level and (b.owners or not owner_mode):
            while stack and nodes[stack[-1]].level >= b.level:
                stack.pop()
            tasks.append(
                ParsedTask(
                    number=b.number,
                    title=_title_of(text),
                    text=text,
                    line=b.line,
                    node=stack[-1] if stack else None,
                    owner_fields=list(b.owners),
                    deadline_text="；".join(b.deadlines),
                    people=list(b.notes),
                )
            )
        elif task_level is not None and b.level > task_level and tasks:
            # A sub-item inside a task: part of the task's text.
            t = tasks[-1]
            t.text = join_fragments([t.text, b.number + text])
            t.owner_fields.extend(b.owners)
            if b.deadlines:
                t.deadline_text = "；".join([t.deadline_text, *b.deadlines]).strip("；")
        elif is_task_level:
            # A task-level item with no owners in a plan where tasks carry owners:
            # guarantees and the like. Keep it as plan text.
            plan_text.append(b.number + text)
            unplaced.append((b.line, b.number + text))
        else:
            first = b.parts[0] if b.parts else ""
            heading, rest = _split_heading(first)
            body = join_fragments([rest, *b.parts[1:]])
            open_node(b.level, b.number, heading, body, b.line)
            if body:
                plan_text.append(b.number + text)
        for row in b.rows:
            _row_to_task(row, tasks, nodes, stack, open_node)
        plan_text.extend(b.notes)
        for no, s in b.trailing:
            plan_text.append(s)
            if i != last_index:
                unplaced.append((no, s))

    for row in table_rows:
        _row_to_task(row, tasks, nodes, stack, open_node)

    for t in tasks:
        t.owners = [n for role, raw in t.owner_fields for n in grammar.names(role, raw)]
    title = _find_title(preamble, doc)
    issuer, issue_date = _find_issuer_and_date(preamble)
    section_level, subsection_level = _section_levels(nodes, tasks)
    return ParsedPlan(
        title=title,
        issuer=issuer,
        issue_date=issue_date,
        plan_text="\n".join(plan_text),
        nodes=nodes,
        tasks=tasks,
        unplaced=unplaced,
        has_owners=any(t.owners for t in tasks),
        section_level=section_level,
        subsection_level=subsection_level,
    )


def _split_heading(text: str) -> tuple[str, str]:
    parts = re.split(r"(?<=[。！？])", text, maxsplit=1)
    heading = parts[0].rstrip("。")
    body = parts[1].strip() if len(parts) > 1 else ""
    return heading, body


def _row_has_owners(row: Row) -> bool:
    return any(row.cells.get(k) for k in ("lead", "responsible", "supporting"))


def _row_to_task(row: Row, tasks, nodes, stack, open_node) -> None:
    cells = row.cells
    group = clean_line(cells.get("task", ""))
    measure = join_fragments([clean_line(p) for p in cells.get("measure", "").split("\n")])
    text = measure or group
    if not text:
        return
    if measure and group:
        current = nodes[stack[-1]] if stack else None
        if current is None or current.heading != group or current.level != 9:
            # Table groups (the 重点任务 column) are sections of their own level.
            while stack and nodes[stack[-1]].level >= 9:
                stack.pop()
            open_node(9, "", group, "", row.no)
    number = clean_line(cells.get("number", ""))
    if not number:
        # WPS sheets often write the number into the task cell: 1．健全…
        marker = _match_marker(text)
        if marker is not None and marker[2]:
            _level, number, text = marker
    number = number or str(len(tasks) + 1)
    owners = []
    for role in ROLES:
        value = " ".join(clean_line(p) for p in cells.get(role, "").split("\n")).strip()
        if value:
            owners.append((role, value))
    tasks.append(
        ParsedTask(
            number=number,
            title=_title_of(text),
            text=text,
            line=row.no,
            node=stack[-1] if stack else None,
            owner_fields=owners,
            deadline_text=clean_line(cells.get("deadline", "")),
        )
    )


def _section_levels(
    nodes: list[ParsedNode], tasks: list[ParsedTask]
) -> tuple[int | None, int | None]:
    """Sections are the first outline level that splits the tasks; a lone wrapper
    such as 二、具体任务和责任分工 above all of them is skipped."""
    bearing: dict[int, set[int]] = {}
    for t in tasks:
        idx = t.node
        while idx is not None:
            bearing.setdefault(nodes[idx].level, set()).add(idx)
            idx = nodes[idx].parent
    levels = sorted(bearing)
    while len(levels) > 1 and len(bearing[levels[0]]) == 1:
        levels.pop(0)
    if not levels:
        return None, None
    return levels[0], (levels[1] if len(levels) > 1 else None)


@dataclass
class _Cover:
    """The covering letter (印发…的通知) in front of a plan, and what it says of the plan."""

    lines: list[tuple[int, str]]  # the letter's lines, kept as plan text
    title: str  # the plan's title, as the letter quotes it
    issuer: str
    issue_date: str | None


def _split_cover_letter(items: list) -> tuple[_Cover | None, list]:
    """Split off a cover letter (印发通知) in front of the plan.

    The letter has its own 一、二、三 ("一、提高思想认识…") that are not the plan's sections;
    it ends with its signature and date. Its 《…》 names the plan.
    """
    lines = [(i, clean_line(it.text)) for i, it in enumerate(items) if isinstance(it, Line)]
    lines = [(i, s) for i, s in lines if s][:_COVER_SCAN]
    k = next((k for k, (_i, s) in enumerate(lines) if _COVER_TRIGGER.search(s)), None)
    if k is None:
        return None, items
    # The plan's title: a 《…》 near the trigger, or what a 通知 title says it 印发.
    near = "".join(s for _i, s in lines[max(0, k - 2) : k + 3])
    m = _QUOTED_TITLE.search(near) or _NOTICE_TITLE.search(near)
    if m is None:
        return None, items
    title = m.group("title").translate(_NESTED_TO_TITLE)
    # The letter's body starts at the sentence that says 印发给你们 when that comes later.
    while (
        k + 1 < len(lines)
        and "给你们" not in lines[k][1]
        and any("给你们" in s for _i, s in lines[k + 1 : k + 4])
    ):
        k += 1
    # The letter ends at the first date line after the 现将 line, or just before the plan's
    # own title line when it has no date.
    wanted = "".join(title.split())
    end = None
    for i in range(lines[k][0] + 1, len(items)):
        it = items[i]
        if not isinstance(it, Line):
            continue
        s = clean_line(it.text)
        if _FULL_DATE.match(s):
            end = i + 1
            break
        if "".join(s.split()).translate(_NESTED_TO_TITLE) == wanted:
            end = i
            break
    if end is None:
        return None, items
    kept = [(it.no, clean_line(it.text)) for it in items[:end] if isinstance(it, Line)]
    kept = [(no, s) for no, s in kept if s]
    issuer, issue_date = _find_issuer_and_date(kept[k + 1 :])
    return _Cover(kept, title, issuer, issue_date), items[end:]


# Inside 《》 a quoted title writes its own inner title as <…> or 〈…〉.
_NESTED_TO_TITLE = str.maketrans({"<": "《", ">": "》", "〈": "《", "〉": "》"})


def _find_title(preamble: list[tuple[int, str]], doc: Document) -> str:
    lines = [s for _, s in preamble]
    for i in range(len(lines) - 1):
        # A title split over two short lines: 清水县2023年法治政府建设 / 工作要点.
        a, b = lines[i], lines[i + 1]
        if (
            len(a) <= 30
            and len(b) <= 20
            and not _TITLE_WORDS.search(a)
            and _TITLE_WORDS.search(a + b)
            and not any(c in a + b for c in "。，,：:；")
            and (a + b).count("《") == (a + b).count("》")
            and not _DATE_LINE.match(a)
            and re.search(r"\d{4}年|[区县旗市镇盟]", a)
        ):
            return a + b
    for i, s in enumerate(lines):
        if (
            len(s) > 70
            or any(c in s for c in "。，,")
            or "印发" in s
            or "通知" in s
            or not _TITLE_WORDS.search(s)
        ):
            if not (
                s.count("《") > s.count("》") and len(s) < 60 and not any(c in s for c in "。，,")
            ):
                continue
        title = s
        j = i + 1
        while (
            title.count("《") > title.count("》") or title.count("（") > title.count("）")
        ) and j < len(lines):
            title += lines[j]
            j += 1
        if _TITLE_WORDS.search(title) and "印发" not in title:
            return title
    for _, s in preamble:
        m = re.search(r"制定\s*(\S{2,30}?(工作计划|实施方案|方案|计划))", s)
        if m:
            return m.group(1)
    return ""


_NOT_SIGNATURE = re.compile(r"^[（(](?:此件[^）)]*|联系人[^）)]*)[）)]$")
_ORG_END = re.compile(r"(人民政府|办公室|委员会|政府|局|委|办|镇|苏木|街道办事处|街道|司法所)$")


def _split_signature(
    items: list,
) -> tuple[list, tuple[str, str | None, list[str]] | None]:
    """The closing signature block — the issuer on one line, the date on the next — is the
    plan's, not its last task's: split it off so it is never read as an owner or a deadline."""
    tail: list[int] = []
    for i in range(len(items) - 1, -1, -1):
        item = items[i]
        if not isinstance(item, Line):
            break
        s = clean_line(item.text)
        if not s or is_page_number(s) or _NOT_SIGNATURE.match(s):
            continue  # the last page's number, （此件公开发布） under the date
        tail.append(i)
        if len(tail) == 2:
            break
    if not tail:
        return items, None
    date_text = clean_line(items[tail[0]].text)
    m = _DATE_LINE.match(date_text)
    if not m or m.group(1).strip():
        return items, None
    iso = f"{int(m.group(2)):04d}-{int(m.group(3)):02d}-{int(m.group(4)):02d}"
    cut, issuer, lines = tail[0], "", [date_text]
    if len(tail) == 2:
        org = clean_line(items[tail[1]].text)
        if len(org) <= 30 and _ORG_END.search(org) and not any(c in org for c in "。，：:；"):
            cut, issuer, lines = tail[1], org, [org, date_text]
    return items[:cut], (issuer, iso, lines)


def _find_issuer_and_date(preamble: list[tuple[int, str]]) -> tuple[str, str | None]:
    lines = [s for _, s in preamble]
    for i, s in enumerate(lines):
        m = _DATE_LINE.match(s)
        if not m:
            continue
        iso = f"{int(m.group(2)):04d}-{int(m.group(3)):02d}-{int(m.group(4)):02d}"
        prefix = m.group(1).strip()
        if prefix:
            return prefix, iso
        issuer_lines: list[str] = []
        for s2 in reversed(lines[max(0, i - 3) : i]):
            if "。" in s2 or "：" in s2 or len(s2) > 30:
                break
            issuer_lines.insert(0, s2)
        if not issuer_lines and lines and re.search(r"(办公室|委员会|人民政府|局)$", lines[0]):
            issuer_lines = [lines[0]]
        return "".join(issuer_lines), iso
    return "", None
