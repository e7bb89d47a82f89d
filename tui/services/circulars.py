"""Circulars (通报) as use cases: draft, check, sign, render, print, void, list.

The command line calls these; the desk calls the same functions from a thread worker.
Each takes the store's Engine and owns its transaction: every write is one transaction
with the write lock taken first (tui.store.db.transaction → begin_write) and audited.

- `draft_circular` reads the plan's facts as of a date and stores them as the circular's
  figures (a snapshot: what the circular states never changes with the store afterwards);
- `sign_preview` says which number signing would take now (reads only); `sign_circular`
  takes the next 期 of the signing year under the lock and freezes the wording, refusing
  when the caller was shown a different number (another desk signed meanwhile);
- `render_circular` writes the .docx (and the .pdf) into a staging file each and records
  them; `print_circular` prints through the letters' CUPS path and records 已打印;
- `void_circular` keeps the number: numbers are never reused.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from tui.errors import DubanError, os_reason
from tui.file_hash import file_sha256

CHART_TITLE = "各单位完成率"


@dataclass
class CircularRow:
    """One line of the register, for the command line and the desk."""

    id: int
    number: str  # "2024年第3期" or "（草稿）"
    status: str
    plan_title: str
    as_of: date
    issued_on: date | None
    signed_by: str
    title: str
    items: int
    done: int
    overdue: int
    units: int

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "number": self.number,
            "status": self.status,
            "plan": self.plan_title,
            "as_of": self.as_of.isoformat(),
            "issued_on": self.issued_on.isoformat() if self.issued_on else None,
            "signed_by": self.signed_by,
            "title": self.title,
            "items": self.items,
            "done": self.done,
            "overdue": self.overdue,
            "units": self.units,
        }


def _row(c, figures) -> CircularRow:
    return CircularRow(
        c.id,
        c.number or "（草稿）",
        c.status,
        figures.plan_title,
        c.as_of,
        c.issued_on,
        c.signed_by or "",
        c.title,
        figures.items,
        figures.done,
        figures.overdue,
        len(figures.units),
    )


def _settings(settings):
    if settings is not None:
        return settings
    from tui.config import load_settings

    return load_settings()


def _identity(settings, region: str):
    return settings.for_region(region) if hasattr(settings, "for_region") else settings


# ----------------------------------------------------------------------------- draft


@dataclass
class DraftResult:
    circular: CircularRow
    figures: object  # tui.reports.circular.CircularFigures
    batch: str


def draft_circular(
    engine: Engine,
    *,
    as_of: date,
    actor: str,
    plan: str | None = None,
    plan_id: int | None = None,
    region: str | None = None,
    settings=None,
    template_dir: Path | None = None,
) -> DraftResult:
    """Read the plan's figures as of ``as_of`` and register them as a draft circular."""
    from tui.reports.circular import build_figures, compose, load_template
    from tui.store.circulars import circular_facts, insert_draft
    from tui.store.db import transaction
    from tui.store.reports import pick_plans

    settings = _settings(settings)
    tpl = load_template(template_dir)  # a broken template fails before anything is written
    with transaction(engine) as s:
        ref = str(plan_id) if plan_id is not None else plan
        info = pick_plans(s, ref, single=True, region=region)[0]
        facts = circular_facts(s, info.id, as_of)
        if not facts.items:
            raise DubanError(
                f"截至 {as_of.isoformat()}，计划“{info.title}”没有落实到具体单位的事项，无从通报"
            )
        figures = build_figures(
            plan_id=info.id,
            plan_title=info.title,
            as_of=as_of,
            tasks=facts.tasks,
            items=facts.items,
            unresolved=facts.unresolved,
            letters=facts.letters,
            soon_days=settings.soon_days,
        )
        ident = _identity(settings, info.region)
        text = compose(
            figures,
            tpl,
            issuer_mark=ident.issuer_mark,
            signature=ident.office,
            office_short=ident.office_short,
            number=None,
            on=as_of,
        )
        c = insert_draft(s, info.id, as_of, text.title, figures.to_json(), actor)
        row = _row(c, figures)
        batch = s.info["batch"]
    return DraftResult(row, figures, batch)


# ----------------------------------------------------------------------------- read


