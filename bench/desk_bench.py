"""The desk as the user feels it: `duban` launched on a real pseudo-terminal.

Start-up: from launching `duban --db STORE --as-of DATE` until the overview's counts are on
the terminal (the line "共 N 项落实事项…", N checked against the store), median of 5 fresh
processes per size (20k / 100k / 200k / 500k). Budgets (GUIDE §7): < 0.6 s up to 200,000
assignments, < 1.0 s at 500,000.

Then one desk session at 200,000 on the same pseudo-terminal, every keystroke timed from
writing the key to the terminal until the frame that shows its result has arrived (the
items status line names the new search, sort or filter; the table rows come in the same
frame, and the burst is read to its end): typing a search, backspace, changing the sort,
applying the filter dialog (Ctrl+S). Budget < 50 ms median each. Memory of the desk
process from /proc: resident after the first load, peak (VmHWM; budget < 300 MB) and after
20 reloads (`r`) against after the first (budget ≤ 1.1×); each reload's time is shown.

Beside it, the same keystrokes through Textual's Pilot in a separate process: Pilot's own
round trip (press + wait until idle), as the earlier in-process bench reported it.

The screen texts the bench waits for are the MARKERS below: when the desk's wording
changes, change them there.

Run: python bench/desk_bench.py [--sizes 20000,100000,200000,500000] [--session 200000]
                                [--starts 5] [--reloads 20] [--no-pilot] [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import json
import os
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.gen_store import AS_OF  # noqa: E402
from bench.harness import Figure, bench_env, cached_store, duban, report  # noqa: E402

START_BUDGET_S = 0.6  # up to 200,000 assignments
START_BUDGET_500K_S = 1.0
KEY_BUDGET_MS = 50.0
PEAK_BUDGET_MB = 300.0
RELOAD_GROWTH_BUDGET = 1.1
ROWS, COLS = 50, 160

# What the desk draws, as the bench recognises it (regular expressions on the terminal text
# with escape sequences removed). Keep in step with tui/app.
MARKERS = {
    # The overview's counts, drawn once the board is loaded (tui/app/tabs/overview.py).
    "ready": r"共 (\d+) 项落实事项",
    # The items tab's status line (tui/app/tabs/items.py, update_status).
    "items": r"共 (\d+) 项，显示 (\d+) 项",
    "search": "搜索：{q}(?=[ \\n]|$)",
    "sort": "排序：{name}(?=[ \\n]|$)",
    "filtered": r"筛选：状态=",
    "unfiltered": r"显示 {n} 项 · 排序：[^\s·]+ *\n",
    "filter_dialog": r"筛选督办事项",
    # The dialog's first status, redrawn when space ticks or unticks it.
    "first_status": r"已完成",
}
SORT_NAMES = ("紧急程度", "期限", "单位", "任务")  # the `s` key cycles through these
QUERIES = ("sfj", "zf", "司法", "执法", "xz", "jd")
KEYS = {"items_tab": b"3", "overview_tab": b"1", "search": b"/", "sort": b"s", "filter": b"f"}
# Reload is Ctrl+R (or F5) in the key registry, tui/app/keymap.py.
BACKSPACE, ESCAPE, CTRL_S, SPACE, RELOAD, QUIT = b"\x7f", b"\x1b", b"\x13", b" ", b"\x12", b"q"
QUIET_S = 0.05  # this much silence: the desk has finished drawing what came before a key
SYNC_QUERY, SYNC_REPLY = b"\x1b[?2026$p", b"\x1b[?2026;2$y"  # DECRQM: "supported"
SYNC_START, SYNC_END = b"\x1b[?2026h", b"\x1b[?2026l"

_ESCAPES = re.compile(
    rb"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]"  # CSI: cursor moves, colours, modes
    rb"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC
    rb"|\x1b[()][0-9A-Za-z]|\x1b[=>]"
)


def screen_text(raw: bytes) -> str:
    """Terminal output as text: every escape sequence (cursor moves included) becomes a line
    break, so a marker matches only text drawn in one run."""
    return _ESCAPES.sub(b"\n", raw).decode("utf-8", "replace")


class DeskTimeout(RuntimeError):
    pass


class PtyDesk:
    """`duban` on a pseudo-terminal of ROWS × COLS, driven by writing keys to it.

    It answers Textual's query for synchronised output as a modern terminal does, so every
    frame arrives between SYNC_START and SYNC_END: a frame is painted when its SYNC_END has
    arrived, which is when a terminal would show it.
    """

    def __init__(self, db: Path, *, timeout: float = 60.0) -> None:
        self.timeout = timeout
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        env = bench_env(TERM="xterm-256color", COLORTERM="truecolor")
        env.pop("COLUMNS", None)  # the size comes from the pty, as in a real terminal
        env.pop("LINES", None)

        def controlling_tty() -> None:  # the pty becomes the child's terminal
            os.setsid()
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        cmd = [*duban(), "--db", str(db), "--as-of", AS_OF.isoformat()]
        self.answered = False
        self.mark()
        self.launched = time.perf_counter()
        self.proc = subprocess.Popen(
            cmd,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            preexec_fn=controlling_tty,
            close_fds=True,
        )
        os.close(slave)
        self.fd = master

    def mark(self) -> None:
        """Forget the output so far: what comes next is matched on its own."""
        self.buf = bytearray()
        self.arrivals: list[tuple[int, float]] = []  # (end offset in buf, arrival time)
        self.checked = 0  # output before this offset has been matched already

    def _read(self, wait: float) -> float | None:
        """Read what is there within `wait` seconds; the arrival time, or None."""
        ready, _, _ = select.select([self.fd], [], [], wait)
        if not ready:
            return None
        try:
            chunk = os.read(self.fd, 1 << 16)
        except OSError:  # the child closed the terminal
            chunk = b""
        now = time.perf_counter()
        if not chunk:
            code = self.proc.poll()
            raise DeskTimeout(f"督办台进程已退出（退出码 {code}）：{screen_text(self.buf)[-1500:]}")
        self.buf += chunk
        self.arrivals.append((len(self.buf), now))
        if not self.answered and SYNC_QUERY in self.buf[-len(chunk) - len(SYNC_QUERY) :]:
            os.write(self.fd, SYNC_REPLY)
            self.answered = True
        return now

    def _arrival(self, offset: int) -> float:
        return next(t for end, t in self.arrivals if end >= offset)

    def _match(self, rx: re.Pattern) -> tuple[float, re.Match] | None:
        """The first complete frame since the last match that shows `rx`."""
        while (end := self.buf.find(SYNC_END, self.checked)) >= 0:
            end += len(SYNC_END)
            m = rx.search(screen_text(self.buf[self.checked : end]))
            self.checked = end
            if m:
                return self._arrival(end), m
        pending = self.buf[self.checked :]
        if SYNC_START in pending:
            return None  # a frame is still arriving
        # Output before the terminal's answer took effect: no frame marks; the write ends
        # when its bytes stop coming back to back.
        m = rx.search(screen_text(pending))
        if not m:
            return None
        last = self.arrivals[-1][1]
        while (more := self._read(0.005)) is not None:
            last = more
        self.checked = len(self.buf)
        return last, m

    def wait_for(self, pattern: str) -> tuple[float, re.Match]:
        """Read until a frame shows `pattern`; (the arrival of that frame's end, the match)."""
        rx = re.compile(pattern)
        deadline = time.perf_counter() + self.timeout
        while True:
            found = self._match(rx)
            if found:
                return found
            left = deadline - time.perf_counter()
            if left <= 0:
                raise DeskTimeout(
                    f"等待 {pattern!r} 超时；终端最后的内容：{screen_text(self.buf)[-1500:]}"
                )
            self._read(min(left, 0.2))

    def key(self, data: bytes, pattern: str) -> float:
        """Seconds from writing `data` to the painted frame that matches `pattern`; the
        first frame of any kind after the key is kept in `first_frame` (seconds)."""
        self.drain()
        self.mark()
        sent = time.perf_counter()
        os.write(self.fd, data)
        at, _ = self.wait_for(pattern)
        first = self.buf.find(SYNC_END)
        self.first_frame = (self._arrival(first + len(SYNC_END)) if first >= 0 else at) - sent
        return at - sent

    def send(self, data: bytes, settle: float = 0.15) -> None:
        """A key whose effect is not timed; its output is read and dropped."""
        os.write(self.fd, data)
        end = time.perf_counter() + settle
        while time.perf_counter() < end:
            self._read(max(0.0, end - time.perf_counter()))
        self.mark()

    def drain(self) -> None:
        while self._read(QUIET_S) is not None:
            pass

    def memory_mb(self) -> tuple[float, float]:
        """(resident now, peak resident) of the desk process, from /proc."""
        rss = hwm = 0.0
        with open(f"/proc/{self.proc.pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) / 1024
                elif line.startswith("VmHWM:"):
                    hwm = int(line.split()[1]) / 1024
        return rss, hwm

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                os.write(self.fd, QUIT)
                end = time.perf_counter() + 5
                while self.proc.poll() is None and time.perf_counter() < end:
                    try:
                        self._read(0.05)
                    except DeskTimeout:
                        break
        except OSError:
            pass
        finally:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
            os.close(self.fd)


def ready(desk: PtyDesk, n: int) -> float:
    """Seconds from launch to the overview's counts, checking they count the whole store."""
    at, m = desk.wait_for(MARKERS["ready"])
    if int(m.group(1)) != n:
        raise SystemExit(f"总览显示 {m.group(1)} 项落实事项，数据库中有 {n} 项")
    return at - desk.launched


def startups(db: Path, n: int, runs: int) -> tuple[list[float], list[float]]:
    """Seconds to the counts, and the peak resident memory by then, of fresh desks."""
    times, peaks = [], []
    for _ in range(runs):
        desk = PtyDesk(db)
        try:
            times.append(ready(desk, n))
            peaks.append(desk.memory_mb()[1])
        finally:
            desk.close()
    return times, peaks


def session(db: Path, n: int, *, queries, sorts: int, filters: int, reloads: int) -> dict:
    """One desk on the pty: keystrokes, then reloads; times in seconds, memory in MB."""
    res: dict = {"search": [], "backspace": [], "sort": [], "filter": [], "reload": [], "echo": []}
    desk = PtyDesk(db)
    try:
        res["start"] = ready(desk, n)
        res["rss_first"], _ = desk.memory_mb()
        desk.key(KEYS["items_tab"], MARKERS["items"])
        desk.key(KEYS["search"], "搜索：任务内容")  # the search box's placeholder
        for q in queries:
            for i in range(1, len(q) + 1):
                res["search"].append(
                    desk.key(q[i - 1].encode(), MARKERS["search"].format(q=re.escape(q[:i])))
                )
                res["echo"].append(desk.first_frame)
            for i in range(len(q) - 1, -1, -1):
                pattern = (
                    MARKERS["search"].format(q=re.escape(q[:i]))
                    if i
                    else MARKERS["unfiltered"].format(n=n)
                )
                res["backspace"].append(desk.key(BACKSPACE, pattern))
        desk.send(ESCAPE, settle=0.3)  # an empty search box closes; the table has the focus
        for i in range(sorts):
            name = SORT_NAMES[(i + 1) % len(SORT_NAMES)]
            res["sort"].append(desk.key(KEYS["sort"], MARKERS["sort"].format(name=name)))
        for i in range(filters):
            desk.key(KEYS["filter"], MARKERS["filter_dialog"])
            # Ticks (then unticks) the first status in the dialog. Waiting for the frame that
            # redraws it, not a fixed pause: a frame drawn late for the space (a collection
            # of the old generation can hold the desk ~0.15 s) would otherwise arrive after
            # Ctrl+S was sent, and its stale status line under the dialog be taken as the
            # filter's result.
            desk.key(SPACE, MARKERS["first_status"])
            on = i % 2 == 0
            pattern = MARKERS["filtered"] if on else MARKERS["unfiltered"].format(n=n)
            res["filter"].append(desk.key(CTRL_S, pattern))
        desk.key(KEYS["overview_tab"], MARKERS["ready"])
        for i in range(reloads):
            res["reload"].append(desk.key(RELOAD, MARKERS["ready"]))
            if i == 0:
                res["rss_reload_1"], _ = desk.memory_mb()
        res["rss_reload_last"], res["rss_peak"] = desk.memory_mb()
    finally:
        desk.close()
    return res


# --------------------------------------------------------------------------- Pilot


def pilot_child(db: Path, n: int, queries, sorts: int, filters: int) -> dict:
    """The same keystrokes through Pilot, in this process: Pilot's round trip per key."""
    os.environ.update({k: v for k, v in bench_env().items() if k.startswith("DUBAN")})
    from tui.app.app import DubanApp
    from tui.services.store import open_store

    async def run() -> dict:
        app = DubanApp(open_store(str(db)), as_of=AS_OF, operator="bench")
        out: dict = {"search": [], "backspace": [], "sort": [], "filter": []}

        def status() -> str:
            return str(app.query_one("#items-status").render())

        async def press(key: str, expect: str) -> float:
            t = time.perf_counter()
            await pilot.press(key)
            await pilot.pause()
            took = time.perf_counter() - t
            if not re.search(expect, status() + "\n"):
                raise SystemExit(f"Pilot：按 {key} 后状态行为 {status()!r}，应含 {expect!r}")
            return took

        async with app.run_test(size=(COLS, ROWS)) as pilot:
            while app.board is None:
                await asyncio.sleep(0.01)
            await pilot.press("3")
            await pilot.pause()
            await pilot.press("slash")
            await pilot.pause()
            for q in queries:
                for i in range(1, len(q) + 1):
                    pat = MARKERS["search"].format(q=re.escape(q[:i]))
                    out["search"].append(await press(q[i - 1], pat))
                for i in range(len(q) - 1, -1, -1):
                    pat = (
                        MARKERS["search"].format(q=re.escape(q[:i]))
                        if i
                        else MARKERS["unfiltered"].format(n=n)
                    )
                    out["backspace"].append(await press("backspace", pat))
            await pilot.press("escape")
            await pilot.pause()
            for i in range(sorts):
                name = SORT_NAMES[(i + 1) % len(SORT_NAMES)]
                out["sort"].append(await press("s", MARKERS["sort"].format(name=name)))
            for i in range(filters):
                await pilot.press("f")
                await pilot.pause()
                await pilot.press("space")
                await pilot.pause()
                pat = MARKERS["filtered"] if i % 2 == 0 else MARKERS["unfiltered"].format(n=n)
                out["filter"].append(await press("ctrl+s", pat))
            idle = []
            for _ in range(10):  # a key nothing is bound to: Pilot's floor
                t = time.perf_counter()
                await pilot.press("z")
                await pilot.pause()
                idle.append(time.perf_counter() - t)
            out["idle"] = idle
        return out

    return asyncio.run(run())


def run_pilot(db: Path, n: int, queries, sorts: int, filters: int) -> dict:
    args = [str(db), str(n), ",".join(queries), str(sorts), str(filters)]
    res = subprocess.run(
        [sys.executable, __file__, "--pilot-child", *args],
        capture_output=True,
        text=True,
        env=bench_env(),
        timeout=900,
    )
    if res.returncode != 0:
        raise SystemExit(f"Pilot 子进程失败：{res.stderr[-3000:]}{res.stdout[-1000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------- main


def _ms(values: list[float]) -> list[float]:
    return [v * 1000 for v in values]


def main(argv: list[str]) -> int:
    if argv[:1] == ["--pilot-child"]:
        db, n, queries, sorts, filters = argv[1:6]
        out = pilot_child(Path(db), int(n), queries.split(","), int(sorts), int(filters))
        print(json.dumps(out))
        return 0
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="20000,100000,200000,500000")
    ap.add_argument("--session", type=int, default=200_000, help="size of the keystroke session")
    ap.add_argument("--starts", type=int, default=5)
    ap.add_argument("--reloads", type=int, default=20)
    ap.add_argument("--no-pilot", action="store_true")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args(argv)
    if a.quick:
        sizes, n_session, starts, reloads = [2000], 2000, 1, 2
        queries, sorts, filters = ("sf",), 2, 2
    else:
        sizes = [int(x) for x in a.sizes.split(",") if x]
        n_session, starts, reloads = a.session, a.starts, a.reloads
        queries, sorts, filters = QUERIES, 8, 6
    figures: list[Figure] = []
    for n in sizes:
        db = cached_store(n)
        budget = START_BUDGET_500K_S if n > 200_000 else START_BUDGET_S
        times, peaks = startups(db, n, starts)
        figures.append(Figure(f"督办台启动到总览计数，{n:,} 项（pty 整进程）", times, budget))
        figures.append(
            Figure(
                f"督办台启动后内存峰值，{n:,} 项",
                peaks,
                PEAK_BUDGET_MB if n <= 200_000 else None,
                unit="MB",
            )
        )
    db = cached_store(n_session)
    s = session(db, n_session, queries=queries, sorts=sorts, filters=filters, reloads=reloads)
    where = f"{n_session:,} 项，按键 → 画面"
    figures += [
        Figure(f"搜索输入一个字（{where}）", _ms(s["search"]), KEY_BUDGET_MS, unit="ms"),
        Figure(f"搜索退格（{where}）", _ms(s["backspace"]), KEY_BUDGET_MS, unit="ms"),
        Figure(f"切换排序 s（{where}）", _ms(s["sort"]), KEY_BUDGET_MS, unit="ms"),
        Figure(f"筛选对话框 Ctrl+S 应用（{where}）", _ms(s["filter"]), KEY_BUDGET_MS, unit="ms"),
        Figure(
            f"参考：搜索按键到第一帧（输入框回显），{n_session:,} 项",
            _ms(s["echo"]),
            None,
            unit="ms",
        ),
        Figure(f"刷新 r 到总览重画，{n_session:,} 项", s["reload"], None),
        Figure(
            f"督办台内存峰值 VmHWM，{n_session:,} 项", [s["rss_peak"]], PEAK_BUDGET_MB, unit="MB"
        ),
        Figure(
            f"刷新 {reloads} 次后内存 ÷ 刷新 1 次后",
            [s["rss_reload_last"] / s["rss_reload_1"]],
            RELOAD_GROWTH_BUDGET,
            unit="×",
            note=f"{s['rss_first']:.0f} MB 首次载入，{s['rss_reload_1']:.0f} → "
            f"{s['rss_reload_last']:.0f} MB",
        ),
    ]
    if not a.no_pilot:
        p = run_pilot(db, n_session, queries, sorts, filters)
        for key, label in (
            ("search", "搜索输入一个字"),
            ("backspace", "搜索退格"),
            ("sort", "切换排序"),
            ("filter", "筛选应用"),
            ("idle", "无绑定的键（Pilot 自身开销）"),
        ):
            figures.append(
                Figure(f"对照：Pilot 往返 press+pause，{label}", _ms(p[key]), None, unit="ms")
            )
    title = "督办台基准：伪终端上的整进程（启动、按键、内存）"
    code = report(title, figures, quick=a.quick)
    print(f"按键中位数统计自 {len(s['search'])} 次输入、{len(s['backspace'])} 次退格。")
    print(
        f"伪终端 {COLS}×{ROWS}；启动各 {starts} 次，每次新进程；文件缓存已热（测试库刚生成或刚用过）。"
    )
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
