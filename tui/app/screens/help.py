"""The help screen (? or F1): every key and what it does, in the desk's words."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

# (key, what it does, where): the one list the help screen, the palette and the README use.
KEY_HELP: tuple[tuple[str, str, str], ...] = (
    ("1 – 6", "切换页面：总览 / 计划 / 督办事项 / 单位 / 待办 / 函件", "全部"),
    ("↑ ↓ PgUp PgDn Home End", "移动光标、翻页", "全部"),
    ("回车", "打开：单位的任务清单、计划中的任务详情", "单位、计划"),
    ("/", "搜索（任务内容、单位名称、拼音首字母，如 sfj）", "督办事项"),
    ("f", "筛选：状态、单位、单位类别、计划、角色", "督办事项"),
    ("s", "切换排序：紧急程度 / 期限 / 单位 / 任务", "督办事项"),
    ("空格", "选中或取消选中（批量操作）", "督办事项"),
    ("p", "记录进展（日期、内容、是否已完成）；选中多项时批量记录", "督办事项、待办"),
    ("a", "验收销号；选中多项时批量验收", "督办事项、待办"),
    ("o", "重新打开已销号事项", "督办事项、待办"),
    ("t", "设定或更正期限（须写原因）", "督办事项、待办"),
    ("x", "延期申请（理由、新期限、同意或不同意）", "督办事项、待办"),
    ("e", "修改单位负责人、联系人、电话、别名", "单位"),
    ("m", "合并两个同一单位", "单位"),
    ("g", "分解待分解的单位组", "单位"),
    ("n", "按督办阶梯起草应发的提示函、提醒函、督办函（草稿）", "函件"),
    ("k", "签发选中的函件（编发文字号，操作人为签发人）", "函件"),
    ("P", "打印选中的函件（送系统打印队列，登记已打印）", "函件"),
    ("u", "撤销上一步修改（依据审计记录）", "全部"),
    ("i", "导入计划：选择文件 → 预检报告 → 确认或取消", "全部"),
    ("d", "更改查看日期（截至）", "全部"),
    ("r", "重新读取数据", "全部"),
    ("Ctrl+P", "命令面板：以上全部操作", "全部"),
    ("? / F1", "本帮助", "全部"),
    ("Esc", "关闭对话框、离开搜索框", "全部"),
    ("q", "退出", "全部"),
)


class HelpScreen(ModalScreen):
    CSS_PATH = "modals.tcss"
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "关闭")]

    def compose(self) -> ComposeResult:
        t = Table(box=None, expand=True, show_edge=False)
        t.add_column("按键", style="bold", no_wrap=True)
        t.add_column("作用")
        t.add_column("页面", style="dim", no_wrap=True)
        for key, what, where in KEY_HELP:
            t.add_row(key, what, where)
        with Vertical(classes="dialog dialog-wide"):
            yield Label("督办台 按键说明（Esc 关闭）", classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(t, id="help-table")

    async def action_dismiss(self, result=None) -> None:
        self.dismiss(None)
