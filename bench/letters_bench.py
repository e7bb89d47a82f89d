"""Bench: 300 letters of ~10 items drafted, signed and rendered (PDF + DOCX) through the
command line, as whole `duban` processes on a ~20,000-assignment store. Budget (GUIDE §7): < 5 s.

    python bench/letters_bench.py [--letters 300] [--items 10] [--assignments 20000]
                                  [--runs 5] [--keep DIR] [--budget 5] [--against CHECKOUT]

What is timed, per run, on a fresh copy of the store (built once, not timed):

    duban letters draft --kind 提醒 --as-of 2024-11-15 --format json
    duban letters sign --batch B --by 王主任 --date 2024-11-18 --yes
    duban letters render --batch B --out DIR

The store gives `--letters` units exactly `--items` overdue assignments each (some units lead
and are responsible for the same task, so their attachment merges two assignments into one
row), an earlier signed 提示函 per unit (half of them answered), and background assignments
that are done or not yet due. Every run starts with an empty font cache (XDG_CACHE_HOME in a
temporary folder), so the figure includes preparing the batch font. The figure is the
median of `--runs`; each phase's median is printed beside it. Exit code 1 when over budget.
With `--against CHECKOUT` (e.g. a copy of main), that checkout is timed too, its runs
interleaved with these on the same store, so a before/after comparison sees the same load.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.gen_store import DEPTS, PROGRESS, TOWN_NAMES  # noqa: E402
from bench.synth import OBJECTS, VERBS  # noqa: E402

AS_OF = date(2024, 11, 15)
SIGN_ON = date(2024, 11, 18)  # a Monday: the letter's date differs from the draft's as-of
REGIONS = ("达拉特旗", "准格尔旗", "鄂托克前旗", "杭锦旗", "乌审旗", "伊金霍洛旗")
UNITS_PER_REGION = 80
SETTINGS = """\
region = "达拉特旗"
office = "中共达拉特旗委全面依法治旗委员会办公室"
issuer_mark = "中共达拉特旗委全面依法治旗委员会办公室"
office_short = "旗委依法治旗办"
contact = "李某"
phone = "0477-5212345"
cc = "旗委、旗政府分管领导"
signers = ["王主任"]

