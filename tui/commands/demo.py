"""`duban demo`: build the demo store from data/samples/ and open the desk on it.

Which file: `--db`, else DUBAN_DB, else `demo.db` in the user data folder (never the office
store's default). The demo only ever builds a file that does not exist, or rebuilds (with
`--rebuild`) a store that carries the demo mark; anything else is refused untouched.
"""

from __future__ import annotations

import os
from pathlib import Path

from rich.markup import escape

from tui.commands.common import console
from tui.errors import DubanError


def demo_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("duban", appauthor=False)) / "demo.db"


def build_demo_store(db: str, *, history: bool = True) -> int:
    """Import every sample plan into a fresh store, then its history; returns the number of plans."""
    from tui.ingest.parser import parse_document
    from tui.ingest.readers import read_document
    from tui.paths import data_dir
    from tui.store.db import dispose_engine, make_engine
    from tui.store.demo_mark import mark_demo
    from tui.store.importer import import_parsed

    samples = sorted((data_dir() / "samples").glob("*.txt"))
    if not samples:
        raise DubanError(f"找不到示例计划：{data_dir() / 'samples'}")
    engine = make_engine(db)
    try:
        mark_demo(engine, "、".join(p.name for p in samples))
        for path in samples:
            doc = read_document(path)
            import_parsed(
                engine,
                parse_document(doc),
                source=str(path),
                kind=doc.kind,
                encoding=doc.encoding,
                actor="演示",
            )
        if history:
            from tui.store.demo_history import add_demo_history

            add_demo_history(engine)
    finally:
        dispose_engine(engine)
    return len(samples)


def _target(args) -> tuple[str, str]:
    """The demo store's location and where that choice came from (for messages)."""
    from tui.store.location import ENV_DB

    if getattr(args, "db", None):
        return args.db, "--db"
    if os.environ.get(ENV_DB):
        return os.environ[ENV_DB], "环境变量 DUBAN_DB"
    return str(demo_db_path()), ""


def _rebuild(path: Path) -> int:
    """Build into a temporary file beside ``path``, then put it in place: never half a demo."""
    from tui.store.demo_mark import is_demo_file

    tmp = path.with_name(f".{path.name}.{os.getpid()}.building")
    parts = [Path(f"{tmp}{s}") for s in ("", "-wal", "-shm", "-journal")]
    try:
        n = build_demo_store(str(tmp))
        if path.exists():
            if not is_demo_file(path):  # checked again: it may have changed meanwhile
                raise DubanError(f"{path} 不是演示库，未作任何更改")
            # The old demo's WAL and index go with it: a stale -wal must never meet the new file.
            for suffix in ("-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.replace(tmp, path)
    finally:
        for part in parts:
            part.unlink(missing_ok=True)
        from tui.store.health import forget_checked

        forget_checked(tmp)  # the clean-close stamp of the temporary name
    return n


def run_demo(args) -> int:
    from tui.store.demo_mark import is_demo_file
    from tui.store.location import resolve_db_url, sqlite_path

    db, origin = _target(args)
    path = sqlite_path(resolve_db_url(db))
    if path is None:
        raise DubanError(f"演示库只能是本地 SQLite 文件，不能是 {db}")
    source = f"（路径来自{origin}）" if origin else ""
    if path.exists() and not is_demo_file(path):
        raise DubanError(
            f"{path}{source} 不是演示库（没有演示库标记，可能是办公室的正式数据库），未作任何更改；"
            "看演示请用 --db 指定一个新文件"
        )
    if args.rebuild or not path.exists():
        n = _rebuild(path)
        console(stderr=True).print(escape(f"已生成演示库：{path}（{n} 份示例计划）"))
    if args.no_open:
        return 0
    from tui.commands.desk import open_desk
    from tui.store.demo_history import DEMO_AS_OF

    return open_desk(str(path), getattr(args, "as_of", None) or DEMO_AS_OF.isoformat())
