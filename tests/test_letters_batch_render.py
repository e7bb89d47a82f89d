"""A batch big enough to be rendered by forked workers (≥ 24 letters), on the bench's own
store: the files the workers write, the hashes the register records and the files a
single process writes are the same; what is remembered across a batch (template pieces,
broken lines) never changes what a letter says or where its lines break."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import zipfile
from dataclasses import replace
from pathlib import Path

import pytest
from sqlmodel import Session, select

from bench.letters_bench import AS_OF, SIGN_ON, build_store
from tui.config import Settings
from tui.domain.calendar import WorkCalendar
from tui.errors import DubanError
from tui.letters import templates as T
from tui.letters.layout import layout_letter
from tui.letters.pdf_writer import batch_pdf_fonts
from tui.letters.render import worker_count
from tui.store import letters as L
from tui.store.db import make_engine, transaction
from tui.store.letter_models import Letter

SETTINGS = Settings(
    region="达拉特旗",
    office="中共达拉特旗委全面依法治旗委员会办公室",
    issuer_mark="中共达拉特旗委全面依法治旗委员会办公室",
    office_short="旗委依法治旗办",
    letter_prefix={"提示": "达依法治办提", "提醒": "达依法治办醒", "督办": "达依法治办督"},
    contact="李某",
    phone="0477-5212345",
    signers=["王主任"],
)
CAL = WorkCalendar.from_dir()
LETTERS = 26  # above render.worker_count's threshold for forking


@pytest.fixture(scope="module")
def signed(tmp_path_factory):
    """A store with LETTERS signed 提醒函 of three items each."""
    db = tmp_path_factory.mktemp("batch") / "bench.db"
    build_store(db, LETTERS, 3, 1500)
    eng = make_engine(str(db))
    with transaction(eng) as s:
        drafts = L.draft_letters(s, "提醒", AS_OF, actor="测试员", settings=SETTINGS, calendar=CAL)
    ids = [d.id for d in drafts]
    assert len(ids) == LETTERS
    L.sign_letters(eng, ids, "王主任", on=SIGN_ON, settings=SETTINGS, calendar=CAL)
    yield eng, ids
    eng.dispose()


def _files(eng, ids) -> dict[int, list[dict]]:
    with Session(eng) as s:
        rows = s.exec(select(Letter).where(Letter.id.in_(ids))).all()
        return {x.id: json.loads(x.files) for x in rows}


def _pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:  # the members, not the zip's timestamps
        return {n: z.read(n) for n in z.namelist()}


def test_forked_render_records_the_hashes_and_paths_of_the_files_written(signed, tmp_path):
    eng, ids = signed
    if worker_count(2, len(ids)) < 2:
        pytest.skip(
            "a forked batch needs two cores and fork (Linux); this machine renders in one process"
        )
    forked = L.render_letters(
        eng, ids, tmp_path / "forked", actor="测试员", settings=SETTINGS, workers=2
    )
    assert len(forked) == LETTERS
    files = _files(eng, ids)
    for r in forked:
        recorded = {f["type"]: f for f in files[r.letter_id]}
        assert recorded["pdf"]["path"] == str(r.pdf.resolve())
        assert recorded["docx"]["path"] == str(r.docx.resolve())
        for f in recorded.values():
            assert hashlib.sha256(Path(f["path"]).read_bytes()).hexdigest() == f["sha256"]
        assert recorded["pdf"]["pages"] == r.pages

    # one process writes the same letters: same text on the same pages, same .docx parts
    single = L.render_letters(
        eng, ids, tmp_path / "single", actor="测试员", settings=SETTINGS, workers=1
    )
    for a, b in zip(forked, single, strict=True):
        assert a.pages == b.pages
        assert _pdf_text(a.pdf) == _pdf_text(b.pdf)
        assert _parts(a.docx) == _parts(b.docx)


def test_render_refuses_a_broken_seal_in_a_forked_batch(signed, tmp_path):
    eng, ids = signed
    with transaction(eng) as s:
        s.connection().exec_driver_sql(
            "UPDATE letter_item SET task_title = task_title || '（改）' WHERE letter_id = ?",
            (ids[-1],),
        )
    try:
        with pytest.raises(DubanError, match="封签"):
            L.render_letters(eng, ids, tmp_path / "out", settings=SETTINGS, workers=2)
        assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())
    finally:
        with transaction(eng) as s:
            s.connection().exec_driver_sql(
                "UPDATE letter_item SET task_title = substr(task_title, 1, "
                "length(task_title) - 3) WHERE letter_id = ?",
                (ids[-1],),
            )


def test_remembered_line_breaks_match_a_fresh_layout(signed):
    """Laying out the whole batch with one set of fonts (its line breaks remembered)
    places every line exactly where a layout with fresh fonts for that letter alone does."""
    eng, ids = signed
    from tui.letters.fonts import prepare_batch_fonts, resolve_fonts
    from tui.letters.model import letter_texts

    with Session(eng) as s:
        models = [m for _, m in L.letter_models(s, ids, settings=SETTINGS, calendar=CAL)]
    fontset = resolve_fonts(None)
    texts = [t for m in models for t in letter_texts(m)]
    shared = batch_pdf_fonts(prepare_batch_fonts(fontset, texts), models)
    for m in models + models:  # the second pass answers from what the first remembered
        fresh = batch_pdf_fonts(prepare_batch_fonts(fontset, texts), [m])
        a, b = layout_letter(m, shared), layout_letter(m, fresh)
        assert [(p.page, p.x, p.y, p.text) for p in a.placed] == [
            (p.page, p.x, p.y, p.text) for p in b.placed
        ]
        assert (a.pages, a.signature_page) == (b.pages, b.signature_page)
    # a letter whose task text changed is broken anew, not answered from the memo
    m = models[0]
    longer = replace(
        m, items=tuple(replace(it, title=it.title + "，并报送书面材料。") for it in m.items)
    )
    again = layout_letter(longer, shared)
    fresh = layout_letter(longer, batch_pdf_fonts(prepare_batch_fonts(fontset, texts), [longer]))
    assert [p.text for p in again.placed] == [p.text for p in fresh.placed]


def test_a_broken_template_piece_is_refused_every_time():
    """Template pieces are parsed once and remembered — an error is raised on every use,
    never remembered as a good parse."""
    for _ in range(3):
        with pytest.raises(DubanError, match="未闭合"):
            T.render_template("请{单位名称于{日期}前回复", {"单位名称": "甲", "日期": "乙"})
    assert T.render_template("致{单位名称}：", {"单位名称": "旗司法局"}) == "致旗司法局："
    assert T.render_template("致{单位名称}：", {"单位名称": "旗财政局"}) == "致旗财政局："


def test_sign_of_a_batch_signs_its_drafts_and_leaves_the_others(cli, db, tmp_path, monkeypatch):
    """`letters sign --batch` reads the batch's draft statuses in one query: a voided and an
    already signed letter of the batch are left as they are, the rest are signed in order,
    and the preview and the signed lines are printed one per line."""
    from bench.letters_bench import SETTINGS as TOML

    build_store(db, 5, 2, 400)
    cfg = tmp_path / "settings.toml"
    cfg.write_text(TOML, encoding="utf-8")
    monkeypatch.setenv("DUBAN_CONFIG", str(cfg))
    res = cli(
        "letters", "draft", "--kind", "提醒", "--as-of", AS_OF.isoformat(), "--format", "json"
    )
    assert res.code == 0, res.err
    ids, batch = res.json()["ids"], res.json()["batch"][:8]
    assert len(ids) == 5
    eng = make_engine(str(db))
    with transaction(eng) as s:
        L.void_letter(s, ids[1], "重复起草", "测试员")
    eng.dispose()
    sign = ("--by", "王主任", "--date", SIGN_ON.isoformat(), "--yes")
    assert cli("letters", "sign", str(ids[3]), *sign).code == 0
    res = cli("letters", "sign", "--batch", batch, *sign)
    assert res.code == 0, res.err
    lines = res.out.splitlines()
    previews = [x for x in lines if x.startswith("函件 ")]
    assert [int(x.split()[1]) for x in previews] == [ids[0], ids[2], ids[4]]
    signed = [x for x in lines if "签发人 王主任" in x]
    assert [int(x.split("　")[0]) for x in signed] == [ids[0], ids[2], ids[4]]
    assert lines[-1] == "已签发 3 件"
    eng = make_engine(str(db))
    with Session(eng) as s:
        got = {x.id: (x.status, x.seq) for x in s.exec(select(Letter)).all() if x.id in ids}
    eng.dispose()
    assert got[ids[1]] == ("作废", None)
    assert [got[i] for i in (ids[3], ids[0], ids[2], ids[4])] == [
        ("已签发", 1), ("已签发", 2), ("已签发", 3), ("已签发", 4)
    ]  # fmt: skip


def test_the_wordings_row_count_is_the_attachments():
    """The wording counts the attachment's rows without formatting them: a unit that leads
    and is responsible for one task is one row; tasks without a key are told apart by
    number and text."""
    from tui.letters.compose import ItemSnapshot, letter_items, letter_row_count

    on = SIGN_ON
    snaps = [
        ItemSnapshot("（3）", "健全行政执法制度。", on, "", "已形成初稿", "", "lead", "7"),
        ItemSnapshot("（3）", "健全行政执法制度。", on, "", "", "", "responsible", "7"),
        ItemSnapshot("（12）", "推行行政执法公示制度。", on, "", "", "", "responsible", "9"),
        ItemSnapshot("（1）", "开展规范性文件清理。", on, "", "", "", "responsible", ""),
        ItemSnapshot("（1）", "开展规范性文件清理。", on, "", "", "", "lead", ""),
        ItemSnapshot("（2）", "开展规范性文件清理。", on, "", "", "", "lead", ""),
    ]
    for k in range(len(snaps) + 1):
        assert letter_row_count(snaps[:k]) == len(letter_items(snaps[:k], on))
    assert letter_row_count(snaps) == 4


def test_a_batch_reads_its_template_once_and_the_next_use_sees_an_edit(tmp_path):
    """Inside `one_batch()` each kind's template is read once; outside it, an office's edit
    to its own template is seen by the very next letter."""
    from tui.paths import data_dir

    own = tmp_path / "提醒.txt"
    shipped = (data_dir() / "templates" / "提醒.txt").read_text(encoding="utf-8")
    own.write_text(shipped, encoding="utf-8")
    text0, _, _ = T._load("提醒", tmp_path)
    with T.one_batch():
        assert T._load("提醒", tmp_path)[0] == text0
        own.write_text(shipped + "\n", encoding="utf-8")
        later = own.stat().st_mtime_ns + 10**9  # a clearly newer file, whatever the clock tick
        os.utime(own, ns=(later, later))
        assert T._load("提醒", tmp_path)[0] == text0  # read once for the batch
    assert T._load("提醒", tmp_path)[0] == shipped + "\n"  # outside: the edit is seen
    own.unlink()
    with T.one_batch(), pytest.raises(DubanError):
        (tmp_path / "提醒.txt").write_text("标题：{未闭合", encoding="utf-8")
        T._load("提醒", tmp_path)


def test_fontconfig_questions_asked_together_keep_their_order():
    """The family names are asked all at once; the first name in order that fontconfig
    knows still wins, and a machine without any of them gets None."""
    import shutil

    from tui.letters import fonts as F

    if shutil.which("fc-match") is None:
        pytest.skip("fontconfig (fc-match) is not installed; .ci/run installs fontconfig")
    serif, sans = F._fc_match(("DejaVu Serif",)), F._fc_match(("DejaVu Sans",))
    if serif is None or sans is None or serif == sans:
        pytest.skip(
            "the DejaVu Serif and Sans fonts are not installed; .ci/run installs fonts-dejavu-core"
        )
    assert F._fc_match(("DejaVu Serif", "DejaVu Sans")) == serif
    assert F._fc_match(("DejaVu Sans", "DejaVu Serif")) == sans
    assert F._fc_match(("没有这种字体甲", "没有这种字体乙")) is None
