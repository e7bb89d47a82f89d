"""6 函件: the letter register — drafts, signed, printed, replied, late replies — with a preview."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Static

STATUS_STYLE = {
    "草稿": "dim",
    "已签发": "cyan",
    "已打印": "green",
    "已回复": "green",
    "逾期未复": "bold red",
    "作废": "dim strike",
}


class LettersView(Vertical):
    def compose(self) -> ComposeResult:
        yield Static("正在读取…", id="letters-status")
        yield DataTable(id="letters-table", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="letters-preview-box"):
            yield Static("", id="letters-preview")

    def on_mount(self) -> None:
        table = self.query_one("#letters-table", DataTable)
        table.add_columns(
            "发文字号", "种类", "单位", "状态", "事项", "发函日期", "回复期限", "签发人"
        )

    def show(self, letters: Sequence) -> None:
        """Fill the register (a county's year is a few hundred letters: a DataTable copes)."""
        table = self.query_one("#letters-table", DataTable)
        keep = table.cursor_row
        table.clear()
        for row in letters:
            table.add_row(
                row.number or "（草稿）",
                row.kind,
                row.unit,
                Text(row.status, style=STATUS_STYLE.get(row.status, "")),
                str(row.items),
                row.issued_on.isoformat() if row.issued_on else "",
                row.reply_due.isoformat() if row.reply_due else "",
                row.signed_by or "",
                key=str(row.id),
            )
        if letters:
            table.move_cursor(row=min(max(keep, 0), len(letters) - 1))
        counts: dict[str, int] = {}
        for row in letters:
            counts[row.status] = counts.get(row.status, 0) + 1
        summary = "  ".join(f"{k} {v}" for k, v in counts.items()) or "尚无函件"
        self.query_one("#letters-status", Static).update(
            f"函件登记：共 {len(letters)} 件　{summary}　（n 起草应发函件　k 签发　P 打印）"
        )
        if not letters:
            self.query_one("#letters-preview", Static).update("")

    def show_preview(self, text: str) -> None:
        self.query_one("#letters-preview", Static).update(Text(text))

    def current_id(self) -> int | None:
        table = self.query_one("#letters-table", DataTable)
        if table.row_count == 0:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return int(key.value) if key and key.value else None
