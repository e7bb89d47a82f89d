"""Importing a plan from the desk, in steps so the officer decides in between.

`check_plan` reads and parses the document and runs the importer without writing (the dry
run's report). When the store has a plan of the same title and cannot tell whether the file
is its revision, the check carries the question instead of a report (`ImportCheck.question`)
and `answer` runs the check again with the officer's answer. The import review's fixes are
`Correction`s; `review_again` runs the check with them, so what the review shows is exactly
what `import_plan` then writes — in one transaction, with the fixes stored beside the plan.
Nothing is written before `import_plan`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from tui.errors import DubanError
from tui.ingest.corrections import KIND_LABEL, Correction
from tui.ingest.corrections import validate as validate_correction
from tui.ingest.parser import ROLES
from tui.ingest.vocab import Vocabulary
from tui.services.office_vocab import office_vocabulary
from tui.services.store import Store
from tui.store.importer import ImportReport, PlanQuestion, PlanSummary, import_parsed

__all__ = [
    "KIND_LABEL",
    "Correction",
    "ImportCheck",
    "ImportReport",
    "PlanSummary",
    "answer",
    "check_plan",
    "deadline_fix",
    "import_plan",
    "office_vocabulary",
    "owners_fix",
    "review_again",
]

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class PlanChoice:
    """The plan-identity question: the file (``incoming``) and the plans it could continue."""

    incoming: PlanSummary
    candidates: list[PlanSummary]


@dataclass
class ImportCheck:
    """A parsed document and what importing it would do (nothing written yet).

    Exactly one of ``report`` and ``question`` is set: the dry run's report, or the question
    the officer must answer before there can be one."""

    path: Path
    parsed: object  # tui.ingest.parser.ParsedPlan, as read (no fixes applied)
    kind: str
    encoding: str | None
    vocabulary: Vocabulary
    report: ImportReport | None = None
    question: PlanChoice | None = None
    new_plan: bool = False
    revision_of: int | None = None
    corrections: list[Correction] = field(default_factory=list)  # this review's fixes, in order

    @property
    def decision(self) -> str:
        """The officer's answer to the plan question, in words (empty when none was asked)."""
        if self.new_plan:
            return "作为新计划导入"
        if self.revision_of is not None:
            return f"作为计划 {self.revision_of} 的修订版导入"
        return ""


def check_plan(
    store: Store, path: Path, actor: str, progress: Progress | None = None
) -> ImportCheck:
    """Read, parse (with the office's vocabulary) and dry-run the import of ``path``."""
    from tui.ingest.parser import parse_document
    from tui.ingest.readers import read_document
    from tui.store.importer import check_has_tasks

    vocabulary = office_vocabulary()
    doc = read_document(path)
    parsed = parse_document(doc, vocabulary)
    check_has_tasks(parsed, str(path))
    check = ImportCheck(path, parsed, doc.kind, doc.encoding, vocabulary)
    return _dry_run(store, check, actor, progress)


def answer(
    store: Store,
    check: ImportCheck,
    actor: str,
    *,
    new_plan: bool = False,
    revision_of: int | None = None,
    progress: Progress | None = None,
) -> ImportCheck:
    """The check again with the officer's answer to the plan question."""
    if new_plan == (revision_of is not None):
        raise DubanError("请选择：作为新计划导入，或作为某个计划的修订版导入")
    asked = replace(check, new_plan=new_plan, revision_of=revision_of, report=None, question=None)
    return _dry_run(store, asked, actor, progress)


def review_again(
    store: Store,
    check: ImportCheck,
    actor: str,
    corrections: list[Correction],
    progress: Progress | None = None,
) -> ImportCheck:
    """The check again with the review's fixes (all of them, in the order made)."""
    for c in corrections:
        validate_correction(c)
    fixed = replace(check, corrections=list(corrections), report=None, question=None)
    return _dry_run(store, fixed, actor, progress)


def import_plan(
    store: Store, check: ImportCheck, actor: str, progress: Progress | None = None
) -> ImportReport:
    """Write the checked plan, with the review's fixes, in one transaction."""
    try:
        return _import(store, check, actor, progress, dry_run=False)
    except PlanQuestion:
        # Another desk imported a plan of the same title since the check.
        raise DubanError(
            "检查之后数据库里出现了同名计划，未写入任何数据：请重新导入（按 i），"
            "回答是新计划还是修订版"
        ) from None


def _dry_run(
    store: Store, check: ImportCheck, actor: str, progress: Progress | None
) -> ImportCheck:
    try:
        report = _import(store, check, actor, progress, dry_run=True)
    except PlanQuestion as q:
        return replace(check, report=None, question=PlanChoice(q.incoming, q.candidates))
    return replace(check, report=report, question=None)


def _import(
    store: Store, check: ImportCheck, actor: str, progress: Progress | None, *, dry_run: bool
) -> ImportReport:
    return import_parsed(
        store.engine,
        check.parsed,
        source=str(check.path),
        kind=check.kind,
        encoding=check.encoding,
        dry_run=dry_run,
        actor=actor,
        progress=progress,
        new_plan=check.new_plan,
        revision_of=str(check.revision_of) if check.revision_of is not None else None,
        corrections=check.corrections,
    )


# ---------------------------------------------------------------------------- review fixes


def owners_fix(check: ImportCheck, task_key: str, typed: dict[str, str]) -> Correction:
    """A task's owners as typed in the review (role → names separated by 、，；), read with
    the same owner grammar the parser uses (groups recognised, trailing phrases trimmed)."""
    from tui.ingest.owners import OwnerGrammar

    grammar = OwnerGrammar(check.vocabulary)
    rows: list[list[object]] = []
    seen: set[tuple[str, str]] = set()
    for role in ROLES:
        for o in grammar.names(role, typed.get(role, "") or ""):
            if (role, o.name) not in seen:
                seen.add((role, o.name))
                rows.append([role, o.name, o.group])
    fix = Correction("owners", task_key, rows)
    if rows:
        validate_correction(fix)
    return fix


def deadline_fix(check: ImportCheck, task_key: str, words: str) -> tuple[Correction, str]:
    """A task's deadline words as typed in the review, and how they are understood; a
    DubanError (one Chinese line) when they say no date the importer can read."""
    from tui.domain.deadlines import task_deadlines
    from tui.domain.plan_context import PlanContext

    words = words.strip()
    if not words:
        raise DubanError("请填写期限，如 2025年6月底前、每年1月8日前，或“长期坚持”")
    period = check.report.period if check.report is not None else None
    ctx = PlanContext(period[0], period[1], "plan") if period else None
    found = [d for d in task_deadlines("", ctx, words) if d.kind != "default"]
    if not found:
        raise DubanError(f"无法识别期限“{words}”：请写成 2025年6月底前、2025-06-30 或 每年1月8日前")
    fix = Correction("deadline", task_key, words)
    validate_correction(fix)
    return fix, describe_deadline(found[0])


def describe_deadline(d) -> str:
    """One deadline as the review shows it: the date (or the rule) and the words read."""
    if d.kind == "ongoing":
        return "长期（无固定期限）"
    if d.kind == "recurring":
        return f"周期：{d.text}"
    if d.kind == "relative":
        return f"相对期限：{d.text}"
    if d.due is not None:
        return d.due.isoformat()
    return d.text
