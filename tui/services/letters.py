"""Letters at the desk: preview, draft, sign, render, print, reply, void, edit a draft.

Signing, printing, voiding and replies cannot be undone (a number once issued stays issued,
a printed letter has left the office): their `Change` is ``final`` and the desk says so
before it acts. The store functions of `tui.store.letters` do the work; this module only
opens their transactions and says what happened.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlmodel import Session

from tui.errors import DubanError
from tui.services.desk import Change
from tui.services.store import Store
from tui.store.db import transaction
from tui.store.desk import LetterLine, letter_lines
from tui.store.letters import (
    LetterRow,
    SignPreview,
    default_letters_dir,
    draft_letters,
    edit_draft,
    letter_model,
    list_letters,
    print_letters,
    record_reply,
    render_letters,
    sign_check,
    sign_letters,
    void_letter,
)

__all__ = ["LetterLine", "LetterPreview", "LetterRow", "SignPreview"]

LADDER_KINDS = ("督办", "提醒", "提示")


def _settings():
    from tui.config import load_settings

    return load_settings()


def letters_dir(store: Store) -> Path:
    return default_letters_dir(store.db)


def _rows(store: Store, ids: Sequence[int], today: date | None = None) -> list[LetterRow]:
    with Session(store.engine) as s:
        by_id = {r.id: r for r in list_letters(s, today=today)}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise DubanError(f"找不到函件：{missing[0]}")
    return [by_id[i] for i in ids]


def _pdf_paths(rows: Sequence[LetterRow]) -> list[str]:
    return [f["path"] for r in rows for f in r.files if f.get("type") == "pdf"]


# --------------------------------------------------------------------------- preview


@dataclass
class LetterPreview:
    letter_id: int
    text: str
    files: list[str] = field(default_factory=list)  # paths of the rendered .pdf/.docx
    lines: list[LetterLine] = field(default_factory=list)
    title: str = ""
    body: list[str] = field(default_factory=list)
    closing: str = ""
    status: str = ""


def preview(store: Store, letter_id: int) -> LetterPreview:
    from tui.letters.compose import preview_text

    with Session(store.engine) as s:
        letter, model = letter_model(s, letter_id)
        lines = letter_lines(s, letter_id)
    files = [f["path"] for f in json.loads(letter.files)] if letter.files else []
    return LetterPreview(
        letter_id,
        preview_text(model),
        files,
        lines,
        model.title,
        list(model.body_paragraphs),
        model.closing,
        letter.status,
    )


# --------------------------------------------------------------------------- drafting


def draft_due(store: Store, as_of: date, actor: str) -> Change:
    """Draft what the ladder proposes as of the desk's date: one letter per unit per kind."""
    with transaction(store.engine) as s:
        n = 0
        notes: list[str] = []
        for kind in LADDER_KINDS:
            result = draft_letters(s, kind, as_of, actor=actor)
            n += len(result)
            notes += list(result.notes)
        batch = s.info.get("batch", "")
    message = f"已起草 {n} 件函件（草稿，待签发）" if n else "截至今日没有应发的函件"
    # Nothing drafted is no change: it does not stand between `u` and the change before it.
    return Change(message, batch if n else "", "起草函件", final=bool(n), details=notes)


def edit_letter(
    store: Store,
    letter_id: int,
    actor: str,
    *,
    title: str | None = None,
    body_paragraphs: Sequence[str] | None = None,
    closing: str | None = None,
    remove: Sequence[int] = (),
) -> Change:
    with transaction(store.engine) as s:
        edit_draft(
            s,
            letter_id,
            actor,
            title=title,
            body_paragraphs=body_paragraphs,
            closing=closing,
            remove=remove,
        )
        batch = s.info.get("batch", "")
    extra = f"，移出事项 {len(remove)} 项" if remove else ""
    return Change(f"已修改函件草稿{extra}", batch, "修改函件草稿", final=True)


# --------------------------------------------------------------------------- signing


def sign_preview(store: Store, ids: Sequence[int], on: date, by: str = "") -> list[SignPreview]:
    """What signing these drafts on ``on`` would do: each one's number (if nobody signs in
    between), its dates, what changed since it was drafted, why signing would be refused."""
    with Session(store.engine) as s:
        return sign_check(s, list(ids), on, by=by or None)


def sign(store: Store, ids: Sequence[int], signer: str, actor: str, on: date) -> Change:
    letters = sign_letters(store.engine, list(ids), signer, on=on, actor=actor)
    numbers = "、".join(x.number or "" for x in letters)
    return Change(
        f"已签发 {len(letters)} 件：{numbers}（签发人 {signer.strip()}）",
        "",
        "签发函件",
        final=True,
        details=[x.number or "" for x in letters],
    )


# --------------------------------------------------------------------------- files, printing


def render(store: Store, ids: Sequence[int], actor: str) -> Change:
    out = letters_dir(store)
    done = render_letters(store.engine, list(ids), out, actor=actor)
    paths = [str(r.pdf) for r in done]
    log = getattr(done, "log", "")
    return Change(
        f"已生成 {len(done)} 件函件的 PDF 和 Word 文件：{out}" + (f"（{log}）" if log else ""),
        "",
        "生成函件文件",
        final=True,
        details=paths,
    )


def print_batch(store: Store, ids: Sequence[int], actor: str) -> Change:
    jobs = print_letters(store.engine, list(ids), actor, out_dir=letters_dir(store))
    where = "、".join(dict.fromkeys(j.printer for j in jobs))
    paths = _pdf_paths(_rows(store, ids))
    return Change(f"已送打印机（{where}）{len(jobs)} 件", "", "打印函件", final=True, details=paths)


# --------------------------------------------------------------------------- replies, void


def reply(
    store: Store,
    letter_id: int,
    replied_on: date,
    text: str,
    actor: str,
    *,
    settle: str | date | None = None,
    items: Sequence[int] | None = None,
) -> Change:
    with transaction(store.engine) as s:
        record_reply(s, letter_id, replied_on, text, actor, settle=settle, items=items)
        batch = s.info.get("batch", "")
    what = {"done": "，所列事项验收销号"}.get(settle, "") if isinstance(settle, str) else ""
    if isinstance(settle, date):
        what = f"，事项期限延至 {settle.isoformat()}"
    return Change(f"已登记回复（{replied_on.isoformat()}）{what}", batch, "登记回复", final=True)


def void(store: Store, letter_id: int, reason: str, actor: str) -> Change:
    with transaction(store.engine) as s:
        letter = void_letter(s, letter_id, reason, actor)
        number = letter.number or f"草稿 {letter.id}"
        batch = s.info.get("batch", "")
    return Change(f"已作废：{number}（原因：{reason.strip()}）", batch, "作废函件", final=True)
