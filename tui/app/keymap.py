"""Every key of the desk, once: the registry the bindings, key bar, palette and help come from.

One `Entry` per action. Its ``scopes`` say where the key works: ``app`` (anywhere),
``list`` (every table and tree: moving the cursor), or the tabs that own the action.
Each tab and list widget takes its bindings from here (`bindings`), the command palette
and the help screen list the same entries, and the key bar shows the bindings that are
active. Adding a key is one entry here plus the ``action_…`` method it names.

Keys follow the terminal apps people know: j/k move in every list and tree, g/G go to the
top and bottom; no action sits on j, k, h or l. An office may remap any entry by its id
in the settings file (``[keys]``: ``sign-letter = "ctrl+g"``), as posting's keymap does.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass

from textual.binding import Binding

from tui.errors import DubanError


@dataclass(frozen=True)
class Entry:
    id: str  # stable name for the settings file's [keys] table
    keys: str  # Textual key names, comma-separated (the first is shown)
    action: str  # the action method on the widget that owns the binding
    label: str  # a few characters: the key bar and the palette's title
    help: str  # one line: the help screen and the palette
    scopes: tuple[str, ...]  # "app", "list" or tab ids
    show: bool = True  # shown on the key bar
    palette: bool = True  # offered in the command palette
    # Acts when the key arrives, before keys typed after it are handed to the focused widget
    # (`/` then the search text in one burst: the text must reach the search box).
    priority: bool = False


TAB_IDS = ("overview", "plans", "items", "units", "triage", "letters", "log")
TAB_TITLES = {
    "overview": "总览",
    "plans": "计划",
    "items": "督办事项",
    "units": "单位",
    "triage": "待办",
    "letters": "函件",
    "log": "操作记录",
    "circulars": "通报",  # a full-screen view over the tabs (C), not a tab
}
ITEM_TABS = ("items", "triage")

REGISTRY: tuple[Entry, ...] = (
    # ---- anywhere
    *(
        Entry(
            f"tab-{tab}",
            str(n),
            f"tab('{tab}')",
            TAB_TITLES[tab],
            f"切换到“{TAB_TITLES[tab]}”页",
            ("app",),
            show=False,
        )
        for n, tab in enumerate(TAB_IDS, start=1)
    ),
    Entry(
        "search",
        "slash",
        "search",
        "搜索",
        "搜索督办事项：任务内容、单位名称或拼音首字母（如 sfj）",
        ("app",),
        priority=True,
    ),
    Entry(
        "undo",
        "u",
        "undo",
        "撤销",
        "撤销本次打开督办台后的上一步修改（先说明要撤销什么，再确认）",
        ("app",),
    ),
    Entry(
        "import",
        "i",
        "import_plan",
        "导入",
        "导入计划：选择文件 → 逐项审核并更正（存疑的在前） → 确认后才写入",
        ("app",),
    ),
    Entry("as-of", "d", "as_of", "日期", "更改查看日期（截至哪一天）", ("app",), show=False),
    Entry("reload", "f5,ctrl+r", "reload", "刷新", "重新读取数据库", ("app",), show=False),
    Entry(
        "region",
        "R",
        "region",
        "地区",
        "选择地区：市级数据库中只看某旗县区的督办事项（只有一个地区时不需要）",
        ("app",),
        show=False,
    ),
    Entry("help", "question_mark,f1", "help", "帮助", "按键说明（本页）", ("app",)),
    Entry(
        "palette",
        "ctrl+p",
        "command_palette",
        "命令",
        "命令面板：按名称或拼音首字母查找并执行操作",
        ("app",),
        palette=False,
    ),
    Entry("quit", "q", "quit", "退出", "保存并退出督办台", ("app",)),
    Entry(
        "circulars",
        "C",
        "circulars",
        "通报",
        "通报：各单位完成情况排名与条形图、起草、签发（第N期）、生成文件、作废",
        ("app",),
        show=False,
    ),
    Entry(
        "all-lists",
        "L",
        "all_lists",
        "印发清单",
        "为一个计划的全部单位生成任务清单（Word、Excel，可加 PDF）并登记印发（先确认）",
        ("app",),
        show=False,
    ),
    Entry(
        "ledger-export",
        "E",
        "ledger_export",
        "导出台账",
        "导出 Excel 台账：全部计划的落实事项及状态，供单位填报（只读取，不改动数据）",
        ("app",),
        show=False,
    ),
    Entry(
        "ledger-import",
        "I",
        "ledger_import",
        "导入台账",
        "导入单位交回的台账：逐项列出变更和未导入的行，确认后才写入",
        ("app",),
        show=False,
    ),
    Entry(
        "year-figures",
        "Y",
        "year_figures",
        "年度数字",
        "年度数字：任务、清单、通报、函件、完成率等，以及可复制的总结段落",
        ("app",),
        show=False,
    ),
    # ---- every list and tree
    Entry(
        "cursor-down",
        "j,down",
        "cursor_down",
        "下移",
        "光标下移一行",
        ("list",),
        show=False,
        palette=False,
    ),
    Entry(
        "cursor-up",
        "k,up",
        "cursor_up",
        "上移",
        "光标上移一行",
        ("list",),
        show=False,
        palette=False,
    ),
    Entry(
        "page-down",
        "pagedown",
        "page_down",
        "下一页",
        "向下翻页",
        ("list",),
        show=False,
        palette=False,
    ),
    Entry(
        "page-up", "pageup", "page_up", "上一页", "向上翻页", ("list",), show=False, palette=False
    ),
    Entry("top", "g,home", "top", "首行", "到第一行", ("list",), show=False, palette=False),
    Entry("bottom", "G,end", "bottom", "末行", "到最后一行", ("list",), show=False, palette=False),
    Entry(
        "choose",
        "enter",
        "choose",
        "打开",
        "打开：单位的任务清单、计划中的任务详情",
        ("list",),
        show=False,
        palette=False,
    ),
    # ---- 1 总览
    Entry(
        "late-replies",
        "y",
        "late_replies",
        "回复逾期",
        "查看回复逾期的函件（转到函件页）",
        ("overview",),
    ),
    # ---- items and triage
    Entry(
        "progress",
        "p",
        "progress",
        "进展",
        "记录进展；周期性任务可补报截至某日的各期或登记本期报告；选中多项时批量记录",
        ITEM_TABS,
    ),
    Entry("close", "a", "close", "验收", "验收销号（先确认）；选中多项时批量验收", ITEM_TABS),
    Entry("reopen", "o", "reopen", "重开", "重新打开已销号的事项", ITEM_TABS, show=False),
    Entry(
        "deadline",
        "t",
        "deadline",
        "期限",
        "设定或更正任务期限（影响该任务全部单位，须写原因）",
        ITEM_TABS,
    ),
    Entry("extension", "x", "extension", "延期", "延期申请：理由、新期限、同意或不同意", ITEM_TABS),
    Entry(
        "item-owners",
        "w",
        "owners",
        "负责单位",
        "修改该任务的负责单位（增加、移除、改变角色）",
        ITEM_TABS,
    ),
    # ---- 3 督办事项
    Entry("select", "space", "toggle_select", "选中", "选中或取消选中（批量操作）", ("items",)),
    Entry(
        "only-selected", "v", "only_selected", "只看选中", "只看选中的事项 / 恢复全部", ("items",)
    ),
    Entry(
        "clear-selection",
        "escape",
        "clear_selection",
        "清除选中",
        "清除全部选中",
        ("items",),
        show=False,
    ),
    Entry("filters", "f", "filters", "筛选", "按状态、单位、单位类别、计划、角色筛选", ("items",)),
    Entry("sort", "s", "sort", "排序", "切换排序：紧急程度 / 期限 / 单位 / 任务", ("items",)),
    Entry(
        "show-all",
        "c",
        "show_all",
        "全部",
        "清除搜索和筛选，显示全部事项（选中的保留）",
        ("items",),
    ),
    # ---- 2 计划
    Entry(
        "mark-task",
        "space",
        "toggle_mark",
        "标记",
        "标记任务（为多项任务一起指定负责单位）",
        ("plans",),
    ),
    Entry(
        "task-owners",
        "w",
        "owners",
        "负责单位",
        "为任务指定或修改负责单位（标记多项时一起增加）",
        ("plans",),
    ),
    Entry(
        "task-resolve",
        "b",
        "resolve_group",
        "分解",
        "把该任务的待分解单位组分解到具体单位",
        ("plans",),
    ),
    # ---- 4 单位
    Entry(
        "edit-unit", "e", "edit_unit", "改单位", "修改单位负责人、联系人、电话、别名", ("units",)
    ),
    Entry(
        "merge-unit", "m", "merge_unit", "合并", "把同一单位的两个名称合并（先确认）", ("units",)
    ),
    Entry(
        "resolve-group",
        "b",
        "resolve_group",
        "分解",
        "把待分解的单位组分解到具体单位：按任务选择，先确认",
        ("units",),
    ),
    Entry(
        "unit-list",
        "n",
        "unit_list",
        "本单位清单",
        "生成所选单位的任务清单并登记印发（先说明写入哪些文件、保存在哪里）",
        ("units",),
    ),
    # ---- 6 函件
    Entry(
        "draft-letters",
        "n",
        "draft_letters",
        "起草",
        "按督办阶梯起草应发的提示函、提醒函、督办函（草稿）",
        ("letters",),
    ),
    Entry(
        "edit-draft",
        "e",
        "edit_draft",
        "改草稿",
        "修改草稿的标题、正文、结束语和事项",
        ("letters",),
    ),
    Entry(
        "sign-letter",
        "s",
        "sign_letters",
        "签发",
        "签发选中的草稿：写明签发人，编发文字号（不能撤销，先确认）",
        ("letters",),
    ),
    Entry(
        "print-letter",
        "p",
        "print_letters",
        "打印",
        "打印选中的已签发函件（不能撤销，先确认）",
        ("letters",),
    ),
    Entry(
        "render-letter",
        "w",
        "render_letters",
        "生成文件",
        "生成选中函件的 PDF 和 Word 文件（文件位置显示在预览下方）",
        ("letters",),
    ),
    Entry(
        "reply-letter",
        "r",
        "reply",
        "回复登记",
        "登记单位的书面回复：日期、内容、事项销号或延期",
        ("letters",),
    ),
    Entry(
        "void-letter",
        "x",
        "void",
        "作废",
        "作废函件：写明原因，保留其文号（不能撤销，先确认）",
        ("letters",),
    ),
    Entry(
        "select-letter",
        "space",
        "toggle_select",
        "选中",
        "选中或取消选中函件（批量签发、打印）",
        ("letters",),
    ),
    Entry(
        "clear-letters",
        "escape",
        "clear_selection",
        "清除选中",
        "清除全部选中",
        ("letters",),
        show=False,
    ),
    Entry(
        "letter-filter",
        "f",
        "cycle_filter",
        "筛选",
        "按状态筛选：全部 / 草稿 / 待回复 / 逾期未复 / 已回复 / 作废",
        ("letters",),
    ),
    # ---- 7 操作记录
    Entry(
        "draft-circular",
        "n",
        "draft_circular",
        "起草",
        "起草通报（先确认计划和截至日期）",
        ("circulars",),
    ),
    Entry(
        "sign-circular",
        "s",
        "sign_circular",
        "签发",
        "签发通报：先说明将编的期号，写明签发人后确认",
        ("circulars",),
    ),
    Entry(
        "render-circular",
        "w",
        "render_circular",
        "生成",
        "生成通报的 PDF 和 Word 文件",
        ("circulars",),
    ),
    Entry(
        "void-circular",
        "x",
        "void_circular",
        "作废",
        "作废通报（期号保留，不再使用）",
        ("circulars",),
    ),
    Entry(
        "close-circulars",
        "escape",
        "close_circulars",
        "返回",
        "离开通报页，回到各页",
        ("circulars",),
    ),
    Entry(
        "revert-change",
        "z",
        "revert",
        "撤回此项",
        "撤回选中的这项操作（之后没有相关修改时；先确认）",
        ("log",),
    ),
    # ---- 年度数字 (tui.app.tabs.year)
    Entry(
        "prev-year",
        "left,left_square_bracket",
        "year(-1)",
        "上一年",
        "年度数字：看上一年度",
        ("year",),
    ),
    Entry(
        "next-year",
        "right,right_square_bracket",
        "year(1)",
        "下一年",
        "年度数字：看下一年度（不超过查看日期所在年度）",
        ("year",),
    ),
    Entry(
        "copy-paragraph",
        "c",
        "copy_paragraph",
        "复制段落",
        "把总结段落复制到剪贴板（终端不支持时按 w 保存为文件）",
        ("year",),
    ),
    Entry(
        "save-paragraph",
        "w",
        "save_paragraph",
        "保存段落",
        "把总结段落保存为数据库旁“年度数字”文件夹中的文本文件",
        ("year",),
    ),
    Entry("close-year", "escape", "close_year", "返回", "离开年度数字，回到各页", ("year",)),
    # ---- importing a returned ledger: the review before the write
    Entry(
        "ledger-confirm",
        "y,ctrl+s",
        "confirm",
        "确认导入",
        "台账审核：确认后写入（说明写入多少项变更，先确认）",
        ("ledger-review",),
    ),
    Entry(
        "ledger-cancel",
        "escape",
        "cancel",
        "取消导入",
        "台账审核：取消导入，不写入任何数据",
        ("ledger-review",),
    ),
    # ---- importing: "a new plan, or a revision?" (tui.app.modals.plan_question)
    Entry(
        "import-as-new",
        "n",
        "new_plan",
        "新计划",
        "同名计划已存在时：把文件作为新计划导入（原计划不变）",
        ("plan-question",),
    ),
    Entry(
        "import-as-revision",
        "r",
        "revision",
        "修订版",
        "同名计划已存在时：把文件作为所选计划的修订版导入",
        ("plan-question",),
    ),
    Entry(
        "import-question-cancel",
        "escape",
        "cancel",
        "取消",
        "取消导入，不写入任何数据",
        ("plan-question",),
    ),
    # ---- importing: the review before the write (tui.app.review)
    Entry(
        "review-owners",
        "w",
        "owners",
        "改单位",
        "导入审核：修改任务的牵头、责任、配合单位",
        ("review",),
    ),
    Entry(
        "review-deadline",
        "t",
        "deadline",
        "改期限",
        "导入审核：修改任务的完成时限",
        ("review",),
    ),
    Entry(
        "review-split",
        "s",
        "split",
        "拆分",
        "导入审核：在光标处把一项任务拆成两项",
        ("review",),
    ),
    Entry(
        "review-merge",
        "m",
        "merge",
        "合并",
        "导入审核：把任务与文件中的下一项合并为一项（先确认）",
        ("review",),
    ),
    Entry(
        "review-confirm",
        "y,ctrl+s",
        "confirm",
        "确认导入",
        "导入审核：确认后写入（说明写入多少项任务、多少条更正，先确认）",
        ("review",),
    ),
    Entry(
        "review-cancel",
        "escape",
        "cancel",
        "取消导入",
        "导入审核：取消导入，不写入任何数据（有更正时先确认）",
        ("review",),
    ),
)

# Where the scopes that are not tabs work, as the help screen says it.
SCOPE_TITLES = {
    "review": "导入审核",
    "plan-question": "导入：新计划或修订版",
    "year": "年度数字",
    "ledger-review": "台账审核",
}

BY_ID: dict[str, Entry] = {e.id: e for e in REGISTRY}


def entries(scope: str | None = None) -> list[Entry]:
    return [e for e in REGISTRY if scope is None or scope in e.scopes]


def bindings(scope: str) -> list[Binding]:
    """The Textual bindings of one scope (ids are the entries' ids, for the keymap)."""
    return [
        Binding(
            e.keys, e.action, e.label, show=e.show, id=e.id, tooltip=e.help, priority=e.priority
        )
        for e in entries(scope)
    ]


# ---------------------------------------------------------------------------- showing keys

_KEY_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "space": "空格",
    "enter": "回车",
    "escape": "Esc",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "home": "Home",
    "end": "End",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
    "tab": "Tab",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
}


