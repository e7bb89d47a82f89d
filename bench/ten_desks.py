"""Ten desks on one PostgreSQL store (issue 15): progress on the same items, letters signed at
once, nothing lost (GUIDE §7–8).

    DUBAN_BENCH_PG=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        python bench/ten_desks.py --size 200000 --items 1000 --writes 100 --runs 5

The generated store (bench/gen_store.py, cached) is copied into a fresh database on the
server (bench/pg_desk_bench.py), the ladder's letters are drafted, then ten processes — each
one desk officer going through the service layer as the desk does — are released together:
each records progress on items drawn from the same ``--items`` assignments, every write
made from a board read just before (`seen`, the audit trail's latest id, as the desk keeps
it), so a write over another desk's change is refused ("已被他人修改") instead of landing.
Then the ten sign the drafted letters at the same moment, one letter per transaction.

Reported per run: writes per second (landed writes over the span from the first start to
the last finish), conflicts (refused writes), lost updates — a write reported as landed
whose progress row is not in the store once, or a refused one whose row is — which must be
0, and the letters' numbers: 1…N per kind and year, no gap, no duplicate. Exit 1 on a lost
update or a numbering fault, or when a figure is over its budget.

``--quick`` runs at a tiny size on SQLite when no server is named (CI: only a crash fails).
tests/test_ten_desks.py runs `run_round` at a small size on both stores.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.harness import Figure, cached_store, report  # noqa: E402

DESKS = 10
MARK = "并发台"  # progress texts: f"{MARK}{round}-{desk}第{i}条"
# Landed writes per second, ten desks together: a floor. A desk officer records a report
# every few seconds at most; ten of them at one a second each is already far past the day.
WRITES_BUDGET = 10.0


# --------------------------------------------------------------------------- one desk


def _child(argv: list[str]) -> int:
    """One desk: wait for the go, write, then sign its share of the letters; print JSON."""
    db, gate, me, items_arg, writes, letters_arg, as_of, think_ms, tag = argv
    from tui.errors import DubanError
    from tui.services.desk import record_progress_items
    from tui.services.letters import sign
    from tui.services.store import close_store, open_store
    from tui.store.concurrency import ChangedByOther, latest_change

    items = [int(x) for x in items_arg.split(",")]
    letters = [int(x) for x in letters_arg.split(",") if x]
    on = date.fromisoformat(as_of)
    actor = f"{MARK}{me}"
    rng = random.Random(int(me))
    store = open_store(db)
    from sqlmodel import Session

    Path(f"{gate}.{me}").touch()  # ready
    while not os.path.exists(gate):
        time.sleep(0.001)
    landed, refused, failed = [], [], []
    t0 = time.time()
    for i in range(int(writes)):
        aid = rng.choice(items)
        with Session(store.engine) as s:  # the board a desk has just read
            seen = latest_change(s)
        if think_ms:
            time.sleep(rng.random() * int(think_ms) / 1000)
        text = f"{MARK}{tag}-{me}第{i}条"
        try:
            record_progress_items(store, [aid], text, on, actor, seen=seen)
        except ChangedByOther:
            refused.append(text)
        except DubanError as exc:  # a store error: reported, counted as a failure
            failed.append(f"{text}：{exc.message}")
        else:
            landed.append(text)
    t1 = time.time()
    numbers = []
    for lid in letters:
        change = sign(store, [lid], "主任", actor, on)
        numbers.extend(change.details)
    t2 = time.time()
    close_store(store)
    print(
        json.dumps(
            {
                "landed": landed,
                "refused": refused,
                "failed": failed,
                "numbers": numbers,
                "t0": t0,
                "t1": t1,
                "t2": t2,
            },
            ensure_ascii=False,
        )
    )
    return 0


# --------------------------------------------------------------------------- one round


@dataclass
class Round:
    desks: int
    writes: int  # attempted, all desks
    landed: int
    refused: int
    failed: list[str]
    lost: int  # landed but not in the store exactly once, or refused but in the store
    seconds: float  # first start to last finish of the writes
    letters: int
    numbering_faults: list[str] = field(default_factory=list)
    sign_seconds: float = 0.0

    @property
    def writes_per_s(self) -> float:
        return self.landed / self.seconds if self.seconds else 0.0

    @property
    def overlapped(self) -> bool:
        return self._overlap

    _overlap: bool = False


def _query(db: str, sql: str, params: dict | None = None) -> list[tuple]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    url = db if "://" in db else f"sqlite:///{db}"
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text(sql), params or {})]
    finally:
        engine.dispose()


def draft_letters(db: str, as_of: date, limit: int | None = None) -> list[int]:
    """The ladder's letters as of ``as_of``, drafted (one batch); their ids, at most ``limit``."""
    from tui.services.letters import draft_due
    from tui.services.store import close_store, open_store

    store = open_store(db)
    try:
        draft_due(store, as_of, "起草人")
    finally:
        close_store(store)
    ids = [i for (i,) in _query(db, "SELECT id FROM letter WHERE status = '草稿' ORDER BY id")]
    return ids[:limit] if limit else ids


