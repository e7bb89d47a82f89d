"""The Textual desk. For now: the imported tasks, browsable by keyboard."""

from __future__ import annotations

from datetime import date

from sqlalchemy.engine import Engine
from sqlmodel import Session
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from tui.ingest.parser import ROLES
from tui.store.queries import TaskRow, list_tasks


class DubanApp(App):
    TITLE = "督办台"
    CSS_PATH = "app.tcss"
    BINDINGS = [Binding("q", "quit", "退出"), Binding("r", "reload", "刷新")]

    def __init__(self, engine: Engine, as_of: date | None = None) -> None:
        super().__init__()
        self.engine = engine
        self.as_of = as_of or date.today()

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="summary")
        yield DataTable(id="tasks", cursor_type="row", zebra_stripes=True)
        yield Static("", id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"截至 {self.as_of.isoformat()}"
        table = self.query_one("#tasks", DataTable)
        table.add_columns("计划", "编号", "任务", "牵头单位", "责任单位")
        self.load_tasks()

    def action_reload(self) -> None:
        self.load_tasks()

    @work(thread=True, exclusive=True, group="load")
    def load_tasks(self) -> None:
        with Session(self.engine) as session:
            rows = list_tasks(session)
        self.call_from_thread(self._show, rows)

    def _show(self, rows: list[TaskRow]) -> None:
        self._rows = rows
        table = self.query_one("#tasks", DataTable)
        table.clear()
        for r in rows:
            lead, resp = (
                "、".join(
                    o.name + ("（待分解）" if o.unresolved else "") for o in r.owners_of(role)
                )
                for role in ROLES[:2]
            )
            table.add_row(r.plan[:12], r.number, r.title, lead, resp, key=str(r.id))
        plans = len({r.plan_id for r in rows})
        self.query_one("#summary", Static).update(f"共 {plans} 份计划，{len(rows)} 项任务")

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key is None or not getattr(self, "_rows", None):
            return
        row = next((r for r in self._rows if str(r.id) == event.row_key.value), None)
        if row:
            self.query_one("#detail", Static).update(f"{row.number} {row.section}\n{row.text}")