def list_circulars(engine: Engine, region: str | None = None) -> list[CircularRow]:
    """The register; with ``region``, the circulars of that region's plans (a city store)."""
    from tui.reports.circular import CircularFigures
    from tui.store.circulars import list_circulars as rows
    from tui.store.queries import region_plan_ids

    with Session(engine) as s:
        plan_ids = set(region_plan_ids(s, region)) if region else None
        return [_row(c, CircularFigures.from_json(c.figures)) for c in rows(s, plan_ids)]


def circular_figures(engine: Engine, ref: str | int):
    """(register row, figures snapshot) of one circular."""
    from tui.reports.circular import CircularFigures
    from tui.store.circulars import get_circular

    with Session(engine) as s:
        c = get_circular(s, ref)
        figures = CircularFigures.from_json(c.figures)
        return _row(c, figures), figures


def circular_text(
    engine: Engine,
    ref: str | int,
    *,
    settings=None,
    template_dir: Path | None = None,
    on: date | None = None,
):
    """The wording as it prints: frozen for a signed circular; for a draft, composed from its
    snapshot with the current template and settings (dated ``on``, default its as-of date)."""
    from tui.reports.circular import CircularFigures, CircularText, compose, load_template
    from tui.store.circulars import get_circular
    from tui.store.reports import pick_plans

    with Session(engine) as s:
        c = get_circular(s, ref)
        if c.body:
            return c, CircularText.from_json(c.body)
        figures = CircularFigures.from_json(c.figures)
        region = pick_plans(s, str(c.plan_id))[0].region
    ident = _identity(_settings(settings), region)
    text = compose(
        figures,
        load_template(template_dir),
        issuer_mark=ident.issuer_mark,
        signature=ident.office,
        office_short=ident.office_short,
        number=None,
        on=on or c.as_of,
    )
    return c, text


# ----------------------------------------------------------------------------- sign


@dataclass
class SignPreview:
    id: int
    number: str  # what signing now would take: 2024年第3期
    sign_date: date
    as_of: date
    problems: list[str]

    def summary(self) -> str:
        return (
            f"通报 {self.id} 将编为 {self.number}，签发日期 {self.sign_date.isoformat()}"
            f"（数字截至 {self.as_of.isoformat()}）"
        )


def sign_preview(
    engine: Engine, ref: str | int, on: date, *, by: str = "", settings=None
) -> SignPreview:
    """What signing now would do; reads only."""
    from tui.store.circulars import DRAFT, get_circular, number_text, peek_seq
    from tui.store.reports import pick_plans

    settings = _settings(settings)
    with Session(engine) as s:
        c = get_circular(s, ref)
        seq = peek_seq(s, on.year)
        region = pick_plans(s, str(c.plan_id))[0].region
    problems = _sign_problems(c, DRAFT, on, by, _identity(settings, region))
    return SignPreview(c.id, number_text(on.year, seq), on, c.as_of, problems)


def _sign_problems(c, draft: str, on: date, by: str, ident) -> list[str]:
    problems = []
    if c.status != draft:
        problems.append(f"通报 {c.id} 已是“{c.status}”（{c.number or '无期号'}），只有草稿可以签发")
    if on < c.as_of:
        problems.append(f"签发日期 {on.isoformat()} 早于通报数字的截止日期 {c.as_of.isoformat()}")
    try:
        ident.require_identity()
    except DubanError as exc:
        problems.append(exc.message)
    signers = getattr(ident, "signers", ())
    if by and signers and by not in signers:
        problems.append(f"签发人“{by}”不在设置的签发人名单中（{'、'.join(signers)}）")
    return problems


