"""A region's first load (every import into a new store) writes a table at a time: the same
units, aliases, groups, members and audit entries as the general, one-object-at-a-time path."""

from __future__ import annotations

import json

from sqlalchemy import text

from tui.domain.units import load_shipped_directories
from tui.store.db import make_engine, transaction
from tui.store.models import Region
from tui.store.units import sync_directory

TABLES = {
    "unit": "SELECT id, region, name, kind, head, contact, phone, address, sample, "
    "from_directory, merged_into FROM unit ORDER BY id",
    "unit_alias": "SELECT id, unit_id, region, alias FROM unit_alias ORDER BY id",
    "unit_group": "SELECT id, region, name, aliases FROM unit_group ORDER BY id",
    "unit_group_member": "SELECT group_id, unit_id FROM unit_group_member "
    "ORDER BY group_id, unit_id",
    "audit": "SELECT id, actor, action, entity, entity_id, before, after, batch "
    "FROM audit_log ORDER BY id",
}


def _load(path, *, first_load: bool) -> tuple[dict, list]:
    engine = make_engine(str(path))
    results = []
    try:
        for directory in load_shipped_directories():
            with transaction(engine) as s:
                if not first_load:  # the region row exists: the general path runs
                    s.add(Region(name=directory.region, source=directory.source))
                    s.flush()
                r = sync_directory(s, directory, "测试员")
                results.append((r.units_added, r.groups_added))
        with engine.connect() as c:
            tables = {k: [tuple(r) for r in c.execute(text(q))] for k, q in TABLES.items()}
    finally:
        engine.dispose()
    return tables, results


def test_first_load_of_a_region_writes_what_the_general_path_writes(tmp_path):
    fast, fast_results = _load(tmp_path / "fast.db", first_load=True)
    slow, slow_results = _load(tmp_path / "slow.db", first_load=False)
    assert fast_results == slow_results
    assert len(fast["unit"]) > 50 and fast["unit_alias"] and fast["unit_group_member"]
    for table in TABLES:
        if table == "audit":
            continue
        assert fast[table] == slow[table], table

    def audit(rows):
        return [
            (*r[1:5], json.loads(r[5] or "null"), json.loads(r[6] or "null"), bool(r[7]))
            for r in rows
        ]

    assert audit(fast["audit"]) == audit(slow["audit"])
    assert len(fast["audit"]) == len(fast["unit"])  # (batch ids differ per transaction)


def test_second_load_of_a_region_adds_nothing(tmp_path):
    engine = make_engine(str(tmp_path / "s.db"))
    try:
        directory = load_shipped_directories()[0]
        with transaction(engine) as s:
            first = sync_directory(s, directory, "测试员")
        with transaction(engine) as s:
            again = sync_directory(s, directory, "测试员")
        assert first.units_added and not again.units_added and not again.groups_added
    finally:
        engine.dispose()
