"""The seal of a signed letter: a hash of what it says and the number it was given.

Signing records the seal in the letter's `letter.sign` audit row, which sits in the audit
hash chain; the letter's own row is not protected by triggers (its status, files and
reply change later). So a signed letter whose number, wording or items were changed
directly in the database no longer matches the seal the chain holds: `letters list` flags
it, and printing or rendering it is refused. Letters signed before seals existed have no
seal and are reported as such, never as tampered.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence

from sqlalchemy import bindparam, text
from sqlmodel import Session

# What a signed letter says: these columns never change after signing.
_LETTER_COLUMNS = (
    "number",
    "kind",
    "year",
    "seq",
    "unit_id",
    "addressee",
    "title",
    "body",
    "issued_on",
    "reply_due",
    "signed_by",
)
_ITEM_COLUMNS = (
    "assignment_id",
    "position",
    "task_number",
    "task_title",
    "due",
    "deadline_text",
    "last_progress",
    "earlier_letters",
    "reason",
    "missed",
)


def seals_of(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """The seal each letter's current content gives (letter id → SHA-256 hex)."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    conn = session.connection()
    letters = conn.execute(
        text(f"SELECT id, {', '.join(_LETTER_COLUMNS)} FROM letter WHERE id IN :ids").bindparams(
            bindparam("ids", expanding=True)
        ),
        {"ids": ids},
    ).all()
    items: dict[int, list] = {i: [] for i in ids}
    for row in conn.execute(
        text(
            f"SELECT letter_id, {', '.join(_ITEM_COLUMNS)} FROM letter_item "
            "WHERE letter_id IN :ids ORDER BY letter_id, position, id"
        ).bindparams(bindparam("ids", expanding=True)),
        {"ids": ids},
    ):
        # every value as text, NULL as "" (inline: 30,000 values in a batch of 300)
        items[row[0]].append(["" if v is None else str(v) for v in row[1:]])
    out: dict[int, str] = {}
    for row in letters:
        content = {
            "letter": ["" if v is None else str(v) for v in row[1:]],
            "items": items.get(row[0], []),
        }
        blob = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        out[row[0]] = hashlib.sha256(blob.encode("utf-8")).hexdigest()
    return out


def recorded_seals(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """The seal recorded when each letter was signed (absent: signed before seals)."""
    ids = sorted(set(ids))
    if not ids:
        return {}
    out: dict[int, str] = {}
    for entity_id, after in session.connection().execute(
        text(
            "SELECT entity_id, after FROM audit_log WHERE action = 'letter.sign' "
            "AND entity = 'letter' AND entity_id IN :ids ORDER BY id"
        ).bindparams(bindparam("ids", expanding=True)),
        {"ids": ids},
    ):
        try:
            seal = json.loads(after or "{}").get("seal")
        except ValueError:
            seal = None
        if seal:
            out[entity_id] = seal  # the latest signing wins (there is only one)
    return out


def broken_seals(session: Session, ids: Sequence[int]) -> list[int]:
    """Signed letters whose content no longer matches the seal recorded at signing."""
    recorded = recorded_seals(session, ids)
    current = seals_of(session, recorded)
    return [i for i in ids if i in recorded and current.get(i) != recorded[i]]


def broken_seal_message(numbers: Sequence[str]) -> str:
    return (
        f"函件 {'、'.join(numbers)} 的内容与签发时登记的封签不一致（签发后被直接改动过），"
        "不能打印或生成；请用 duban audit verify 和 duban check 检查数据库，必要时从备份恢复"
    )
