"""The corpus: plans written in the layouts offices really send, each scored against its key.

Every document in tests/corpus/ is imported through the real command line (``duban import FILE
--format json``) into a fresh store, its deadlines read back with ``duban tasks --format json``,
and compared with its hand-written key (tests/corpus/README.md describes the format): the plan's
title, year, issuer and date, then every task in order — its number, its owners by role and its
first due date. One line scores the importer: documents fully right / tasks found right / owners
right / dates right. The test asks for 100 %; its message lists every difference by document and
task, so the parser can be worked through it.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "corpus"
ROLES = ("lead", "responsible", "supporting")
ROLE_NAME = {"lead": "牵头", "responsible": "责任", "supporting": "配合"}
DOCUMENT_SUFFIXES = (".txt", ".docx", ".xlsx", ".pdf")
# An owner name with one of these in it is a phrase or a person, never a unit.
BAD_OWNER_WORDS = ("负责", "牵头", "配合", "领导", "等", "按职责")
PERSON_LABELS = ("牵头负责领导", "责任领导", "分管领导")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DUE_WORDS = ("ongoing", "default", "relative")
_NUMBER_NOISE = re.compile(r"[\s（）()．.、]")


# ---------------------------------------------------------------- keys


@dataclass(frozen=True)
class KeyTask:
    no: str
    text: str
    owners: dict[str, tuple[str, ...]]
    due: str
    rule: str

    def label(self) -> str:
        return f"{self.no or '（无编号）'}「{self.text}」"


@dataclass(frozen=True)
class Key:
    document: str
    title: str
    region: str
    years: tuple[int, int]
    issuer: str
    issued: str
    sections: int | None
    groups: frozenset[str]
    tasks: tuple[KeyTask, ...]
    twin_of: str = ""

    @property
    def path(self) -> Path:
        return CORPUS / self.document

    def unit_names(self) -> set[str]:
        """Every owner name in the key that is a unit, not a group."""
        return {n for t in self.tasks for r in ROLES for n in t.owners[r] if n not in self.groups}


def _read_key(path: Path) -> dict:
    with path.open("rb") as fh:
        return tomllib.load(fh)


def _build_key(raw: dict, document: str, twin_of: str = "") -> Key:
    tasks = tuple(
        KeyTask(
            no=t.get("no", ""),
            text=t["text"],
            owners={r: tuple(t.get(r, ())) for r in ROLES},
            due=t["due"],
            rule=t.get("rule", ""),
        )
        for t in raw["tasks"]
    )
    years = raw["years"]
    return Key(
        document=document,
        title=raw["title"],
        region=raw.get("region", ""),
        years=(years[0], years[1]),
        issuer=raw.get("issuer", ""),
        issued=raw.get("issued", ""),
        sections=raw.get("sections"),
        groups=frozenset(raw.get("groups", ())),
        tasks=tasks,
        twin_of=twin_of,
    )


def load_keys() -> list[Key]:
    """All keys; a twin's key is its original's, under the twin's document name."""
    raws = {p: _read_key(p) for p in sorted(CORPUS.glob("*.key.toml"))}
    by_document = {raw["document"]: raw for raw in raws.values()}
    keys = []
    for raw in raws.values():
        if "twin_of" in raw:
            keys.append(_build_key(by_document[raw["twin_of"]], raw["document"], raw["twin_of"]))
        else:
            keys.append(_build_key(raw, raw["document"]))
    return keys


KEYS = load_keys()


# ---------------------------------------------------------------- normalising what came out


_t2s = None


def simplified(text: str) -> str:
    """Traditional → simplified (OpenCC t2s): twins keep their own script for display."""
    global _t2s
    if _t2s is None:
        import opencc

        _t2s = opencc.OpenCC("t2s")
    return _t2s.convert(text)


def norm_text(text: str | None) -> str:
    return simplified("".join((text or "").split()))


def norm_number(number: str | None) -> str:
    return _NUMBER_NOISE.sub("", number or "")


def quotes_in_order(text: str) -> bool:
    """Every “ is closed by a ” before the next “ opens (a line break may sit between them)."""
    depth = 0
    for ch in text:
        if ch == "“":
            if depth:
                return False
            depth = 1
        elif ch == "”":
            if not depth:
                return False
            depth = 0
    return depth == 0


