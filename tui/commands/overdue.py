"""`duban overdue`: every assignment past its deadline and not done, most pressing first.

Kept free of SQLAlchemy, SQLModel and Rich: it is measured as a whole process against
Taskwarrior's `task overdue` (bench/overdue_vs_taskwarrior.py).
"""

from __future__ import annotations

import codecs
import json
import os
import sys
from collections.abc import Callable
from datetime import date
from itertools import chain, compress, repeat
from operator import is_

from tui.errors import DubanError

ROLE_CN = {"lead": "牵头", "responsible": "责任", "supporting": "配合"}


def _plan_ids(conn, ref: str) -> set[int]:
    rows = conn.cursor().execute("SELECT id, title FROM plan").fetchall()
    if ref.isdigit() and int(ref) in {pid for pid, _ in rows}:
        return {int(ref)}
    hits = {pid for pid, title in rows if ref in title}
    if not hits:
        raise DubanError(f"找不到计划：{ref}")
    return hits


def _region_plan_ids(conn, region: str) -> set[int]:
    """The plans of a region (a city store holds several counties')."""
    cur = conn.cursor()
    rows = cur.execute("SELECT id, region FROM plan").fetchall()
    ids = {pid for pid, r in rows if r == region}
    if not ids:
        known = {r for _pid, r in rows if r}
        known |= {r for (r,) in cur.execute("SELECT name FROM region").fetchall()}
        if region not in known:
            raise DubanError(
                f"没有这个地区：{region}（库中的地区：{'、'.join(sorted(known)) or '无'}）"
            )
    return ids


def _unit_ids(conn, ref: str) -> set[int]:
    cur = conn.cursor()
    names = cur.execute("SELECT id, name FROM unit").fetchall()
    ids = {uid for uid, name in names if name == ref}
    aliases = cur.execute("SELECT unit_id FROM unit_alias WHERE alias = :ref", {"ref": ref})
    ids |= {r[0] for r in aliases.fetchall()}
    if not ids:  # a part of the name (a directory has a few hundred units)
        ids = {uid for uid, name in names if ref in name}
    if not ids:
        raise DubanError(f"找不到单位：{ref}")
    return ids


def run_overdue(args) -> int:
    from tui.commands.common import parse_date
    from tui.store.board import connect
    from tui.store.overdue_listing import read_overdue

    as_of = parse_date(args.as_of, "--as-of")
    conn = connect(args.db)
    try:
        units = _unit_ids(conn, args.unit) if args.unit else None
        plans = _plan_ids(conn, args.plan) if args.plan else None
        region = getattr(args, "region", None)
        if region:
            mine = _region_plan_ids(conn, region.strip())
            plans = mine if plans is None else plans & mine
        listing = read_overdue(conn, as_of, unit_ids=units, plan_ids=plans)
    finally:
        conn.close()
    if args.format == "json":
        _write_json(_records(listing, as_of))
    elif args.format == "csv":
        _write_csv(_records(listing, as_of))
    elif sys.stdout.isatty():
        from tui.commands.textable import print_table

        table = _table_rows(listing)
        print_table(HEADERS, table, max_widths=MAX_WIDTHS, styles=["red"] * len(table))
    else:  # a file or a pipe: tab-separated lines, every cell whole (`textable.print_table`)
        _write_plain("\t".join(HEADERS) + "\n", listing)
    if args.format == "table":
        sys.stdout.write(f"截至 {as_of.isoformat()}，逾期未完成 {len(listing.order)} 条\n")
    return 0


_NO_TEXT = {None: "—", "": "—"}
HEADERS = ["事项", "计划", "任务", "任务名称", "单位", "角色", "期限", "逾期", "最近进展"]
MAX_WIDTHS = [8, 14, 8, 30, 16, 4, 10, 7, 24]