def key_name(key: str) -> str:
    """A Textual key as the desk prints it: 空格, 回车, Ctrl+P, F1, G."""
    key = key.strip()
    if key in _KEY_NAMES:
        return _KEY_NAMES[key]
    parts = key.split("+")
    if len(parts) > 1:
        mods = [p.capitalize() for p in parts[:-1]]
        return "+".join([*mods, key_name(parts[-1]).upper()])
    if len(key) > 1 and key[0] == "f" and key[1:].isdigit():
        return key.upper()
    return key


def keys_text(keys: str, *, first: bool = False) -> str:
    names = [key_name(k) for k in keys.split(",") if k.strip()]
    return names[0] if first and names else " / ".join(names)


# ---------------------------------------------------------------------------- remapping


def parse_keymap(table: object, source: str) -> dict[str, str]:
    """The ``[keys]`` table of the settings: entry id → keys. Unknown ids are refused."""
    if not isinstance(table, dict):
        raise DubanError(f"设置文件 {source} 中 [keys] 应为“操作 = 按键”的表")
    out: dict[str, str] = {}
    for action_id, keys in table.items():
        if action_id not in BY_ID:
            raise DubanError(f"设置文件 {source} 的 [keys] 中没有这个操作：{action_id}")
        if not isinstance(keys, str) or not keys.strip():
            raise DubanError(
                f'设置文件 {source} 的 [keys] 中 {action_id} 应为按键文字，如 "ctrl+g"'
            )
        out[action_id] = ",".join(k.strip() for k in keys.split(",") if k.strip())
    return out


