"""What every bench shares: whole-process timing, cached stores, one table, one exit code.

A figure is a list of samples (one per whole process, launched fresh), reported as the
median with min–max beside it, against a budget. `report` prints the machine (with its load
average: figures taken on a busy machine say so), the table, and — when the environment
names a file in ``DUBAN_BENCH_RESULTS`` — appends the figures there as JSON lines, which is
how `run_all.py` collects one table from every bench. Exit code 1 when a figure is over its
budget, except in ``--quick`` mode (tiny sizes, one run: for CI, where only a crash fails).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.machine import describe  # noqa: E402

RESULTS_ENV = "DUBAN_BENCH_RESULTS"


def _duban() -> list[str]:
    """What the user types: the installed `duban` script beside this Python, else the module."""
    script = Path(sys.executable).with_name("duban")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tui.cli"]


DUBAN = _duban()


def installed_duban() -> tuple[list[str], str]:
    """`duban` as a user's installed copy runs it, and a line saying how.

    The development install is editable: setuptools' finder is imported by every process
    at start-up (10–30 ms of a whole `duban overdue`), which a user's wheel install does not
    pay. So a throwaway virtual environment (built once per bench run, in the temp dir) gets
    a plain path file naming this checkout and then this environment's site-packages (the
    dependencies; path files there are not read), as a compat-mode editable install does,
    and the same console script as the wheel's. Fresh processes, the same code: nothing is
    cached. Falls back to `DUBAN` (saying so) when no environment can be made.
    """
    if _INSTALLED:
        return _INSTALLED[0]
    try:
        script = user_install(ROOT, prefix="duban-bench-venv-")
        run = subprocess.run([str(script), "--help"], capture_output=True, env=bench_env())
        if run.returncode != 0:
            raise OSError(run.stderr.decode("utf-8", "replace")[-500:])
        found = ([str(script)], "duban 以用户安装方式运行（独立虚拟环境，无开发安装的导入钩子）")
    except (OSError, subprocess.CalledProcessError) as exc:
        found = (DUBAN, f"未能建立独立虚拟环境（{exc}），duban 以开发安装运行")
    _INSTALLED.append(found)
    return found


_INSTALLED: list[tuple[list[str], str]] = []


def user_install(root: Path, *, prefix: str) -> Path:
    """A throwaway virtual environment (removed at exit) whose `duban` script runs the
    checkout at ``root`` with this environment's dependencies, as a user's install does (see
    `installed_duban`); the script's path."""
    import atexit
    import shutil
    import site
    import sysconfig
    import venv

    home = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, home, ignore_errors=True)
    venv.EnvBuilder(with_pip=False, symlinks=True).create(home)
    python = home / "bin" / "python"
    target = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()] or [
        sysconfig.get_paths()["purelib"]
    ]
    (target / "duban-bench.pth").write_text("\n".join([str(root), *deps]) + "\n", encoding="utf-8")
    script = home / "bin" / "duban"
    script.write_text(
        f"#!{python}\nimport sys\nfrom tui.cli import main\n"
        "if __name__ == '__main__':\n    sys.exit(main())\n",
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script


def duban() -> list[str]:
    """The command every bench times: `duban` as a user's install runs it (`installed_duban`;
    an office installs the wheel, which has no editable-install import hook)."""
    return installed_duban()[0]


@dataclass
class Figure:
    """One measure: samples in ``unit``, a budget, and which way is better."""

    measure: str
    samples: list[float]
    budget: float | None
    unit: str = "s"  # s / ms / MB / × (a ratio)
    at_least: bool = False  # the budget is a floor (≥ 10× faster), not a ceiling
    note: str = ""
    bench: str = field(default_factory=lambda: Path(sys.argv[0]).stem)
    # (median, min, max, runs) when only a summary is known (read from another bench's output)
    summary: tuple[float, float, float, int] | None = None

    @property
    def median(self) -> float:
        return self.summary[0] if self.summary else statistics.median(self.samples)

    @property
    def low(self) -> float:
        return self.summary[1] if self.summary else min(self.samples)

    @property
    def high(self) -> float:
        return self.summary[2] if self.summary else max(self.samples)

    @property
    def runs(self) -> int:
        return self.summary[3] if self.summary else len(self.samples)

    @property
    def ratio(self) -> float | None:
        """How many budgets the figure takes: above 1 is over budget, either direction."""
        if self.budget is None or not self.runs:
            return None
        m = self.median
        if self.budget == 0 and not self.at_least:  # "must be 0" (lost writes)
            return 0.0 if m == 0 else float("inf")
        if self.at_least:
            return self.budget / m if m else float("inf")
        return m / self.budget

    @property
    def over(self) -> bool:
        r = self.ratio
        return r is not None and r > 1

    def to_dict(self) -> dict:
        return {
            "bench": self.bench,
            "measure": self.measure,
            "samples": self.samples,
            "budget": self.budget,
            "unit": self.unit,
            "at_least": self.at_least,
            "note": self.note,
            "summary": list(self.summary) if self.summary else None,
        }

    @classmethod
    def from_dict(cls, d: dict) -> Figure:
        return cls(
            d["measure"],
            list(d["samples"]),
            d["budget"],
            d.get("unit", "s"),
            d.get("at_least", False),
            d.get("note", ""),
            d.get("bench", ""),
            tuple(d["summary"]) if d.get("summary") else None,
        )


# --------------------------------------------------------------------------- printing


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, cells: int) -> str:
    """Left-justify by display width (a CJK character takes two cells)."""
    return text + " " * max(0, cells - width(text))


def fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value:.2f} s"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "×":
        return f"{value:.2f}×" if value < 10 else f"{value:.1f}×"
    if value == int(value):
        return f"{int(value)} {unit}"
    return f"{value:.1f} {unit}"


def budget_text(f: Figure) -> str:
    if f.budget is None:
        return "—"
    if f.budget == 0 and not f.at_least:
        return "= 0"
    return ("≥ " if f.at_least else "< ") + fmt(f.budget, f.unit)


def table(figures: list[Figure], *, show_bench: bool = False) -> str:
    head = ["测量", "预算", "中位数（最小–最大）", "次数", "与预算之比", ""]
    rows = []
    for f in figures:
        if f.runs:
            spread = f"{fmt(f.median, f.unit)}（{fmt(f.low, f.unit)}–{fmt(f.high, f.unit)}）"
        else:
            spread = "—"
        r = f.ratio
        rows.append(
            [
                (f"[{f.bench}] " if show_bench else "") + f.measure,
                budget_text(f),
                spread,
                str(f.runs),
                f"{r:.2f}" if r is not None else "—",
                ("超出预算" if f.over else ("" if r is None else "达标"))
                + (f"  {f.note}" if f.note else ""),
            ]
        )
    widths = [max(width(x) for x in col) for col in zip(head, *rows, strict=True)]
    lines = ["  ".join(pad(c, w) for c, w in zip(head, widths, strict=True)).rstrip()]
    lines.append("  ".join("─" * w for w in widths[:-1]))
    for r in rows:
        lines.append("  ".join(pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip())
    return "\n".join(lines)


def machine_line() -> str:
    return f"机器：{describe()}"


def report(title: str, figures: list[Figure], *, quick: bool) -> int:
    """Print the table, hand the figures to run_all, and say whether all are in budget."""
    print(f"{title}{'（--quick：极小规模，单次，不判预算）' if quick else ''}")
    print(machine_line())
    print(table(figures))
    target = os.environ.get(RESULTS_ENV)
    if target:
        with open(target, "a", encoding="utf-8") as out:
            for f in figures:
                out.write(json.dumps(f.to_dict(), ensure_ascii=False) + "\n")
    over = [f for f in figures if f.over]
    if over and not quick:
        print(f"超出预算：{len(over)} 项")
        return 1
    return 0


# --------------------------------------------------------------------------- processes


@dataclass
class Run:
    seconds: float
    maxrss_mb: float  # peak resident memory of that one child
    returncode: int
    stderr: str
    cpu_seconds: float = 0.0  # user + system time of that child: the wall's floor when busy


_COMPILED: list[bool] = []


def compile_package() -> None:
    """The package's bytecode written once, as installing it (or its first run) would."""
    if not _COMPILED:
        import compileall

        compileall.compile_dir(ROOT / "tui", quiet=2)
        _COMPILED.append(True)


def bench_env(**extra: str) -> dict[str, str]:
    """The environment for a measured duban: no user settings, a fixed operator, UTF-8, and
    the package's bytecode in place (see `compile_package`)."""
    env = dict(os.environ)
    env.pop(RESULTS_ENV, None)
    # A user's Python reads the program's bytecode, compiled at install or on the first run;
    # a shell that forbids writing it would make every measured start recompile the package.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    compile_package()
    env.update(
        DUBAN_CONFIG=os.devnull,  # an empty settings file: the defaults
        DUBAN_USER="bench",
        PYTHONIOENCODING="utf-8",
        LANG=env.get("LANG", "C.UTF-8"),
    )
    env.update(extra)
    return env


def run_process(cmd: list[str], *, env: dict | None = None, stdout=None) -> Run:
    """One whole process from launch to exit: wall time and its own peak RSS (wait4)."""
    with tempfile.TemporaryFile() as err:
        out = stdout if stdout is not None else subprocess.DEVNULL
        t0 = time.perf_counter()
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env or bench_env(), cwd=ROOT
        )
        _pid, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        text = err.read().decode("utf-8", "replace")
    cpu = usage.ru_utime + usage.ru_stime
    return Run(elapsed, usage.ru_maxrss / 1024, proc.returncode, text, cpu)


def run_checked(cmd: list[str], **kw) -> Run:
    run = run_process(cmd, **kw)
    if run.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} 失败（退出码 {run.returncode}）：{run.stderr[-2000:]}")
    return run


# --------------------------------------------------------------------------- stores


def cached_store(n: int, *, seed: int = 7, as_of=None, tag: str = "") -> Path:
    """A generated store of exactly ``n`` assignments, built once and kept in the temp dir
    (the name carries the generator's version, so a changed generator builds afresh)."""
    from bench.gen_store import AS_OF, GEN_VERSION, build_store

    as_of = as_of or AS_OF
    from tui.store.models import SCHEMA_VERSION

    # the schema version too: the temp folder is shared by every checkout on the machine, and
    # a store upgraded by a newer checkout cannot be opened by an older one
    name = (
        f"duban-bench-v{GEN_VERSION}-schema{SCHEMA_VERSION}-{n}-s{seed}-{as_of.isoformat()}{tag}.db"
    )
    path = Path(tempfile.gettempdir()) / name
    if not path.exists():
        t0 = time.perf_counter()
        tmp = path.with_suffix(f".building-{os.getpid()}.db")
        build_store(tmp, assignments=n, seed=seed, as_of=as_of)
        for suffix in ("-wal", "-shm"):
            Path(str(tmp) + suffix).unlink(missing_ok=True)
        os.replace(tmp, path)
        print(
            f"（生成测试库 {n:,} 项：{time.perf_counter() - t0:.1f} s，{path}）",
            file=sys.stderr,
        )
    return path
