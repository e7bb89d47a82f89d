"""年度数字: the year's figures as a full-screen view over the tabs (Y, or 年度数字 in the
palette), as the 通报 view is.

A full screen rather than a dialog: the table of figures and the paragraph need the whole
80×24 terminal, and the view has keys of its own (years, copy, save) that belong on its key
bar. It opens on the year of the desk's date; ←/[ and →/] move a year (never past the
desk's date). c copies the paragraph to the clipboard (OSC 52, Textual's
copy_to_clipboard — many terminals ignore it), w saves it as a text file beside the store
(the fallback that always works). Reads only, in a worker; saving writes only that file.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from tui.app.keymap import bindings
from tui.app.widgets.keybar import KeyBar
from tui.app.widgets.messagebar import MessageBar
from tui.reports.summary import table_rows
from tui.services import desk_reports as svc
from tui.text import strip_controls


class YearScreen(Screen):
    BINDINGS = bindings("year")
    DEFAULT_CSS = """
    YearScreen { layout: vertical; }
    #yr-title { height: 1; padding: 0 1; text-style: bold; }
    #yr-body { height: 1fr; padding: 0 1; }
    #yr-paragraph { margin-top: 1; border: round $primary 50%; padding: 0 1; }
    #yr-footer { height: auto; dock: bottom; }
    """

    def __init__(self, year: int) -> None:
        super().__init__()
        self.year = year
        self.figures = None

    @property
    def desk(self):
        return self.app

    def compose(self) -> ComposeResult:
        yield Static(Text(f"{self.year}年度数字（正在读取…）"), id="yr-title")
        with VerticalScroll(id="yr-body"):
            yield Static("", id="yr-table")
            yield Static("", id="yr-paragraph")
        with Vertical(id="yr-footer"):
            yield MessageBar(id="yr-message")
            yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#yr-body").focus()
        self.load()

    def load(self) -> None:
        desk = self.desk
        year = self.year
        desk.jobs.run(
            svc.year_figures,
            desk.store,
            year,
            today=desk.as_of,
            soon_days=desk.soon_days,
            region=desk.regions.name or None,  # the desk's region, as every tab
            on_done=lambda f: self._show(year, f),
            on_failed=lambda m: self._failed(year, m),
            group="detail",
        )

    def _show(self, year: int, figures) -> None:
        if year != self.year:
            return  # a year the officer has moved past
        self.figures = figures
        region = self.desk.regions.name
        self.query_one("#yr-title", Static).update(
            Text(
                (f"{strip_controls(region)} " if region else "")
                + f"{year}年度数字（统计截至 {figures.as_of.isoformat()}；←/→ 换年度）"
            )
        )
        t = Table(box=None, show_edge=False, expand=True, pad_edge=False)
        t.add_column("指标", style="bold", no_wrap=True)
        t.add_column(f"{year}年")
        for name, value in table_rows(figures):
            t.add_row(Text(name), Text(strip_controls(str(value))))
        self.query_one("#yr-table", Static).update(t)
        para = Text()
        para.append("总结段落（可直接粘贴）\n", style="bold")
        para.append(strip_controls(figures.paragraph) or "（所选年度没有可写入段落的数字）")
        self.query_one("#yr-paragraph", Static).update(para)

    def _failed(self, year: int, message: str) -> None:
        if year == self.year:
            self.figures = None
            self.query_one("#yr-title", Static).update(Text(f"{year}年度数字"))
            self.query_one("#yr-table", Static).update(Text(message, style="bold red"))
            self.query_one("#yr-paragraph", Static).update("")
            self.say(message, "error")

    def say(self, message: str, severity: str = "information") -> None:
        self.desk.say(message, severity)
        self.query_one("#yr-message", MessageBar).show(message, severity)

    def text(self) -> str:
        """What the screen shows, as plain text (tests)."""
        from tui.app.tabs.base import plain

        parts = [plain(self.query_one(f"#{w}", Static)) for w in ("yr-title", "yr-paragraph")]
        if self.figures is not None:
            parts[1:1] = [f"{k} {v}" for k, v in table_rows(self.figures)]
        else:
            parts.insert(1, plain(self.query_one("#yr-table", Static)))
        return "\n".join(parts)

    # ---------------------------------------------------------------- keys

    def action_year(self, delta: int) -> None:
        year = self.year + delta
        if year > self.desk.as_of.year:
            self.say(f"{year}年还没有开始（查看日期 {self.desk.as_of.isoformat()}）", "warning")
            return
        if year < 1990:
            return
        self.year = year
        self.figures = None
        self.query_one("#yr-title", Static).update(Text(f"{year}年度数字（正在读取…）"))
        self.load()

    def _paragraph(self) -> str | None:
        if self.figures is None or not self.figures.paragraph:
            self.say("这一年度没有可复制的段落", "warning")
            return None
        return strip_controls(self.figures.paragraph)

    def action_copy_paragraph(self) -> None:
        text = self._paragraph()
        if text is not None:
            self.app.copy_to_clipboard(text)
            self.say(
                f"已把{self.year}年度总结段落发送到剪贴板（{len(text)} 字）；"
                "如粘贴不出，说明终端不支持，请按 w 保存为文件"
            )

    def action_save_paragraph(self) -> None:
        text = self._paragraph()
        if text is None:
            return
        year = self.year
        self.desk.jobs.run(
            svc.save_paragraph,
            self.desk.store,
            year,
            text,
            on_done=lambda path: self.say(f"已把{year}年度总结段落保存为：{path}"),
            on_failed=lambda m: self.say(m, "error"),
        )

    def action_close_year(self) -> None:
        self.dismiss(None)