def pick_items(db: str, n: int) -> list[int]:
    rows = _query(
        db,
        "SELECT id FROM assignment WHERE unit_id IS NOT NULL AND active = TRUE "
        "AND completed_on IS NULL ORDER BY id",
    )
    rng = random.Random(15)
    ids = [r[0] for r in rows]
    return sorted(rng.sample(ids, min(n, len(ids))))


def run_round(
    db: str,
    *,
    items: list[int],
    writes: int,
    letters: list[int],
    as_of: date,
    desks: int = DESKS,
    think_ms: int = 2,
    workdir: Path | None = None,
) -> Round:
    """Release ``desks`` processes together on ``db``; check what they say against the store."""
    work = Path(workdir or tempfile.mkdtemp(prefix="duban-ten-desks-"))
    tag = uuid.uuid4().hex[:8]  # this round's texts: a store may hold earlier rounds'
    gate = work / f"go-{tag}"
    share = [letters[k::desks] for k in range(desks)]
    env = {**os.environ, "DUBAN_CONFIG": os.devnull, "PYTHONIOENCODING": "utf-8"}
    env.pop("DUBAN_DB", None)
    per_desk = writes // desks
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--child",
                db,
                str(gate),
                str(k),
                ",".join(map(str, items)),
                str(per_desk),
                ",".join(map(str, share[k])),
                as_of.isoformat(),
                str(think_ms),
                tag,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )
        for k in range(desks)
    ]
    limit = time.time() + 600
    while not all(Path(f"{gate}.{k}").exists() for k in range(desks)):
        for p in procs:
            if p.poll() is not None:
                raise SystemExit(f"一个督办台进程提前退出：{p.stderr.read()[-2000:]}")
        if time.time() > limit:
            raise SystemExit("督办台进程十分钟内没有就绪")
        time.sleep(0.01)
    gate.touch()
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=3600)
        if p.returncode != 0:
            raise SystemExit(f"督办台进程失败（退出码 {p.returncode}）：{err[-2000:]}")
        outs.append(json.loads(out.strip().splitlines()[-1]))
    landed = [t for o in outs for t in o["landed"]]
    refused = [t for o in outs for t in o["refused"]]
    failed = [t for o in outs for t in o["failed"]]
    stored: dict[str, int] = {}
    mine = {"m": f"{MARK}{tag}-%"}
    for (t,) in _query(db, "SELECT text FROM progress WHERE text LIKE :m", mine):
        stored[t] = stored.get(t, 0) + 1
    lost = sum(1 for t in landed if stored.get(t) != 1) + sum(1 for t in refused if t in stored)
    lost += sum(1 for t in stored if t not in set(landed))  # a row nobody reported
    start = min(o["t0"] for o in outs)
    end = max(o["t1"] for o in outs)
    signed = [n for o in outs for n in o["numbers"]]
    faults = numbering_faults(db)
    if len(signed) != len(letters):
        faults.append(f"签发 {len(letters)} 件，报告编号 {len(signed)} 个")
    r = Round(
        desks=desks,
        writes=per_desk * desks,
        landed=len(landed),
        refused=len(refused),
        failed=failed,
        lost=lost,
        seconds=end - start,
        letters=len(signed),
        numbering_faults=faults,
        sign_seconds=max(o["t2"] for o in outs) - min(o["t1"] for o in outs),
    )
    r._overlap = max(o["t0"] for o in outs) < min(o["t1"] for o in outs)
    return r


