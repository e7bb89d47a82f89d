"""The office's other documents as the user waits for them: whole `duban` processes, median of 5.

Budgets (GUIDE §7): the ledger export of 200,000 assignments < 15 s; all unit lists of an
80-unit plan < 5 s (.docx and .xlsx, as `duban lists` writes by default); a circular for 80
units < 2 s — each of its three commands (`circular draft`, `circular sign --yes`,
`circular render --pdf`, which writes the PDF and the .docx with the chart) is a whole
process the user waits for, each budgeted at 2 s; their sum is printed for information. The lists with
`--pdf` as well are measured and printed beside the same budget for information: the PDF
is optional, and most of its time is the font work of fpdf2 (see tui/reports/pdf_writer.py).

Stores come from bench/gen_store.py: 200,000 assignments over 10 plans for the ledger; one
plan of 250 tasks over 80 units (towns, sub-districts, departments), ten units a task —
about 31 items a list, more than the 538 entries over 80 lists of seed 003 — for the lists.
The store is built once; each run writes into a fresh folder. Lists are drafts (`--draft`),
so every run does the same work and the register does not grow between runs.

Prints machine, figure and budget; exits 1 when a budgeted figure is over.

Run: python bench/reports_bench.py [--quick]   (--quick: small stores, one run — for CI)
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from gen_store import AS_OF, build_store  # noqa: E402
from harness import bench_env, duban  # noqa: E402
from machine import describe  # noqa: E402


def pad(text: str, cells: int) -> str:
    """Left-justify by display width (a CJK character takes two cells)."""
    import unicodedata

    w = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, cells - w)


SETTINGS = """
office = "某某旗全面依法治旗委员会办公室"
issuer_mark = "中共某某旗委员会全面依法治旗委员会办公室"
office_short = "旗委依法治旗办"
"""


def circular_runs(db: Path, runs: int, fresh: Path, config: Path) -> dict[str, list[float]]:
    """Draft, sign and render one circular per run (whole processes); seconds per step."""
    env = bench_env(DUBAN_CONFIG=str(config), DUBAN_USER="测评")
    out: dict[str, list[float]] = {"draft": [], "sign": [], "render": [], "total": []}
    for n in range(runs):
        steps = (
            ("draft", ["circular", "draft", "--as-of", AS_OF.isoformat(), "--format", "json"]),
            (
                "sign",
                ["circular", "sign", "{id}", "--by", "测评", "--date", AS_OF.isoformat(), "--yes"],
            ),
            ("render", ["circular", "render", "{id}", "--out", str(fresh / f"circ{n}"), "--pdf"]),
        )
        cid = ""
        total = 0.0
        for name, args in steps:
            cmd = [
                *duban(),
                *(a.replace("{id}", cid) for a in args),
                "--db",
                str(db),
            ]
            t0 = time.perf_counter()
            res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env)
            took = time.perf_counter() - t0
            if res.returncode != 0:
                raise SystemExit(f"失败：{' '.join(args)}\n{res.stderr[-2000:]}")
            if name == "draft":
                cid = str(json.loads(res.stdout)["circular"]["id"])
            out[name].append(took)
            total += took
        out["total"].append(total)
    return out


def timed(args: list[str], runs: int, fresh: Path, tag: str) -> tuple[float, float, float]:
    """(median, min, max) seconds of whole `duban` processes; ``{out}`` in ``args`` becomes a
    new path under ``fresh`` for every run."""
    times = []
    for n in range(runs):
        out = fresh / f"{tag}{n}"
        cmd = [*duban(), *(a.replace("{out}", str(out)) for a in args)]
        t0 = time.perf_counter()
        res = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=bench_env())
        times.append(time.perf_counter() - t0)
        if res.returncode != 0:
            raise SystemExit(f"失败：{' '.join(args)}\n{res.stderr[-2000:]}")
    return statistics.median(times), min(times), max(times)


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    runs = 1 if quick else 5
    ledger_n = 5_000 if quick else 200_000
    list_n = 250 if quick else 2_500  # one plan of 250 tasks; 1 or 10 units a task
    print(f"机器：{describe()}")
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        t0 = time.perf_counter()
        big = build_store(t / "ledger.db", assignments=ledger_n, seed=7)
        lists_db = build_store(t / "lists.db", assignments=list_n, seed=11, plans=1)
        print(f"生成测试库：{ledger_n} + {list_n} 条落实事项，{time.perf_counter() - t0:.1f} s")
        print(f"{pad('测量', 40)}{pad('中位数', 12)}{pad('最小–最大', 18)}预算")
        cases = [
            (
                f"导出台账：{ledger_n} 条落实事项",
                ["ledger", "export", "{out}.xlsx", "--as-of", AS_OF.isoformat(), "--db", str(big)],
                15.0,
                True,
            ),
            (
                "80 个单位的任务清单（.docx + .xlsx）",
                ["lists", "--out", "{out}", "--draft", "--db", str(lists_db)],
                5.0,
                True,
            ),
            (
                "80 个单位的任务清单（另加 PDF，仅供参考）",
                ["lists", "--out", "{out}", "--draft", "--pdf", "--db", str(lists_db)],
                5.0,
                False,
            ),
        ]
        ok = True
        for k, (label, args, budget, counts) in enumerate(cases):
            med, lo, hi = timed(args, runs, t, f"case{k}-")
            over = med > budget
            if counts:
                ok = ok and not over
            flag = ("  超出预算" if counts else "  超出（不计）") if over else ""
            print(
                f"{pad(label, 40)}{pad(f'{med:.2f} s', 12)}{pad(f'{lo:.2f}–{hi:.2f} s', 18)}"
                f"{budget:.1f} s{flag}"
            )
        lists = sorted((t / "case1-0").glob("*.docx"))
        print(f"（每次生成 {len(lists)} 个单位的清单）")
        config = t / "settings.toml"
        config.write_text(SETTINGS, encoding="utf-8")
        circ = circular_runs(lists_db, runs, t, config)
        labels = {
            "draft": "通报（80 个单位）：起草",
            "sign": "通报（80 个单位）：签发",
            "render": "通报（80 个单位）：生成 PDF + Word",
            "total": "通报（80 个单位）：三步合计（仅供参考）",
        }
        for key, label in labels.items():
            samples = circ[key]
            med = statistics.median(samples)
            counts = key != "total"
            over = med > 2.0
            if counts:
                ok = ok and not over
            flag = ("  超出预算" if counts else "  超出（不计）") if over else ""
            print(
                f"{pad(label, 40)}{pad(f'{med:.2f} s', 12)}"
                f"{pad(f'{min(samples):.2f}–{max(samples):.2f} s', 18)}2.0 s{flag}"
            )
    return 0 if ok or quick else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