def load_keymap() -> dict[str, str]:
    """The office's remapped keys from the settings file (empty when it has none)."""
    from tui.config import config_path

    path = config_path()
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}  # load_settings reports a broken file in Chinese
    if "keys" not in data:
        return {}
    return parse_keymap(data["keys"], str(path))


def effective_keys(entry: Entry, keymap: dict[str, str] | None = None) -> str:
    return (keymap or {}).get(entry.id, entry.keys)


def where(entry: Entry) -> str:
    if "app" in entry.scopes:
        return "全部"
    if "list" in entry.scopes:
        return "列表、树"
    titles = {**TAB_TITLES, **SCOPE_TITLES}
    return "、".join(titles[s] for s in entry.scopes if s in titles)


def help_rows(keymap: dict[str, str] | None = None) -> Iterable[tuple[str, str, str, str]]:
    """(keys, action, what it does, where) for every entry: the help screen and the README."""
    tabs = [e for e in REGISTRY if e.id.startswith("tab-")]
    pages = " / ".join(TAB_TITLES[t] for t in TAB_IDS)
    yield ("1 – 7", "切换页面", pages, "全部")
    for e in REGISTRY:
        if e in tabs:
            continue
        yield (keys_text(effective_keys(e, keymap)), e.label, e.help, where(e))


def readme_table() -> str:
    """The README's key table, generated from the registry (a test keeps them equal)."""
    lines = ["| 按键 | 操作 | 说明 | 页面 |", "|---|---|---|---|"]
    for keys, label, what, where_ in help_rows():
        lines.append(f"| {keys.replace('|', '｜')} | {label} | {what} | {where_} |")
    return "\n".join(lines)
