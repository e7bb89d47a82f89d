"""`duban demo`: build the demo store from data/samples/ and open the desk on it."""

from __future__ import annotations

from pathlib import Path

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
    from tui.store.db import make_engine
    from tui.store.importer import import_parsed

    samples = sorted((data_dir() / "samples").glob("*.txt"))
    if not samples:
        raise DubanError(f"找不到示例计划：{data_dir() / 'samples'}")
    engine = make_engine(db)
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
    engine.dispose()
    return len(samples)


def run_demo(args) -> int:
    db = getattr(args, "db", None) or str(demo_db_path())
    path = Path(db)
    if "://" not in db and (args.rebuild or not path.exists()):
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        n = build_demo_store(db)
        console(stderr=True).print(f"已生成演示库：{path}（{n} 份示例计划）")
    if args.no_open:
        return 0
    from tui.commands.desk import open_desk
    from tui.store.demo_history import DEMO_AS_OF

    return open_desk(db, getattr(args, "as_of", None) or DEMO_AS_OF.isoformat())