[letter_prefix]
"提示" = "达依法治办提"
"提醒" = "达依法治办醒"
"督办" = "达依法治办督"
"""


def _unit_names(region: str) -> list[tuple[str, str]]:
    prefix = region[-1]
    out = [(prefix + d, "部门") for d in DEPTS]
    i = 0
    while len(out) < UNITS_PER_REGION:
        a, b = TOWN_NAMES[(i * 2) % len(TOWN_NAMES)], TOWN_NAMES[(i * 2 + 1) % len(TOWN_NAMES)]
        kind = ("镇", "苏木", "街道")[i % 3]
        out.append((f"{a}{b}{kind}" + (str(i // 20) if i >= 20 else ""), kind))
        i += 1
    return out[:UNITS_PER_REGION]


def build_store(path: Path, letters: int, items: int, assignments: int, seed: int = 11) -> None:
    """A store where the ladder proposes exactly one 提醒函 of `items` items to `letters` units."""
    from sqlalchemy import insert

    from tui.store.db import make_engine
    from tui.store.letter_models import Letter, LetterCounter, LetterItem, LetterReply
    from tui.store.models import Assignment, Plan, Progress, Region, Task, Unit

    rng = random.Random(seed)
    regions = REGIONS[: max(1, -(-letters // UNITS_PER_REGION))]
    now = datetime(2024, 10, 1, 9, 0, tzinfo=UTC)
    rows: dict[str, list[dict]] = {
        k: [] for k in ("region", "unit", "plan", "task", "a", "p", "l", "li", "r")
    }
    per_region = max(items * UNITS_PER_REGION, assignments // len(regions))
    tasks_per_region = max(items * 3, per_region // 20)
    unit_id = task_id = aid = lid = 0
    chosen_left = letters
    seq = 0
    for p, region in enumerate(regions, start=1):
        rows["region"].append(dict(name=region, prefixes=region[-1], match=region, source="bench"))
        units = []
        for name, kind in _unit_names(region):
            unit_id += 1
            units.append(unit_id)
            rows["unit"].append(
                dict(
                    id=unit_id,
                    region=region,
                    name=name,
                    kind=kind,
                    head="",
                    contact="",
                    phone="",
                    address="",
                    sample=True,
                    from_directory=True,
                    merged_into=None,
                )
            )
        title = f"{region}2024年法治政府建设工作计划"
        rows["plan"].append(
            dict(
                id=p,
                key=title,
                title=title,
                issuer=f"{region}依法治理办",
                issue_date=date(2024, 3, 1),
                region=region,
                period_start=2024,
                period_end=2024,
                period_source="title",
                source_name="bench",
                content_hash=f"bench{p}",
                revision=1,
                plan_text="",
                imported_at=now,
                imported_by="bench",
            )
        )
        overdue_tasks, later_tasks = [], []
        for t in range(1, tasks_per_region + 1):
            task_id += 1
            overdue = t <= items * 2
            due = (
                AS_OF - timedelta(days=rng.randint(3, 25))
                if overdue
                else AS_OF + timedelta(days=rng.randint(20, 200))
            )
            (overdue_tasks if overdue else later_tasks).append(task_id)
            verb, obj = rng.choice(VERBS), rng.choice(OBJECTS)
            text = (
                f"{verb}{obj}，建立健全工作机制，明确责任分工，{due.year}年{due.month}月"
                f"{due.day}日前完成。各单位要{rng.choice(VERBS)}{rng.choice(OBJECTS)}，"
                "定期报送工作进展，确保各项措施落地见效。"
            )
            rows["task"].append(
                dict(
                    id=task_id,
                    plan_id=p,
                    node_id=None,
                    number=f"（{t}）",
                    title=text,
                    text=text,
                    deadline_text="",
                    section_path="",
                    position=t,
                    source_line=t,
                    active=True,
                    first_revision=1,
                    last_revision=1,
                    due_kind="absolute",
                    due_dates=due.isoformat(),
                    due_recurring=False,
                    due_first=due.isoformat(),
                )
            )
        n_region = per_region
        for k, uid in enumerate(units):
            chosen = chosen_left > 0
            mine = rng.sample(overdue_tasks, items) if chosen else []
            if chosen:
                chosen_left -= 1
            own: list[int] = []
            for j, tid in enumerate(mine):
                # every fourth unit leads and is responsible for its first task: two
                # assignments, one row in the letter
                roles = ("lead", "responsible") if (k % 4 == 0 and j == 0) else ("responsible",)
                for role in roles:
                    if len(own) >= items:
                        break
                    aid += 1
                    own.append(aid)
                    rows["a"].append(
                        dict(
                            id=aid,
                            task_id=tid,
                            unit_id=uid,
                            group_id=None,
                            via_group_id=None,
                            role=role,
                            active=True,
                            created_at=now,
                            completed_on=None,
                            due_override=None,
                        )
                    )
                    if rng.random() < 0.5:
                        rows["p"].append(
                            dict(
                                assignment_id=aid,
                                reported_on=AS_OF - timedelta(days=rng.randint(30, 90)),
                                text=rng.choice(PROGRESS),
                                done=False,
                                recorded_at=now,
                                recorded_by="bench",
                            )
                        )
            # background: done overdue items and items not yet due
            for _ in range(max(0, n_region // UNITS_PER_REGION - len(own))):
                aid += 1
                if rng.random() < 0.3:
                    tid, done = (
                        rng.choice(overdue_tasks),
                        AS_OF - timedelta(days=rng.randint(1, 60)),
                    )
                else:
                    tid, done = rng.choice(later_tasks), None
                rows["a"].append(
                    dict(
                        id=aid,
                        task_id=tid,
                        unit_id=uid,
                        group_id=None,
                        via_group_id=None,
                        role="supporting",
                        active=True,
                        created_at=now,
                        completed_on=done,
                        due_override=None,
                    )
                )
            if chosen:
                # an earlier 提示函 about three of its items, signed 40 days before; half answered
                lid += 1
                seq += 1
                issued = AS_OF - timedelta(days=40)
                rows["l"].append(
                    dict(
                        id=lid,
                        kind="提示",
                        rung=1,
                        year=issued.year,
                        seq=seq,
                        number=f"达依法治办提〔{issued.year}〕{seq}号",
                        unit_id=uid,
                        addressee="",
                        title="关于按期完成工作任务的提示函",
                        body="",
                        status="已回复" if k % 2 else "已签发",
                        batch="earlier",
                        as_of=issued,
                        created_at=now,
                        created_by="bench",
                        signed_at=now,
                        signed_by="王主任",
                        issued_on=issued,
                        reply_due=issued + timedelta(days=7),
                        files="",
                    )
                )
                for pos, a in enumerate(own[:3], start=1):
                    rows["li"].append(
                        dict(
                            letter_id=lid,
                            assignment_id=a,
                            position=pos,
                            task_number="",
                            task_title="",
                            due=None,
                            deadline_text="",
                            last_progress="",
                            earlier_letters="",
                            reason="bench",
                        )
                    )
                if k % 2:
                    rows["r"].append(
                        dict(
                            letter_id=lid,
                            replied_on=issued + timedelta(days=5),
                            text="正在推进",
                            settle="",
                            recorded_by="bench",
                            recorded_at=now,
                        )
                    )
    engine = make_engine(str(path))
    with engine.begin() as conn:
        conn.execute(insert(Region.__table__), rows["region"])
        conn.execute(insert(Unit.__table__), rows["unit"])
        conn.execute(insert(Plan.__table__), rows["plan"])
        conn.execute(insert(Task.__table__), rows["task"])
        conn.execute(insert(Assignment.__table__), rows["a"])
        if rows["p"]:
            conn.execute(insert(Progress.__table__), rows["p"])
        if rows["l"]:
            conn.execute(insert(Letter.__table__), rows["l"])
            conn.execute(insert(LetterItem.__table__), rows["li"])
            conn.execute(
                insert(LetterCounter.__table__),
                [dict(kind="提示", year=AS_OF.year, next_seq=seq + 1)],
            )
        if rows["r"]:
            conn.execute(insert(LetterReply.__table__), rows["r"])
    engine.dispose()


def duban_cmd(root: Path | None = None) -> list[str]:
    """`duban` as a user's install runs it (`bench.harness.duban`); with `root`, the same
    for another checkout (`--against`), its bytecode compiled as an install would."""
    from bench.harness import duban

    if root is None or root.resolve() == ROOT:
        return duban()
    return _installed_other(root.resolve())


_OTHER: dict[Path, list[str]] = {}


def _installed_other(root: Path) -> list[str]:
    """A throwaway environment whose `duban` runs the checkout at `root` (as
    `bench.harness.installed_duban` does for this one)."""
    import compileall

    from bench.harness import user_install

    if root in _OTHER:
        return _OTHER[root]
    if not (root / "tui" / "cli.py").is_file():
        raise SystemExit(f"--against {root}: not a duban checkout (no tui/cli.py)")
    compileall.compile_dir(root / "tui", quiet=2)
    script = user_install(root, prefix="duban-bench-against-")
    _OTHER[root] = [str(script)]
    return _OTHER[root]


def run_env(work: Path, db: Path) -> dict[str, str]:
    """The environment of the measured processes: the bench's settings and store, an empty
    font cache, and the package's bytecode in place — a shell that sets
    PYTHONDONTWRITEBYTECODE would otherwise make every process recompile the package."""
    from bench.harness import compile_package

    compile_package()
    cfg = work / "settings.toml"
    cfg.write_text(SETTINGS, encoding="utf-8")
    cache = work / "cache"
    shutil.rmtree(cache, ignore_errors=True)
    env = {
        **os.environ,
        "DUBAN_CONFIG": str(cfg),
        "DUBAN_USER": "bench",
        "XDG_CACHE_HOME": str(cache),
        "DUBAN_DB": str(db),
    }
    for name in ("DUBAN_DEBUG", "PYTHONDONTWRITEBYTECODE", "DUBAN_BENCH_RESULTS"):
        env.pop(name, None)
    return env


def _children_cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    """Wall-clock seconds and stdout of one whole process."""
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    elapsed = time.perf_counter() - t0
    if res.returncode != 0:
        sys.stderr.write(res.stdout + res.stderr)
        raise SystemExit(f"failed ({res.returncode}): {' '.join(cmd)}")
    return elapsed, res.stdout


def one_run(
    master: Path, work: Path, letters: int, keep: Path | None, root: Path | None = None
) -> dict[str, float]:
    db = work / "bench.db"
    shutil.copy(master, db)
    out = keep or (work / "letters")
    if out.exists():
        shutil.rmtree(out)
    env = run_env(work, db)
    duban = duban_cmd(root)
    cpu0 = _children_cpu()
    t_draft, text = run(
        [
            *duban,
            "letters",
            "draft",
            "--kind",
            "提醒",
            "--as-of",
            AS_OF.isoformat(),
            "--format",
            "json",
        ],
        env,
    )
    drafted = json.loads(text)
    if len(drafted["ids"]) != letters:
        raise SystemExit(f"expected {letters} drafts, got {len(drafted['ids'])}")
    batch = drafted["batch"][:8]
    t_sign, _ = run(
        [
            *duban,
            "letters",
            "sign",
            "--batch",
            batch,
            "--by",
            "王主任",
            "--date",
            SIGN_ON.isoformat(),
            "--yes",
        ],
        env,
    )
    t_render, _ = run([*duban, "letters", "render", "--batch", batch, "--out", str(out)], env)
    pdfs, docx = len(list(out.glob("*.pdf"))), len(list(out.glob("*.docx")))
    if pdfs != letters or docx != letters:
        raise SystemExit(f"expected {letters} PDF and DOCX files, got {pdfs} and {docx}")
    return {
        "draft": t_draft,
        "sign": t_sign,
        "render": t_render,
        "total": t_draft + t_sign + t_render,
        # CPU seconds of the three processes and their workers: what the machine's other
        # load cannot inflate much, printed beside the wall-clock figure
        "cpu": _children_cpu() - cpu0,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--letters", type=int, default=300)
    ap.add_argument("--items", type=int, default=10)
    ap.add_argument("--assignments", type=int, default=20_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--budget", type=float, default=5.0)
    ap.add_argument("--keep", type=Path, default=None, help="write the letters here")
    ap.add_argument("--quick", action="store_true", help="4 letters of 3 items, one run (CI)")
    ap.add_argument(
        "--against",
        type=Path,
        default=None,
        metavar="CHECKOUT",
        help="another checkout (e.g. main) timed in the same minutes, runs interleaved",
    )
    a = ap.parse_args(argv)
    if a.quick:
        a.letters, a.items, a.assignments, a.runs = 4, 3, 400, 1
    from bench.harness import Figure, report

    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    with tempfile.TemporaryDirectory(prefix="duban-letters-bench-") as tmp:
        work = Path(tmp)
        master = work / "master.db"
        t0 = time.perf_counter()
        build_store(master, a.letters, a.items, a.assignments)
        built = time.perf_counter() - t0
        results, other = [], []
        for _ in range(max(1, a.runs)):
            results.append(one_run(master, work, a.letters, a.keep))
            if a.against is not None:  # A, B, A, B…: both sides see the same load
                other.append(one_run(master, work, a.letters, None, a.against))
    size = f"{a.letters} 件函件 × 约 {a.items} 项，{a.assignments:,} 项落实事项的库"
    figures = [
        Figure(
            f"起草＋签发＋生成 PDF 与 Word（三个整进程），{size}",
            [r["total"] for r in results],
            a.budget,
            note=f"负载 {load}",
        ),
        Figure("其中 duban letters draft", [r["draft"] for r in results], None),
        Figure("其中 duban letters sign --yes", [r["sign"] for r in results], None),
        Figure("其中 duban letters render（PDF + DOCX）", [r["render"] for r in results], None),
        Figure("三个进程（含工作进程）的 CPU 时间", [r["cpu"] for r in results], None),
    ]
    if other:
        figures += [
            Figure(
                f"对照 {a.against}：起草＋签发＋生成（交替运行）", [r["total"] for r in other], None
            ),
            Figure("对照：duban letters draft", [r["draft"] for r in other], None),
            Figure("对照：duban letters sign --yes", [r["sign"] for r in other], None),
            Figure("对照：duban letters render", [r["render"] for r in other], None),
            Figure("对照：CPU 时间", [r["cpu"] for r in other], None),
        ]
    print(f"（测试库生成 {built:.1f} s，不计时）")
    return report("函件批量生成：整进程计时", figures, quick=a.quick)


if __name__ == "__main__":
    sys.exit(main())