def first_due(deadlines: list[dict]) -> tuple[str, dict | None]:
    """What the task's active deadlines amount to: the earliest due date of the dated ones
    (absolute or recurring), else "ongoing", "relative", "default" (only the plan-end
    default) or "none"; with the deadline that gave it."""
    dated = [d for d in deadlines if d["due"] and d["kind"] != "default"]
    if dated:
        first = min(dated, key=lambda d: (d["due"], d["kind"] != "recurring"))
        return first["due"], first
    kinds = {d["kind"] for d in deadlines}
    for kind in ("ongoing", "relative"):
        if kind in kinds:
            return kind, next(d for d in deadlines if d["kind"] == kind)
    if kinds == {"default"}:
        return "default", deadlines[0]
    return "none", None


# ---------------------------------------------------------------- importing


@dataclass
class Imported:
    report: dict = field(default_factory=dict)
    tasks: list[dict] = field(default_factory=list)  # report tasks, each with its stored row
    error: str = ""


_IMPORTED: dict[str, Imported] = {}


def imported(cli, tmp_path_factory, document: str) -> Imported:
    """Import one corpus document into a fresh store (once per test session)."""
    if document in _IMPORTED:
        return _IMPORTED[document]
    db = tmp_path_factory.mktemp("corpus") / "duban.db"
    result = Imported()
    try:
        r = cli("import", str(CORPUS / document), "--format", "json", "--db", str(db), use_db=False)
        if r.code != 0:
            result.error = f"导入失败（退出码 {r.code}）：{(r.err or r.out).strip()}"
        else:
            result.report = r.json()
            t = cli("tasks", "--format", "json", "--db", str(db), use_db=False)
            assert t.code == 0, t.err
            stored = {row["key"]: row for row in t.json()}
            result.tasks = [
                {**task, "stored": stored.get(task["key"], {})}
                for task in result.report.get("tasks", [])
            ]
    except Exception as exc:  # the parser under work may crash on a document: score it as lost
        result.error = f"导入时出错：{exc!r}"
    _IMPORTED[document] = result
    return result


# ---------------------------------------------------------------- comparing


@dataclass
class Score:
    docs: int = 0
    docs_ok: int = 0
    tasks: int = 0
    tasks_ok: int = 0
    owners: int = 0
    owners_ok: int = 0
    dates: int = 0
    dates_ok: int = 0

    def line(self) -> str:
        return (
            f"语料得分：文档 {self.docs_ok}/{self.docs}，任务 {self.tasks_ok}/{self.tasks}，"
            f"单位 {self.owners_ok}/{self.owners}，期限 {self.dates_ok}/{self.dates}"
        )

    def perfect(self) -> bool:
        return (self.docs_ok, self.tasks_ok, self.owners_ok, self.dates_ok) == (
            self.docs,
            self.tasks,
            self.owners,
            self.dates,
        )


def _meta_failures(key: Key, report: dict) -> list[str]:
    out = []
    got_title = norm_text(report.get("plan_title"))
    if got_title != key.title:
        out.append(f"计划标题：应为「{key.title}」，实际「{got_title}」")
    period = tuple(report.get("period") or ())
    if period != key.years:
        out.append(f"计划年度：应为 {key.years[0]}–{key.years[1]}，实际 {period or '未识别'}")
    got_issuer = norm_text(report.get("issuer"))
    if got_issuer != key.issuer:
        out.append(f"发文机关：应为「{key.issuer}」，实际「{got_issuer}」")
    got_issued = report.get("issue_date") or ""
    if got_issued != key.issued:
        out.append(f"发文日期：应为「{key.issued}」，实际「{got_issued}」")
    region = norm_text(report.get("region"))
    if region not in ("", key.region):  # invented regions have no directory: "" is fine
        out.append(f"地区：文件写的是「{key.region}」，却识别为「{region}」")
    if key.sections is not None and report.get("sections") != key.sections:
        out.append(f"章节数：应为 {key.sections}，实际 {report.get('sections')}")
    return out


def _align(key: Key, got: list[dict]) -> tuple[list[tuple[dict | None, bool]], list[dict]]:
    """Match each key task, in order, to the next imported task whose text starts with the
    key's text (exact); failing that, to the first one that merely contains it (not exact: the
    task is wrong, but its owners and dates are still compared, to show what happened).
    Imported tasks matched by neither are extra."""
    matched: list[tuple[dict | None, bool]] = []
    used: set[int] = set()
    j = 0
    for kt in key.tasks:
        want = norm_text(kt.text)
        texts = [norm_text(t["stored"].get("text")) for t in got]
        hit = next((k for k in range(j, len(got)) if texts[k].startswith(want)), None)
        exact = hit is not None
        if hit is None:
            hit = next((k for k in range(len(got)) if want in texts[k]), None)
        if hit is None:
            matched.append((None, False))
            continue
        matched.append((got[hit], exact))
        used.add(hit)
        if exact:
            j = hit + 1
    extra = [t for i, t in enumerate(got) if i not in used]
    return matched, extra