def _table_rows(listing) -> list[tuple[str, ...]]:
    """The table's cells, each distinct task and unit formatted once (tens of thousands of
    rows name a few thousand tasks and a few hundred units)."""
    cols, order, statuses = listing.cols, listing.order, listing.statuses
    ids, tids, uids, gids = cols.ids, cols.task_ids, cols.unit_ids, cols.group_ids
    task_cells = {tid: (t[1], t[2], t[3]) for tid, t in cols.tasks.items()}
    unit_cells: dict[tuple, str] = {}
    for i in order:
        key = (uids[i], gids[i])
        if key not in unit_cells:
            name = listing.unit(i)[0]
            unit_cells[key] = name if uids[i] is not None else name + "（待分解）"
    roles = cols.roles
    rows = []
    append = rows.append
    for i, text in zip(order, listing.texts, strict=True):
        st = statuses[i]
        plan, number, title = task_cells[tids[i]]
        append(
            (
                str(ids[i]),
                plan,
                number,
                title,
                unit_cells[(uids[i], gids[i])],
                ROLE_CN.get(roles[i], roles[i]),
                st.due.isoformat(),
                f"{st.days}天",
                text or "—",
            )
        )
    return rows


def _plain_text(listing, encode: Callable[[str], bytes] | None = None) -> str | bytes:
    """The plain table's rows, as `textable.print_table` prints them when not on a terminal
    (tab-separated, every cell whole, each line ending in a newline), from each distinct
    task, unit, role, deadline and report formatted once with its separator, the rows then
    joined in one C call (a join per row, and one more of the rows, cost twice as much).
    With ``encode`` (a str → UTF-8 bytes), the same rows as bytes: each distinct cell is
    encoded once, rather than the whole listing at the end (`_write_plain`)."""
    from tui.commands.textable import plain_cell

    cols, order = listing.cols, listing.order
    if not order:
        return "" if encode is None else b""

    def pick(column) -> list:
        return list(map(column.__getitem__, order))

    def encoded(cells: dict) -> dict:
        return (
            cells if encode is None else dict(zip(cells, map(encode, cells.values()), strict=True))
        )

    ids, tids, roles = pick(cols.ids), pick(cols.task_ids), pick(cols.roles)
    uids = pick(cols.unit_ids)
    statuses = pick(listing.statuses)
    distinct_tasks = list(map(cols.tasks.__getitem__, dict.fromkeys(tids)))
    cells = [t[1:4] for t in distinct_tasks]
    if not "".join(chain.from_iterable(cells)).isprintable():  # one C-level test
        cells = [tuple(map(plain_cell, c)) for c in cells]
    # a task's cells with the tabs either side: the row's number before it is bare
    task_cells = encoded(
        dict(zip(dict.fromkeys(tids), map(_between_tabs, map("\t".join, cells)), strict=True))
    )
    # a unit's cell by its id; the few unresolved groups' rows filled in apart
    present = set(uids)
    unit_cells = {u: plain_cell(n) + "\t" for u, (n, _k) in cols.units.items() if u in present}
    units = list(map(encoded(unit_cells).get, uids))
    for k in compress(range(len(units)), map(is_, units, repeat(None))):
        name = listing.unit(order[k])[0] + ("（待分解）" if uids[k] is None else "")
        units[k] = plain_cell(name) + "\t" if encode is None else encode(plain_cell(name) + "\t")
    role_cells = encoded({r: plain_cell(ROLE_CN.get(r, r)) + "\t" for r in set(roles)})
    # statuses are shared objects, one per distinct verdict: keyed by identity
    keys = list(map(id, statuses))
    due_cells = encoded(
        {
            key: f"{st.due.isoformat()}\t{st.days}天\t"
            for key, st in dict(zip(keys, statuses, strict=True)).items()
        }
    )
    texts = list(map(_NO_TEXT.get, listing.texts, listing.texts))  # no report: —
    shown = dict.fromkeys(texts)
    if not "".join(shown).isprintable():  # one C-level test; cells only when it fails
        text_cells = {t: plain_cell(t) + "\n" for t in shown}
    else:
        text_cells = dict(zip(shown, map(_line_end, shown), strict=True))
    text_cells = encoded(text_cells)
    numbers: list = list(map(str, ids))
    if encode is not None:  # digits: the same bytes in UTF-8, converted in three C passes
        numbers = ",".join(numbers).encode("ascii").split(b",")
    return ("" if encode is None else b"").join(
        chain.from_iterable(
            zip(
                numbers,
                map(task_cells.__getitem__, tids),
                units,
                map(role_cells.__getitem__, roles),
                map(due_cells.__getitem__, keys),
                map(text_cells.__getitem__, texts),
                strict=True,
            )
        )
    )