def sign_circular(
    engine: Engine,
    ref: str | int,
    by: str,
    *,
    on: date,
    actor: str,
    expect_number: str | None = None,
    settings=None,
    template_dir: Path | None = None,
):
    """签发: take the next 期 of ``on``'s year and freeze the wording; one transaction.

    ``expect_number`` is the number the user confirmed; if another desk took it meanwhile,
    nothing is signed and the message says which number it would be now."""
    from tui.reports.circular import CircularFigures, compose, load_template
    from tui.store.circulars import DRAFT, get_circular, mark_signed, number_text, take_seq
    from tui.store.db import transaction
    from tui.store.reports import pick_plans

    by = " ".join((by or "").split())
    if not by:
        raise DubanError("签发必须写明签发人（--by 姓名）")
    settings = _settings(settings)
    tpl = load_template(template_dir)
    with transaction(engine) as s:
        c = get_circular(s, ref)
        region = pick_plans(s, str(c.plan_id))[0].region
        ident = _identity(settings, region)
        problems = _sign_problems(c, DRAFT, on, by, ident)
        if problems:
            raise DubanError(problems[0])
        seq = take_seq(s, on.year)
        number = number_text(on.year, seq)
        if expect_number is not None and number != expect_number:
            raise DubanError(
                f"确认时的期号 {expect_number} 已被占用（其他人刚签发了通报），现在将是 {number}；"
                "未签发，请重新确认"
            )
        text = compose(
            CircularFigures.from_json(c.figures),
            tpl,
            issuer_mark=ident.issuer_mark,
            signature=ident.office,
            office_short=ident.office_short,
            number=f"第{seq}期",
            on=on,
        )
        mark_signed(
            s,
            c,
            year=on.year,
            seq=seq,
            on=on,
            by=by,
            body=text.to_json(),
            title=text.title,
            actor=actor,
        )
        s.refresh(c)
        figures = CircularFigures.from_json(c.figures)
        return _row(c, figures)


# ----------------------------------------------------------------------------- render, print


@dataclass
class Rendered:
    id: int
    number: str
    docx: Path
    pdf: Path | None
    pages: int


def _stem(c) -> str:
    return f"通报{c.number}" if c.number else f"通报草稿{c.id}"


def render_circular(
    engine: Engine,
    ref: str | int,
    out_dir: str | Path,
    *,
    actor: str,
    pdf: bool = True,
    settings=None,
    template_dir: Path | None = None,
    fonts=None,
) -> Rendered:
    """Write the .docx (and the .pdf) and record them with their checksums (audited)."""
    from tui.letters.fonts import resolve_fonts
    from tui.reports.circular_docx import write_docx
    from tui.reports.circular_pdf import chart_pictures, write_pdf
    from tui.services.reports import _prepare_dir as prepare_dir
    from tui.store.circulars import get_circular, set_files
    from tui.store.db import transaction

    settings = _settings(settings)
    c, text = circular_text(engine, ref, settings=settings, template_dir=template_dir)
    if c.status == "作废":
        raise DubanError(f"通报 {c.id}（{c.number or '草稿'}）已作废，不再生成")
    out = Path(out_dir).expanduser()
    prepare_dir(out)
    fonts = fonts or resolve_fonts(settings.font_file or None)
    stem = _stem(c)
    docx_path, pdf_path = out / f"{stem}.docx", out / f"{stem}.pdf"
    staging = Path(tempfile.mkdtemp(prefix=".duban-circular-", dir=out))
    try:
        rendered = write_pdf(staging / pdf_path.name, text, fonts, CHART_TITLE)
        write_docx(staging / docx_path.name, text, chart_pictures(rendered))
        os.replace(staging / docx_path.name, docx_path)
        if pdf:
            os.replace(staging / pdf_path.name, pdf_path)
    except OSError as exc:
        raise DubanError(f"无法写入通报文件：{exc.filename or out}（{os_reason(exc)}）") from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    pages = rendered.pages
    files = [{"path": str(docx_path.resolve()), "sha256": file_sha256(docx_path), "type": "docx"}]
    if pdf:
        files.append(
            {
                "path": str(pdf_path.resolve()),
                "sha256": file_sha256(pdf_path),
                "type": "pdf",
                "pages": pages,
            }
        )
    with transaction(engine) as s:
        set_files(s, get_circular(s, c.id), files, actor)
    return Rendered(c.id, c.number or "", docx_path, pdf_path if pdf else None, pages)


def _current_pdf(c) -> Path | None:
    for f in json.loads(c.files) if c.files else []:
        if f.get("type") == "pdf":
            p = Path(f["path"])
            if p.is_file() and file_sha256(p) == f.get("sha256"):
                return p
    return None