def _owner_failures(key: Key, kt: KeyTask, task: dict | None) -> tuple[int, int, list[str]]:
    """(right, counted, messages) for one task's owners; counted = expected + extra."""
    expected = Counter((r, n) for r in ROLES for n in kt.owners[r])
    if task is None:
        return 0, sum(expected.values()), []
    got = Counter()
    wrong_kind: list[str] = []
    for o in task.get("owners", []):
        is_group = o["kind"] in ("group", "unresolved")
        if o["name"] in key.groups and not is_group:
            wrong_kind.append(f"「{o['name']}」应为单位组，却建成了单位")
            continue
        if o["name"] not in key.groups and is_group:
            wrong_kind.append(f"「{o['name']}」应为单位，却当成了单位组")
            continue
        got[(o["role"], o["name"])] += 1
    right = sum((expected & got).values())
    extra = sum((got - expected).values()) + len(wrong_kind)
    msgs = []
    for role in ROLES:
        want = [n for n in kt.owners[role]]
        have = [n for (r, n), c in got.items() for _ in range(c) if r == role]
        if sorted(want) != sorted(have):
            msgs.append(f"{ROLE_NAME[role]}单位 应为 {want}，实际 {have}")
    msgs.extend(wrong_kind)
    return right, sum(expected.values()) + extra, msgs


def _date_failure(kt: KeyTask, task: dict | None) -> str | None:
    if task is None:
        return "（任务未找到）"
    deadlines = task["stored"].get("deadlines", [])
    got, source = first_due(deadlines)
    words = f"（原文“{source['text']}”）" if source and source.get("text") else ""
    if got != kt.due:
        return f"期限 应为 {kt.due}{'（' + kt.rule + '）' if kt.rule else ''}，实际 {got}{words}"
    if _DATE.match(kt.due):
        recurring = source is not None and source["kind"] == "recurring"
        if kt.rule and not (recurring and norm_text(kt.rule) in norm_text(source["text"])):
            return f"期限 应为“{kt.rule}”的周期期限（首个 {kt.due}），实际是一次性期限{words}"
        if not kt.rule and recurring:
            return f"期限 应为一次性的 {kt.due}，实际是周期期限{words}"
    return None


def score_document(key: Key, imp: Imported, score: Score) -> list[str]:
    """Add one document to the score; return its differences, one line each."""
    failures: list[str] = []
    n = len(key.tasks)
    score.docs += 1
    score.tasks += n
    score.dates += n
    if imp.error:
        score.owners += sum(len(t.owners[r]) for t in key.tasks for r in ROLES)
        return [imp.error]
    failures += _meta_failures(key, imp.report)
    matched, extra = _align(key, imp.tasks)
    for kt, (task, exact) in zip(key.tasks, matched, strict=True):
        where = f"任务 {kt.label()}"
        if task is None:
            failures.append(f"{where}：没有导入为一项任务")
        elif not exact:
            inside = norm_text(task["stored"].get("text"))
            failures.append(
                f"{where}：没有单独导入为一项任务，这段文字在任务 {task['number']}"
                f"「{inside[:30]}…」里（下面的单位和期限按那一项比较）"
            )
        else:
            ok = True
            if kt.no and norm_number(task["number"]) != norm_number(kt.no):
                failures.append(f"{where}：编号应为 {kt.no}，实际 {task['number']}")
                ok = False
            text = task["stored"].get("text", "")
            if not quotes_in_order(text):
                failures.append(f"{where}：引号次序错乱：「{text[:60]}」")
                ok = False
            score.tasks_ok += ok
        right, counted, msgs = _owner_failures(key, kt, task)
        score.owners_ok += right
        score.owners += counted
        if task is not None:
            failures += [f"{where}：{m}" for m in msgs]
        date_msg = _date_failure(kt, task)
        if date_msg is None:
            score.dates_ok += 1
        elif task is not None:
            failures.append(f"{where}：{date_msg}")
    for t in extra:
        text = norm_text(t["stored"].get("text") or t.get("title"))
        failures.append(f"多出的任务 {t['number']}「{text[:40]}」（答案里没有这一项）")
        score.owners += len(t.get("owners", []))
    failures += [f"新建单位：{m}" for m in _unknown_unit_failures(key, imp.report)]
    if not failures:
        score.docs_ok += 1
    return failures


