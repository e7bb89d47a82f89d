"""Ten desks at once (issue 15), at a small size, on SQLite and on PostgreSQL: the code of
bench/ten_desks.py, so the bench cannot rot. Ten processes record progress on the same few
items, each write made from the board it read just before; every write either lands once
or is refused as a conflict (never lost, never doubled); then the ten sign the drafted
letters at the same moment and the numbers run 1…N per kind and year."""

from __future__ import annotations

import shutil

import pytest

from bench.gen_store import AS_OF
from bench.harness import cached_store
from bench.ten_desks import DESKS, draft_letters, pick_items, run_round

from .conftest import query

pytestmark = pytest.mark.both_stores


def test_ten_desks_lose_nothing_and_number_letters_without_gaps(cli, db, store_kind, tmp_path):
    src = cached_store(2000)
    if store_kind == "postgresql":
        from bench.pg_desk_bench import copy_to_postgres

        copy_to_postgres(src, db)
    else:
        shutil.copy(src, db)
    url = str(db)
    items = pick_items(url, 8)  # few items: the desks do get in each other's way
    letters = draft_letters(url, AS_OF, 20)
    assert len(items) == 8 and len(letters) >= DESKS
    audit_before = query(db, "SELECT count(*) FROM audit_log")[0][0]

    r = run_round(
        url, items=items, writes=DESKS * 4, letters=letters, as_of=AS_OF, workdir=tmp_path
    )

    assert r.overlapped  # the ten really ran at once
    assert not r.failed, r.failed
    assert r.landed + r.refused == r.writes == DESKS * 4
    assert r.lost == 0
    progress = query(db, "SELECT count(*) FROM progress WHERE text LIKE '并发台%'")[0][0]
    assert progress == r.landed
    assert r.letters == len(letters) and r.numbering_faults == []
    ids = ",".join(map(str, letters))
    signed = query(db, f"SELECT count(*) FROM letter WHERE id IN ({ids}) AND seq IS NOT NULL")
    signed = signed[0][0]
    assert signed == len(letters)
    after = query(db, "SELECT count(*) FROM audit_log")[0][0]
    assert after > audit_before + r.landed
    res = cli("audit", "verify")  # one chain: no two desks chained onto the same tip
    assert res.code == 0, res.out + res.err