def _write_plain(head: str, listing) -> None:
    """The header line and the rows on standard output. A UTF-8 stream (the usual case; on
    a platform that writes line ends as "\\r\\n" the text path keeps that) gets the rows as
    bytes built from cells encoded once each; any other stream gets text, as print would."""
    out = getattr(sys.stdout, "buffer", None)
    stream_encoding = getattr(sys.stdout, "encoding", None) or "ascii"
    if out is None or os.linesep != "\n" or codecs.lookup(stream_encoding).name != "utf-8":
        sys.stdout.write(head + _plain_text(listing))
        return
    errors = getattr(sys.stdout, "errors", None) or "strict"

    def encode(cell: str) -> bytes:
        return cell.encode("utf-8", errors)

    data = encode(head) + _plain_text(listing, encode)
    sys.stdout.flush()  # anything written as text goes first
    out.write(data)
    out.flush()


def _between_tabs(cell: str) -> str:
    return "\t" + cell + "\t"


def _line_end(cell: str) -> str:
    return cell + "\n"


# CSV columns (in JSON key order) for people opening the file in Excel.
CSV_HEADERS = {
    "assignment_id": "事项编号",
    "plan_id": "计划编号",
    "plan": "计划",
    "task_id": "任务编号",
    "task_number": "原文编号",
    "task_title": "任务名称",
    "unit": "单位",
    "unit_kind": "单位类别",
    "unresolved_group": "待分解",
    "role": "角色",
    "due": "期限",
    "days_overdue": "逾期天数",
    "urgency": "紧迫度",
    "last_progress": "最近进展",
    "last_progress_on": "最近进展日期",
    "letters_sent": "已发函件",
    "as_of": "截至",
}


def _cell(key: str, value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return ""
    if key == "role":
        return ROLE_CN.get(value, value)
    return str(value)


def _write_json(records: list[dict]) -> None:
    sys.stdout.write(json_indent1(records) + "\n")


def json_indent1(records: list[dict]) -> str:
    """``json.dumps(records, ensure_ascii=False, indent=1)`` for a list of flat records,
    written by the C encoder (an indent sends `json` to its pure-Python one, a third of a
    large listing): each pair is separated by a newline and two spaces, and only between
    two records does "}" follow such a separator, strings holding no raw newline."""
    if not records:
        return "[]"
    flat = json.dumps(records, ensure_ascii=False, separators=(",\n  ", ": "))
    body = flat[2:-2].replace("},\n  {", "\n },\n {\n  ")
    return "[\n {\n  " + body + "\n }\n]"


def _write_csv(records: list[dict]) -> None:
    """UTF-8 with a byte-order mark, so Excel opens the Chinese text as it is."""
    import csv  # only this format needs it: the listing's imports are timed
    import io

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(CSV_HEADERS.values())
    for rec in records:
        w.writerow([_cell(k, v) for k, v in rec.items()])
    data = ("\ufeff" + buf.getvalue()).encode("utf-8")
    out = getattr(sys.stdout, "buffer", None)
    if out is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    sys.stdout.flush()
    out.write(data)
    out.flush()


def _records(listing, as_of: date) -> list[dict]:
    """One dict per overdue row, most pressing first (the JSON and CSV outputs)."""
    cols = listing.cols
    day = as_of.isoformat()
    out = []
    for i, text in zip(listing.order, listing.texts, strict=True):
        aid = cols.ids[i]
        pid, ptitle, number, title = cols.tasks[cols.task_ids[i]][:4]
        name, kind = listing.unit(i)
        st = listing.statuses[i]
        last_on = cols.last_progress[i]
        sent = cols.letters[i]
        out.append(
            {
                "assignment_id": aid,
                "plan_id": pid,
                "plan": ptitle,
                "task_id": cols.task_ids[i],
                "task_number": number,
                "task_title": title,
                "unit": name,
                "unit_kind": kind,
                "unresolved_group": cols.unit_ids[i] is None,
                "role": cols.roles[i],
                "due": st.due.isoformat() if st.due else None,
                "days_overdue": st.days,
                "urgency": round(listing.urgencies[i], 2),
                "last_progress": text or None,
                "last_progress_on": last_on.isoformat() if last_on else None,
                "letters_sent": sent[0] if sent else 0,
                "as_of": day,
            }
        )
    return out