def print_circular(
    engine: Engine,
    ref: str | int,
    actor: str,
    *,
    out_dir: str | Path,
    printer: str | None = None,
    settings=None,
    template_dir: Path | None = None,
):
    """Print a signed circular through CUPS (tui.letters.printing); its PDF is rendered
    first when the recorded one is missing or changed. Recorded as 已打印 once queued."""
    from tui.letters.printing import print_pdf
    from tui.store.circulars import DRAFT, VOID, get_circular, mark_printed
    from tui.store.db import transaction

    settings = _settings(settings)
    printer = settings.printer if printer is None else printer
    with Session(engine) as s:
        c = get_circular(s, ref)
        if c.status == VOID:
            raise DubanError(f"通报 {c.id} 已作废，不能打印")
        if c.status == DRAFT:
            raise DubanError(f"通报 {c.id} 是草稿，尚未签发，不能打印（先用 circular sign 签发）")
        pdf = _current_pdf(c)
        cid, number = c.id, c.number or ""
    if pdf is None:
        pdf = render_circular(
            engine, cid, out_dir, actor=actor, settings=settings, template_dir=template_dir
        ).pdf
    job = print_pdf(pdf, printer, title=f"通报{number}")
    with transaction(engine) as s:
        mark_printed(
            s,
            get_circular(s, cid),
            actor,
            {"printer": job.printer, "job": job.job, "file": job.path},
        )
    return job


def void_circular(engine: Engine, ref: str | int, reason: str, actor: str) -> CircularRow:
    from tui.reports.circular import CircularFigures
    from tui.store.circulars import get_circular, void
    from tui.store.db import transaction

    with transaction(engine) as s:
        c = get_circular(s, ref)
        void(s, c, reason, actor)
        s.flush()
        return _row(c, CircularFigures.from_json(c.figures))


# ----------------------------------------------------------------------------- the desk
# The desk's calls (run in its thread workers): the store handle in, a `Change` out for
# writes, as tui.services.letters does. Drafting, signing and voiding cannot be undone (a
# number once issued stays issued): their Change is ``final``.


def default_circulars_dir(db: str | None) -> Path:
    """Where circulars are written unless told otherwise: `通报/` beside the store."""
    from tui.store.letters import default_letters_dir

    return default_letters_dir(db).parent / "通报"


def circulars_dir(store) -> Path:
    return default_circulars_dir(store.db)


def desk_plans(store, region: str | None = None) -> list[tuple[int, str]]:
    """The plans a circular can be drafted for: the desk's region's, or every plan."""
    from tui.store.queries import region_plan_ids
    from tui.store.reports import all_plans

    with Session(store.engine) as s:
        ours = set(region_plan_ids(s, region)) if region else None
        return [(p.id, p.title) for p in all_plans(s) if ours is None or p.id in ours]


def desk_register(store, region: str | None = None) -> list[CircularRow]:
    return list_circulars(store.engine, region)


def desk_figures(store, circular_id: int):
    return circular_figures(store.engine, circular_id)[1]


def desk_draft(store, plan_id: int, as_of: date, actor: str):
    from tui.services.desk import Change

    r = draft_circular(store.engine, as_of=as_of, actor=actor, plan_id=plan_id)
    f = r.figures
    return Change(
        f"已起草通报草稿 {r.circular.id}（截至 {as_of.isoformat()}：{len(f.units)} 个单位，"
        f"{f.items} 项事项，已办结 {f.done} 项，逾期 {f.overdue} 项）",
        r.batch,
        "起草通报",
        final=True,
    )


def desk_sign_preview(store, circular_id: int, on: date) -> SignPreview:
    return sign_preview(store.engine, circular_id, on)


def desk_sign(store, circular_id: int, by: str, actor: str, on: date, expect: str):
    from tui.services.desk import Change

    row = sign_circular(store.engine, circular_id, by, on=on, actor=actor, expect_number=expect)
    return Change(
        f"已签发通报 {row.number}（签发人 {row.signed_by}）",
        "",
        "签发通报",
        final=True,
        details=[row.number],
    )


def desk_render(store, circular_id: int, actor: str):
    from tui.services.desk import Change

    done = render_circular(store.engine, circular_id, circulars_dir(store), actor=actor)
    files = [str(done.pdf), str(done.docx)]
    return Change(
        f"已生成通报文件：{done.pdf}（{done.pages} 页）及 Word 文件", "", "", details=files
    )


def desk_void(store, circular_id: int, reason: str, actor: str):
    from tui.services.desk import Change

    row = void_circular(store.engine, circular_id, reason, actor)
    return Change(f"通报 {row.number} 已作废，期号保留不再使用", "", "作废通报", final=True)
