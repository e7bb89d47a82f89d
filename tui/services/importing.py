"""Importing a plan from the desk, in two steps so the officer decides in between.

`check_plan` reads and parses the document and runs the importer without writing (the dry
run's report); `import_plan` writes the same parsed plan. A question may be put between the
two (e.g. "a new plan, or a revision of X?") without touching either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tui.services.store import Store
from tui.store.importer import ImportReport, import_parsed

__all__ = ["ImportCheck", "ImportReport", "check_plan", "import_plan"]

Progress = Callable[[str, int, int], None]


@dataclass
class ImportCheck:
    """A parsed document and what importing it would do (nothing written yet)."""

    path: Path
    parsed: object  # tui.ingest.parser.ParsedPlan
    kind: str
    encoding: str | None
    report: ImportReport


def check_plan(
    store: Store, path: Path, actor: str, progress: Progress | None = None
) -> ImportCheck:
    from tui.ingest.parser import parse_document
    from tui.ingest.readers import read_document

    doc = read_document(path)
    parsed = parse_document(doc)
    report = import_parsed(
        store.engine,
        parsed,
        source=str(path),
        kind=doc.kind,
        encoding=doc.encoding,
        dry_run=True,
        actor=actor,
        progress=progress,
    )
    return ImportCheck(path, parsed, doc.kind, doc.encoding, report)


def import_plan(
    store: Store, check: ImportCheck, actor: str, progress: Progress | None = None
) -> ImportReport:
    return import_parsed(
        store.engine,
        check.parsed,
        source=str(check.path),
        kind=check.kind,
        encoding=check.encoding,
        actor=actor,
        progress=progress,
    )
