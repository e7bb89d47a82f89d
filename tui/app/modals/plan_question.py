""" "A new plan, or a revision of plan N?" — asked when a file's title matches a stored plan
but its issuer, region or tasks say it may be another office's plan (issue 9).

Both plans are shown side by side — title, issuer, region, year, number of tasks, a few task
titles, how many tasks sit at the same place — so the officer decides with what tells them
apart in view. Nothing has been written when this is asked; 取消 writes nothing.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, OptionList, Static
from textual.widgets.option_list import Option

from tui.app import keymap
from tui.app.modals.base import CSS, _Fits

# A task title in the question: one line of a side at 80 columns.
_TITLE_CHARS = 15


def summary_text(s, heading: str, *, compare_keys: bool) -> Text:
    """One side of the question (a PlanSummary), every value from the file or store as text."""
    t = Text()
    t.append(heading + "\n", style="bold")
    t.append(f"《{s.title}》\n")
    who = s.issuer or "发文单位未识别"
    t.append(f"发文：{who}{' ' + s.issue_date if s.issue_date else ''}\n")
    t.append(f"地区：{s.region or '未识别'}　年度：{s.period or '未识别'}\n")
    t.append(f"任务：{s.tasks} 项\n")
    if compare_keys and s.same_keys is not None:
        t.append(f"与本文件同一位置的任务：{s.same_keys} 项\n")
        if s.same_tasks is not None:
            t.append(f"内容相同或相近：{round(s.same_tasks * 100)}%\n")
        else:
            t.append("发文单位或地区不同\n", style="yellow")
    for title in s.first_tasks:
        short = title if len(title) <= _TITLE_CHARS else title[: _TITLE_CHARS - 1] + "…"
        t.append(f"·{short}\n", style="dim")
    if s.tasks > len(s.first_tasks):
        t.append("……\n", style="dim")
    t.rstrip()
    return t


class PlanQuestionModal(_Fits, ModalScreen):
    """Returns ("new", None), ("revision", plan id), or None (cancelled)."""

    CSS_PATH = CSS
    BINDINGS = keymap.bindings("plan-question")

    def __init__(self, question) -> None:  # tui.services.importing.PlanChoice
        super().__init__()
        self.question = question
        self.candidates = list(question.candidates)
        self.chosen = 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-wide", id="pq-dialog"):
            yield Label(
                Text("已有同名计划：本文件是新计划，还是它的修订版？"), classes="dialog-title"
            )
            with VerticalScroll(classes="dialog-body"):
                if len(self.candidates) > 1:
                    yield Label("同名计划有多个，选择要比较的一个：")
                    yield OptionList(
                        *(
                            Option(Text(f"计划 {c.id}《{c.title}》 {c.issuer}"), id=str(i))
                            for i, c in enumerate(self.candidates)
                        ),
                        id="pq-candidates",
                    )
                with Horizontal(id="pq-sides"):
                    yield Static(self._stored_text(), id="pq-stored", classes="pq-side")
                    yield Static(self._incoming_text(), id="pq-incoming", classes="pq-side")
                yield Static(
                    "尚未写入任何数据。作为新计划导入时，原计划的任务、进展和函件都不变；"
                    "作为修订版导入时，原计划的任务按位置和内容改为本文件的内容。",
                    classes="dialog-note",
                )
            with Horizontal(classes="dialog-buttons"):
                yield Button("作为新计划导入 (N)", id="pq-new", compact=True)
                yield Button(self._revision_label(), id="pq-revision", compact=True)
                yield Button("取消 (Esc)", id="pq-cancel", compact=True)

    def on_mount(self) -> None:
        self._fit()
        self.query_one("#pq-cancel", Button).focus()

    # ---------------------------------------------------------------- content

    @property
    def candidate(self):
        return self.candidates[self.chosen]

    def _stored_text(self) -> Text:
        c = self.candidate
        return summary_text(c, f"已有：计划 {c.id}（第 {c.revision} 版）", compare_keys=True)

    def _incoming_text(self) -> Text:
        return summary_text(self.question.incoming, "本文件", compare_keys=False)

    def _revision_label(self) -> str:
        return f"作为计划 {self.candidate.id} 的修订版导入 (R)"

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None:
            self.chosen = int(event.option.id)
            self.query_one("#pq-stored", Static).update(self._stored_text())
            self.query_one("#pq-revision", Button).label = self._revision_label()

    def text(self) -> str:
        """Both sides as plain text (tests)."""
        return f"{self._stored_text().plain}\n{self._incoming_text().plain}"

    # ---------------------------------------------------------------- answers

    def action_new_plan(self) -> None:
        self.dismiss(("new", None))

    def action_revision(self) -> None:
        self.dismiss(("revision", self.candidate.id))

    def action_cancel(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        {
            "pq-new": self.action_new_plan,
            "pq-revision": self.action_revision,
            "pq-cancel": self.action_cancel,
        }.get(event.button.id or "", lambda: None)()
