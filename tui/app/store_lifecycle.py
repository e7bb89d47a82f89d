"""Opening and closing the desk's store: offering to create a missing one, and closing it
(checkpointing the WAL) however the desk ends. A mixin of the app, kept apart so the app
stays its frame."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tui.app.modals.base import ConfirmModal

if TYPE_CHECKING:
    from tui.services.store import Store


class StoreLifecycle:
    def _ask_to_create(self) -> None:
        label = self.target.label if self.target is not None else ""
        body = (
            f"数据库不存在：{label}\n"
            "新建一个空的数据库吗？新建后按 i 导入计划。\n"
            "如要打开已有的数据库，请退出后用 duban --db 路径 打开，或设置 DUBAN_DB。"
        )

        def answered(ok) -> None:
            if not ok:
                self.exit(return_code=0)
                return
            from tui.services.store import open_store

            self.jobs.run(
                open_store,
                self.target,
                create=True,
                on_done=self._created,
                on_failed=lambda _m: self.exit(return_code=2),
            )

        self.push_screen(ConfirmModal("新建数据库？", body, confirm="新建 (Y)"), answered)

    def _created(self, store: Store) -> None:
        self.store = store
        self.say(f"已新建数据库：{self.target.label if self.target else ''}")
        self.reload()

    async def action_quit(self) -> None:
        """Checkpoint the store (so the .db file alone holds every change), then leave."""
        if self._quitting:
            return
        self._quitting = True
        if self.store is None:
            self.exit()
            return
        self.say("正在保存并退出…")
        self.jobs.run(
            self._close, on_done=lambda _ok: self.exit(), on_failed=lambda _m: self.exit()
        )

    @property
    def closed(self) -> bool:
        return self._store_closed

    def _close(self) -> None:
        if self._store_closed or self.store is None:
            return
        if self.board is not None:
            self.board.close()
        from tui.services.store import close_store

        self._store_closed = True
        close_store(self.store)

    def on_unmount(self) -> None:
        # Left without q (ctrl+q, the end of a test): close here, the UI is gone anyway.
        if self.store is not None and not self._store_closed:
            self._close()
