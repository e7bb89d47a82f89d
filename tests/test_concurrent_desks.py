"""Several desks writing at once, on SQLite and on PostgreSQL: four processes record progress
on the same items at the same time; every write lands (none is lost or doubled), the audit
trail stays one unbroken chain, and the items' state is what the last writes say."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from .conftest import SEED002, query

pytestmark = pytest.mark.both_stores

ROOT = Path(__file__).resolve().parent.parent
PROCS, WRITES, ITEMS = 4, 12, 3

WRITER = textwrap.dedent(
    """
    import os, sys, time
    sys.path.insert(0, {root!r})
    from tui.cli import main

    db, gate, me, items = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].split(",")
    open(gate + "." + me, "w").close()  # ready
    while not os.path.exists(gate):  # wait for the go
        time.sleep(0.001)
    t0 = time.time()
    failed = 0
    for i in range({writes}):
        aid = items[i % len(items)]
        code = main(["progress", aid, f"第{{me}}台第{{i}}条", "--date", "2025-01-10", "--db", db])
        failed += code != 0
    print("ok", failed, t0, time.time())
    """
)


def test_desks_recording_progress_on_the_same_items_lose_nothing(cli, db, tmp_path):
    assert cli("import", str(SEED002)).code == 0
    items = [
        str(r[0])
        for r in query(
            db,
            "SELECT id FROM assignment WHERE unit_id IS NOT NULL AND active = TRUE "
            "ORDER BY id LIMIT :n",
            {"n": ITEMS},
        )
    ]
    audit_before = query(db, "SELECT count(*) FROM audit_log")[0][0]
    script = tmp_path / "writer.py"
    script.write_text(WRITER.format(root=str(ROOT), writes=WRITES), encoding="utf-8")
    gate = tmp_path / "go"
    env = {**os.environ, "DUBAN_USER": "并发测试", "DUBAN_CONFIG": os.devnull}
    env.pop("DUBAN_DB", None)
    procs = [
        subprocess.Popen(
            [sys.executable, str(script), str(db), str(gate), str(k), ",".join(items)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for k in range(PROCS)
    ]
    deadline = time.time() + 120
    while not all((tmp_path / f"go.{k}").exists() for k in range(PROCS)):
        assert time.time() < deadline and all(p.poll() is None for p in procs)
        time.sleep(0.01)
    gate.touch()
    spans = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, err
        word, failed, t0, t1 = out.split()[-4:]
        assert (word, failed) == ("ok", "0"), err  # no write was refused
        spans.append((float(t0), float(t1)))
    assert max(a for a, _ in spans) < min(b for _, b in spans)  # they really overlapped

    texts = [r[0] for r in query(db, "SELECT text FROM progress WHERE text LIKE '第%台第%条'")]
    expected = [f"第{k}台第{i}条" for k in range(PROCS) for i in range(WRITES)]
    assert sorted(texts) == sorted(expected)  # every write landed, once
    per_item = dict(
        query(
            db,
            "SELECT assignment_id, count(*) FROM progress WHERE text LIKE '第%台第%条' "
            "GROUP BY assignment_id",
        )
    )
    assert sorted(per_item.values()) == [PROCS * WRITES // ITEMS] * ITEMS
    added = query(
        db, "SELECT count(*) FROM audit_log WHERE action = 'progress.add' AND actor = '并发测试'"
    )[0][0]
    assert added == PROCS * WRITES
    assert query(db, "SELECT count(*) FROM audit_log")[0][0] >= audit_before + added
    r = cli("audit", "verify")  # one chain: no two writers chained onto the same tip
    assert r.code == 0, (r.out, r.err)