def numbering_faults(db: str) -> list[str]:
    """Per kind and year of this office's own register: numbers 1…N, none twice, none skipped."""
    faults = []
    rows = _query(
        db,
        "SELECT kind, year, seq, number FROM letter WHERE seq IS NOT NULL AND origin = '' "
        "ORDER BY kind, year, seq",
    )
    by: dict[tuple, list[int]] = {}
    numbers = [n for *_k, n in rows]
    if len(set(numbers)) != len(numbers):
        faults.append("发文字号有重复")
    for kind, year, seq, _n in rows:
        by.setdefault((kind, year), []).append(seq)
    for (kind, year), seqs in by.items():
        if seqs != list(range(1, len(seqs) + 1)):
            faults.append(f"{kind} {year} 年的序号不连续或重复：{seqs[:10]}…")
    return faults


# --------------------------------------------------------------------------- the bench


def _pg_copy(size: int, base: str) -> tuple[str, str, float]:
    """A fresh database on the server holding the cached store of ``size``; (url, admin, s)."""
    import psycopg
    from sqlalchemy.engine import make_url

    from bench.pg_desk_bench import copy_to_postgres

    src = cached_store(size)
    name = f"duban_ten_{uuid.uuid4().hex[:8]}"
    admin = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    return url, name, copy_to_postgres(src, url)


def _drop(base: str, name: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    admin = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        return _child(argv[1:])
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=200_000)
    ap.add_argument("--items", type=int, default=1000)
    ap.add_argument("--writes", type=int, default=100, help="每台的写入次数")
    ap.add_argument("--letters", type=int, default=200, help="同时签发的函件数（至多）")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--think-ms", type=int, default=2)
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args(argv)
    base = os.environ.get("DUBAN_BENCH_PG") or os.environ.get("DUBAN_TEST_PG")
    if a.quick:
        a.size, a.items, a.writes, a.letters, a.runs = 2000, 50, 5, 20, 1
    if not base and not a.quick:
        print("设置 DUBAN_BENCH_PG（或 DUBAN_TEST_PG）为 PostgreSQL 地址后再运行", file=sys.stderr)
        return 2
    from bench.gen_store import AS_OF

    per_s, conflicts, lost, letters_n, sign_s = [], [], [], [], []
    faults: list[str] = []
    name = None
    # One copy of the store for every run (copying 200,000 rows to the server takes
    # minutes); each run signs its own share of the letters drafted once at the start.
    if base:
        db, name, copy_s = _pg_copy(a.size, base)
        print(f"（复制到 PostgreSQL：{copy_s:.1f} s）", file=sys.stderr)
    else:
        work = Path(tempfile.mkdtemp(prefix="duban-ten-"))
        db = str(work / "store.db")
        Path(db).write_bytes(cached_store(a.size).read_bytes())
    try:
        items = pick_items(db, a.items)
        drafted = draft_letters(db, AS_OF, a.letters * a.runs)
        for run in range(a.runs):
            r = run_round(
                db,
                items=items,
                writes=a.writes * DESKS,
                letters=drafted[run :: a.runs],
                as_of=AS_OF,
                think_ms=a.think_ms,
            )
            print(
                f"（第 {run + 1} 次：{r.landed}/{r.writes} 写入落地，{r.refused} 次冲突，"
                f"{r.lost} 次丢失，{r.writes_per_s:.1f} 次/秒；签发 {r.letters} 件 "
                f"{r.sign_seconds:.2f} s；并发重叠：{'是' if r.overlapped else '否'}）",
                file=sys.stderr,
            )
            per_s.append(r.writes_per_s)
            conflicts.append(float(r.refused))
            lost.append(float(r.lost + len(r.failed)))
            letters_n.append(float(r.letters))
            sign_s.append(r.sign_seconds)
            faults += r.numbering_faults
    finally:
        if name:
            _drop(base, name)
    where = "PostgreSQL" if base else "SQLite"
    figures = [
        Figure(
            f"十台同时写进展（{where}，{a.size:,} 项，{a.items} 个事项）",
            per_s,
            WRITES_BUDGET,
            unit="次/秒",
            at_least=True,
        ),
        Figure("其中被拒绝的冲突写入", conflicts, None, unit="次"),
        Figure("丢失的写入（须为 0）", lost, 0.0, unit="次"),
        Figure("十台同时签发函件", sign_s, None, note=f"{int(letters_n[0])} 件"),
    ]
    code = report("十台督办台同时工作", figures, quick=a.quick)
    if faults:
        print("编号错误：" + "；".join(faults))
        return 1
    if any(lost):
        print("有写入丢失")
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
