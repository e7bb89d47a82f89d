"""A signed letter changed directly in the database is caught: `letters list` flags it and
printing or rendering it is refused, because its content no longer matches the seal that
signing recorded in the audit hash chain."""

from __future__ import annotations

import json
import sqlite3

import pytest
from sqlmodel import Session

from tests.conftest import SEED002
from tests.test_letters_register import ACTOR, AS_OF, CAL, SETTINGS
from tui.errors import DubanError
from tui.store import letters as L
from tui.store.db import make_engine, transaction


@pytest.fixture
def signed(cli, db):
    assert cli("import", str(SEED002)).code == 0
    eng = make_engine(str(db))
    with transaction(eng) as s:
        drafts = L.draft_letters(s, "提醒", AS_OF, actor=ACTOR, settings=SETTINGS, calendar=CAL)
    ids = [drafts[0].id, drafts[1].id]
    L.sign_letters(eng, ids, "张主任", on=AS_OF, settings=SETTINGS, calendar=CAL)
    yield eng, ids
    eng.dispose()


def _tamper(db, sql: str, *args) -> None:
    con = sqlite3.connect(db)
    con.execute(sql, args)
    con.commit()
    con.close()


def _listed(cli) -> dict[int, dict]:
    res = cli("letters", "list", "--format", "json")
    assert res.code == 0, res.err
    return {r["id"]: r for r in res.json()}


def test_an_untouched_signed_letter_keeps_its_seal(signed, cli):
    eng, ids = signed
    rows = _listed(cli)
    assert [rows[i]["seal_broken"] for i in ids] == [False, False]
    with Session(eng) as s:
        assert L.broken_seals(s, ids) == []
    res = cli("letters", "list")
    assert "封签" not in res.out


@pytest.mark.parametrize(
    "what, sql",
    [
        ("number", "UPDATE letter SET number = '左依法治办醒〔2025〕99号' WHERE id = ?"),
        ("wording", "UPDATE letter SET body = replace(body, '提醒', '通知') WHERE id = ?"),
        ("signer", "UPDATE letter SET signed_by = '李四' WHERE id = ?"),
        (
            "an item",
            "UPDATE letter_item SET task_title = '另一项任务' WHERE id = "
            "(SELECT min(id) FROM letter_item WHERE letter_id = ?)",
        ),
        ("an item removed", "DELETE FROM letter_item WHERE letter_id = ? AND position > 0"),
    ],
)
def test_a_signed_letter_changed_in_the_database_is_flagged_and_not_printed(
    signed, cli, db, tmp_path, what, sql
):
    eng, (lid, other) = signed
    with Session(eng) as s:
        items = (
            s.connection()
            .exec_driver_sql("SELECT count(*) FROM letter_item WHERE letter_id = ?", (lid,))
            .scalar()
        )
    if what == "an item removed" and items < 2:
        sql = "DELETE FROM letter_item WHERE letter_id = ?"
    _tamper(db, sql, lid)
    rows = _listed(cli)
    assert rows[lid]["seal_broken"] is True
    assert rows[other]["seal_broken"] is False
    res = cli("letters", "list")
    assert "封签不一致" in res.out + res.err
    with pytest.raises(DubanError, match="封签不一致"):
        L.print_letters(eng, [other, lid], ACTOR, out_dir=tmp_path / "out", settings=SETTINGS)
    with pytest.raises(DubanError, match="封签不一致"):
        L.render_letters(eng, [lid], tmp_path / "out2", actor=ACTOR, settings=SETTINGS)
    assert not (tmp_path / "out2").exists() or not any((tmp_path / "out2").iterdir())
    # the other letter is still printable material: it renders
    done = L.render_letters(eng, [other], tmp_path / "out3", actor=ACTOR, settings=SETTINGS)
    assert len(done) == 1


def test_status_files_and_replies_after_signing_do_not_break_the_seal(signed, cli, tmp_path):
    eng, (lid, _other) = signed
    L.render_letters(eng, [lid], tmp_path / "out", actor=ACTOR, settings=SETTINGS)
    with transaction(eng) as s:
        L.record_reply(s, lid, AS_OF, "已收到，正在整改", ACTOR)
    assert _listed(cli)[lid]["seal_broken"] is False


def test_the_seal_is_recorded_in_the_audit_chain(signed, db):
    _eng, (lid, _other) = signed
    con = sqlite3.connect(db)
    (after,) = con.execute(
        "SELECT after FROM audit_log WHERE action = 'letter.sign' AND entity_id = ?", (lid,)
    ).fetchone()
    con.close()
    assert len(json.loads(after)["seal"]) == 64


def test_check_reports_a_changed_signed_letter(signed, cli, db):
    _eng, (lid, _other) = signed
    assert cli("check").code == 0
    _tamper(db, "UPDATE letter SET signed_by = '李四' WHERE id = ?", lid)
    res = cli("check")
    assert res.code == 2
    assert "封签不一致" in res.out + res.err
