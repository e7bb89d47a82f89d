"""The `duban setup` form: the office's identity on one screen, keyboard only.

Prefilled with what is in effect (the settings file, else the suggestions for the region);
changing the region refreshes every field still showing the previous suggestion, so an
office types its region first and corrects only what differs. Ctrl+S saves, Esc leaves
without writing. The form only collects values; tui/config_cli.py validates and writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Footer, Input, Label, Static

from tui.config import KINDS, LABELS, Settings, suggest_identity

FIELDS: tuple[tuple[str, str], ...] = (
    ("region", "如 达拉特旗、东胜区（决定下列名称的推荐值）"),
    ("office", "署名，如 中共达拉特旗委全面依法治旗委员会办公室"),
    ("issuer_mark", "红头，一般同全称"),
    ("office_short", "正文中用，如 旗委依法治旗办"),
    ("letter_prefix.提示", "提示函发文字号代字，如 达依法治办提"),
    ("letter_prefix.提醒", "提醒函发文字号代字"),
    ("letter_prefix.督办", "督办函发文字号代字"),
    ("contact", "联系人姓名"),
    ("phone", "联系电话"),
    ("cc", "督办函抄送，如 旗委、旗政府分管领导"),
    ("signers", "签发人，多人用顿号或逗号分隔"),
    ("printer", "打印机队列名，空为系统默认"),
)


def _wid(key: str) -> str:
    """A widget id (ASCII): f-office, f-code-督办 → f-code-2."""
    if key.startswith("letter_prefix."):
        return f"f-code-{KINDS.index(key.split('.', 1)[1])}"
    return f"f-{key}"


def _label(key: str) -> str:
    if key.startswith("letter_prefix."):
        return f"{key.split('.', 1)[1]}函代字"
    return LABELS.get(key, key)


def _current(settings: Settings, key: str) -> str:
    if key.startswith("letter_prefix."):
        return settings.letter_prefix.get(key.split(".", 1)[1], "")
    value = getattr(settings, key)
    return "、".join(value) if isinstance(value, tuple) else str(value or "")


def _suggested(region: str, key: str) -> str:
    hint = suggest_identity(region)
    if key.startswith("letter_prefix."):
        return hint.get("letter_prefix", {}).get(key.split(".", 1)[1], "")
    value = hint.get(key, "")
    return value if isinstance(value, str) else ""


class SetupForm(App[dict[str, Any] | None]):
    """Returns the values to write, or None when left with Esc."""

    TITLE = "督办台设置"
    CSS = """
    Screen { align: center top; }
    #form { width: 100; max-width: 100%; height: 1fr; padding: 0 1; }
    .row { height: 3; }
    .row Label { width: 22; padding: 1 1 0 0; text-align: right; }
    .row Input { width: 1fr; }
    #where { color: $text-muted; padding: 0 0 1 0; }
    #buttons { height: 3; align: center middle; }
    #error { color: $error; height: auto; }
    """
    BINDINGS = [
        Binding("ctrl+s", "save", "保存"),
        Binding("escape", "cancel", "不保存退出"),
    ]

    def __init__(self, settings: Settings, store_region: str, path: Path) -> None:
        super().__init__()
        self.settings = settings
        self.path = path
        self.region = settings.region or store_region
        effective = settings.for_region(self.region)
        self.initial = {key: _current(effective, key) for key, _ in FIELDS}
        self.initial["region"] = self.region
        # fields the office has not written itself: the region may refill them
        from_file = set(settings.sources)
        self.auto = {k: v for k, v in self.initial.items() if k not in from_file}

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="form"):
            yield Static(f"设置文件：{self.path}", id="where", markup=False)
            for key, hint in FIELDS:
                with Horizontal(classes="row"):
                    yield Label(_label(key))
                    yield Input(
                        value=self.initial[key],
                        placeholder=hint,
                        id=_wid(key),
                    )
            yield Static("", id="error", markup=False)
            with Horizontal(id="buttons"):
                yield Button("保存 (Ctrl+S)", id="save", variant="primary")
                yield Button("取消 (Esc)", id="cancel")
        yield Footer()

    def _input(self, key: str) -> Input:
        return self.query_one(f"#{_wid(key)}", Input)

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id != "f-region":
            return
        new = event.value.strip()
        for key, _ in FIELDS:
            hint = _suggested(new, key)
            if key == "region" or not hint:
                continue
            box = self._input(key)
            if key in self.auto and box.value in (self.auto[key], ""):
                box.value = self.auto[key] = hint
        self.region = new

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        codes: dict[str, str] = {}
        for key, _ in FIELDS:
            value = self._input(key).value.strip()
            if key.startswith("letter_prefix."):
                if value:
                    codes[key.split(".", 1)[1]] = value
            elif key == "signers":
                names = value.replace("，", "、").replace(",", "、").split("、")
                out["signers"] = [n.strip() for n in names if n.strip()]
            else:
                out[key] = value
        if codes:
            out["letter_prefix"] = {k: codes[k] for k in KINDS if k in codes}
        return out

    def action_save(self) -> None:
        values = self.values()
        if not values.get("office") or not values.get("issuer_mark"):
            self.query_one("#error", Static).update("请填写发文机关全称和红头（或先填写地区）")
            return
        self.exit(values)

    def action_cancel(self) -> None:
        self.exit(None)


def run_form(settings: Settings, store_region: str, path: Path) -> dict[str, Any] | None:
    return SetupForm(settings, store_region, path).run()