def _unknown_unit_failures(key: Key, report: dict) -> list[str]:
    out = []
    units = key.unit_names()
    for name in report.get("unknown_units", []):
        bad = [w for w in (*PERSON_LABELS, *BAD_OWNER_WORDS) if w in name]
        if bad:
            out.append(f"「{name}」不是单位名称（含“{bad[0]}”）")
        elif name not in units:
            out.append(f"「{name}」不是文件里写的单位（答案里没有这个单位）")
    return out


# ---------------------------------------------------------------- tests


def test_keys_are_well_formed():
    """The keys themselves: every document has one, every field says what the README says."""
    documents = sorted(
        p.name
        for p in CORPUS.iterdir()
        if p.suffix in DOCUMENT_SUFFIXES and p.is_file() and not p.name.endswith(".key.toml")
    )
    assert sorted(k.document for k in KEYS) == documents
    for key in KEYS:
        assert key.path.stat().st_size < 200 * 1024, key.document
        assert 8 <= len(key.tasks) <= 40, key.document
        assert key.years[0] <= key.years[1]
        assert key.issued == "" or _DATE.match(key.issued), key.document
        names = {n for t in key.tasks for r in ROLES for n in t.owners[r]}
        assert key.groups <= names, (key.document, key.groups - names)
        for t in key.tasks:
            assert t.text, key.document
            assert _DATE.match(t.due) or t.due in _DUE_WORDS, (key.document, t.label(), t.due)
            assert not t.rule or _DATE.match(t.due), (key.document, t.label())
            for role in ROLES:
                for name in t.owners[role]:
                    assert not any(w in name for w in PERSON_LABELS), (key.document, name)
    twins = [k for k in KEYS if k.twin_of]
    assert {Path(k.document).suffix for k in twins} >= {".txt", ".docx"}
    assert {Path(k.document).suffix for k in KEYS} == set(DOCUMENT_SUFFIXES)
    assert len({k.region for k in KEYS}) >= 8
    assert len({k.years for k in KEYS}) >= 6


def test_one_text_document_is_gbk():
    """Offices still send GBK text: one document is GBK, not UTF-8."""
    gbk = []
    for key in KEYS:
        if key.path.suffix != ".txt":
            continue
        data = key.path.read_bytes()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            data.decode("gbk")
            gbk.append(key.document)
    assert gbk, "no GBK-encoded text document in the corpus"


def test_corpus_score(cli, tmp_path_factory, capsys):
    """Every document against its key; prints the score line and asks for 100 %."""
    score = Score()
    report: list[str] = []
    for key in KEYS:
        failures = score_document(key, imported(cli, tmp_path_factory, key.document), score)
        if failures:
            report.append(f"== {key.document}（{len(failures)} 处）")
            report += [f"  {f}" for f in failures]
    with capsys.disabled():
        print(f"\n{score.line()}")
    assert score.perfect(), "\n".join([score.line(), *report])


def test_new_units_are_real_unit_names(cli, tmp_path_factory):
    """Person-labels, trailing phrases and group names never become units."""
    failures = []
    for key in KEYS:
        imp = imported(cli, tmp_path_factory, key.document)
        if imp.error:
            failures.append(f"{key.document}：{imp.error}")
            continue
        failures += [f"{key.document}：{m}" for m in _unknown_unit_failures(key, imp.report)]
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("twin", [k for k in KEYS if k.twin_of], ids=lambda k: k.document)
def test_traditional_twin_imports_like_its_original(cli, tmp_path_factory, twin):
    """The traditional-character twin gives the same tasks, owners and dates as the original."""
    original = imported(cli, tmp_path_factory, twin.twin_of)
    copy = imported(cli, tmp_path_factory, twin.document)
    assert not original.error, original.error
    assert not copy.error, copy.error

    def summary(imp: Imported) -> list[tuple]:
        return [
            (
                t["number"],
                tuple(sorted((o["role"], o["name"], o["kind"]) for o in t["owners"])),
                tuple(
                    sorted(
                        (d["kind"], d["due"] or "", d["rrule"] or "")
                        for d in t["stored"].get("deadlines", [])
                    )
                ),
            )
            for t in imp.tasks
        ]

    want, got = summary(original), summary(copy)
    diffs = [
        f"第 {i + 1} 项：原件 {a}，繁体 {b}"
        for i, (a, b) in enumerate(zip(want, got, strict=False))
        if a != b
    ]
    if len(want) != len(got):
        diffs.insert(0, f"任务数：原件 {len(want)}，繁体 {len(got)}")
    assert not diffs, "\n".join(diffs)
    assert norm_text(copy.report["plan_title"]) == norm_text(original.report["plan_title"])
    assert tuple(copy.report.get("period") or ()) == tuple(original.report.get("period") or ())
