"""What the import's faster writes must keep: the outline's shape, the connection it hands
back, the header columns of traditional-character tables, and the report's owners."""

from __future__ import annotations

import pytest

from tui.ingest.parser import parse_document
from tui.ingest.readers import read_document

from .conftest import SEED001, query


def _parsed_outline(path) -> list[tuple]:
    """(position, level, number, parent position) of every outline node, as parsed."""
    parsed = parse_document(read_document(path))
    return [(i, n.level, n.number, n.parent) for i, n in enumerate(parsed.nodes)]


def _stored_outline(db) -> list[tuple]:
    rows = query(
        db,
        "SELECT n.position, n.level, n.number, p.position FROM outline_node n "
        "LEFT JOIN outline_node p ON p.id = n.parent_id ORDER BY n.position",
    )
    return [tuple(r) for r in rows]


@pytest.mark.both_stores
def test_the_outline_is_stored_with_every_node_under_its_parent(cli, db, tmp_path):
    """Nodes are inserted in one statement and their parents set after: every node must
    point at the node it sits under, on the first import and on a revision."""
    assert cli("import", str(SEED001)).code == 0
    want = _parsed_outline(SEED001)
    assert any(parent is not None for *_x, parent in want)  # the seed has nested sections
    assert _stored_outline(db) == want
    edited = tmp_path / "edited.txt"
    text = SEED001.read_text(encoding="utf-8")
    # The same plan with one task's wording changed: a revision, the outline rebuilt.
    first_task = next(line for line in text.splitlines() if line.startswith("（1）"))
    edited.write_text(text.replace(first_task, first_task + "（修订）", 1), encoding="utf-8")
    r = cli("import", str(edited))
    assert r.code == 0, r.err
    assert "修订版" in r.out
    assert _stored_outline(db) == _parsed_outline(edited)
    parents = query(
        db,
        "SELECT count(*) FROM outline_node n JOIN outline_node p ON p.id = n.parent_id "
        "WHERE p.plan_id <> n.plan_id OR p.position >= n.position",
    )
    assert parents == [(0,)]


def test_the_import_hands_its_connection_back_with_the_usual_page_cache(tmp_path):
    """The import raises SQLite's page cache for its own transaction only: a desk that
    imports keeps its pooled connection at the size it had."""
    from tui.store.db import dispose_engine, make_engine
    from tui.store.importer import import_parsed

    engine = make_engine(str(tmp_path / "c.db"))
    try:
        with engine.connect() as conn:
            before = conn.exec_driver_sql("PRAGMA cache_size").scalar()
        doc = read_document(SEED001)
        import_parsed(engine, parse_document(doc), source=str(SEED001), kind=doc.kind, actor="测")
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA cache_size").scalar() == before
    finally:
        dispose_engine(engine)


def test_header_cells_in_traditional_characters_still_name_their_columns():
    from tui.ingest.script import has_traditional
    from tui.ingest.vocab import load_vocabulary

    vocab = load_vocabulary()
    assert has_traditional("牽頭單位") and has_traditional("完成時限")
    assert not has_traditional("牵头单位") and not has_traditional("")
    for simple, traditional in (("牵头单位", "牽頭單位"), ("完成时限", "完成時限")):
        assert vocab.column_of(traditional) == vocab.column_of(simple) is not None
    # A short simplified line is no header and is not handed to the converter as one.
    assert vocab.column_of("区司法局") is None


def test_the_plain_report_lists_each_owner_once_per_role():
    from tui.commands.import_cmd import _plain_owners
    from tui.store.importer import OwnerRef, TaskReport

    task = TaskReport(
        "一、（一）",
        "（一）",
        "题",
        "一、",
        3,
        "",
        [
            OwnerRef("lead", "县司法局", "unit"),
            OwnerRef("lead", "县财政局", "unit"),
            OwnerRef("responsible", "各乡镇", "group", 12),
            OwnerRef("supporting", "各有关部门", "unresolved"),
        ],
    )
    assert _plain_owners(task) == [
        "县司法局、县财政局",
        "各乡镇（12个单位）",
        "各有关部门（待分解）",
    ]
