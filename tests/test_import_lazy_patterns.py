"""What a seed import no longer pays for at start-up, and proof that nothing it recognises
changed: patterns compiled only when a text needs them give the same answers as the
patterns compiled at import did, and the batch id built without `uuid` is a version-4 UUID."""

from __future__ import annotations

import itertools
import random
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import SEED001
from tui.ingest import clean, script
from tui.ingest.clean import clean_line
from tui.ingest.document import Document, Line, Note, Row
from tui.ingest.script import is_traditional
from tui.ingest.t2s_chars import CONVERTED
from tui.store.sqlconn import new_batch_id

ROOT = Path(__file__).resolve().parents[1]

# ---------------------------------------------------------------- the code as it was

_OLD_HAN = re.compile("[\u4e00-\u9fff]")
_OLD_CJK = r"\u2e80-\u9fff\u3000-\u303f\uff00-\uffef\u201c\u201d\u2018\u2019\u2014\u2026《》"
_OLD_SPACE_NEAR_CJK = re.compile(
    rf"(?<=[{_OLD_CJK}])[ \t\u3000\u00a0]+|[ \t\u3000\u00a0]+(?=[{_OLD_CJK}])"
)


def _old_is_traditional(doc: Document) -> bool:
    """tui.ingest.script.is_traditional before the Han pattern was compiled lazily."""
    seen = traditional = 0
    for text in script._texts(doc):
        han = _OLD_HAN.findall(text)
        seen += len(han)
        if not CONVERTED.isdisjoint(text):
            traditional += sum(1 for ch in han if ch in CONVERTED)
        if seen >= script._SAMPLE:
            break
    if not seen:
        return False
    return traditional >= script._MIN_TRADITIONAL and traditional >= (
        script._TRADITIONAL_SHARE * seen
    )


def _old_clean_line(raw: str) -> str:
    """tui.ingest.clean.clean_line before its CJK-spacing pattern was compiled lazily."""
    s = clean._BOOKMARK.sub("", clean.strip_controls(raw))
    s = s.replace("\ufeff", "").replace("\u200b", "")
    s = s.strip(" \t\u3000\u00a0\r\n")
    s = _OLD_SPACE_NEAR_CJK.sub("", s)
    s = clean._PAREN_SPACES.sub(lambda m: f"（{m.group(1)}）", s)
    s = clean._DOT_SPACES.sub(lambda m: f"{m.group(1)}．", s)
    s = clean._DUN_SPACES.sub(lambda m: f"{m.group(1)}、", s)
    if re.match(r"^[\u4e00-\u9fff]{2,6}:", s):
        s = s.replace(":", "：")
    return s


# ---------------------------------------------------------------- documents and lines

_TRAD = "".join(sorted(CONVERTED))[:40]  # traditional-only characters OpenCC converts


def _doc(*texts: str, rows: list[dict[str, str]] | None = None) -> Document:
    items: list = [Line(i + 1, t) if i % 3 else Note(i + 1, t) for i, t in enumerate(texts)]
    items += [Row(100 + i, cells) for i, cells in enumerate(rows or [])]
    return Document(items=items, kind="txt", encoding="utf-8", source="测试")


SIMPLIFIED = "各镇（街道）要在2024年6月底前完成普法责任清单的编制和公示工作"
TRADITIONAL_LINE = "牽頭單位：旗司法局；責任單位：各鎮、各街道辦事處，" + _TRAD[:10]

DOCUMENTS = {
    "simplified": _doc(SIMPLIFIED, "牵头单位：区司法局", "二、加强法治政府建设"),
    "empty": _doc(),
    "no Han at all": _doc("2024-06-30", "ABC", ""),
    "traditional": _doc(TRADITIONAL_LINE, TRADITIONAL_LINE, SIMPLIFIED),
    "traditional in table cells": _doc(
        "分解表", rows=[{"任务": TRADITIONAL_LINE, "牵头": "旗司法局"}] * 3
    ),
    "one traditional character among many": _doc(SIMPLIFIED * 20, _TRAD[0] + SIMPLIFIED),
    "a few traditional characters only": _doc(SIMPLIFIED, _TRAD[:6]),
    "traditional late, past the sample": _doc(
        *([SIMPLIFIED * 40] * 60), TRADITIONAL_LINE * 50, TRADITIONAL_LINE * 50
    ),
    "a long simplified text": _doc(*([SIMPLIFIED * 40] * 80)),
    "traditional just before the sample's end": _doc(
        *([SIMPLIFIED * 40] * 40), TRADITIONAL_LINE * 200, *([SIMPLIFIED * 40] * 40)
    ),
    "traditional first, then a long simplified text": _doc(
        TRADITIONAL_LINE * 3, *([SIMPLIFIED * 40] * 60)
    ),
}


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_is_traditional_answers_as_the_pattern_compiled_at_import_did(name):
    doc = DOCUMENTS[name]
    assert is_traditional(doc) == _old_is_traditional(doc)


def test_the_documents_cover_both_answers_and_the_sample_cut():
    answers = {name: _old_is_traditional(doc) for name, doc in DOCUMENTS.items()}
    assert answers["traditional"] and answers["traditional in table cells"]
    assert not answers["simplified"] and not answers["a few traditional characters only"]
    assert answers["traditional just before the sample's end"]
    assert not answers["a long simplified text"]
    # Past the first _SAMPLE Han characters nothing is counted: the late traditional
    # text does not make the document traditional (the cut is the old code's, kept).
    late = DOCUMENTS["traditional late, past the sample"]
    assert not answers["traditional late, past the sample"]
    assert is_traditional(_doc(*[t.text for t in late.items][-2:]))


def test_a_simplified_document_never_compiles_the_han_pattern():
    script._han.cache_clear()
    assert not is_traditional(DOCUMENTS["simplified"])
    assert script._han.cache_info().currsize == 0
    assert is_traditional(DOCUMENTS["traditional"])
    assert script._han.cache_info().currsize == 1


LINES = [
    "各镇 （街道） 要 在 2024 年 6 月底前完成",
    "\u3000\u3000二、 加强法治政府建设",
    "（ 一 ）完善依法行政制度体系",
    "1 ． 健全行政决策制度",
    "三 、 工作要求",
    "牵头单位:区司法局",
    "牵头单位: 区司法局 、 区委依法治区办",
    "Responsible unit: Bureau of Justice",
    "Lead:区司法局",
    "word word 中文 word",
    "“ 八五 ” 普法",
    "《 中华人民共和国 行政处罚法 》",
    "全角\u00a0空格\u3000与\t制表符",
    "— 3 —",
    "[bookmark: _Toc1]一、总体要求",
    "\ufeff第一条\u200b 规定",
    "2024年6月30日",
    "No spaces，全是中文：也没有冒号",
    "A B C",
    "",
    "   ",
    "ａｂｃ ｄｅｆ",
    "… 等",
    "区委办 、区政府办",
]


@pytest.mark.parametrize("raw", LINES)
def test_clean_line_cleans_as_the_pattern_compiled_at_import_did(raw):
    clean_line.cache_clear()
    assert clean_line(raw) == _old_clean_line(raw)


def test_the_lazy_spacing_pattern_matches_as_the_old_one():
    pattern = clean._space_near_cjk()
    for text in [*LINES, " ".join(LINES), "\t".join(LINES), "\u3000".join(LINES)]:
        assert [m.span() for m in pattern.finditer(text)] == [
            m.span() for m in _OLD_SPACE_NEAR_CJK.finditer(text)
        ]
    # every character the old class named, on either side of a space
    for ch in map(chr, range(0x2E80, 0xA000, 97)):
        for text in (f"{ch} x", f"x {ch}", f"a {ch} b"):
            assert pattern.sub("", text) == _OLD_SPACE_NEAR_CJK.sub("", text)


def test_lines_without_whitespace_or_a_colon_compile_neither_pattern(monkeypatch):
    monkeypatch.setattr(clean, "_spaced_lines", itertools.count())
    clean_line.cache_clear()
    clean._space_near_cjk.cache_clear()
    re.purge()
    for raw in ("二、加强法治政府建设", "（一）完善依法行政制度体系", "牵头单位：区司法局"):
        clean_line(raw)
    assert clean._space_near_cjk.cache_info().currsize == 0
    assert not any("\u9fff]{2,6}:" in str(key) for key in re._cache)  # the label pattern
    # A plan's few spaced lines are cleaned without compiling the pattern …
    assert clean_line("（15） 强化对各类企业合法权益的保护") == "（15）强化对各类企业合法权益的保护"
    assert clean._space_near_cjk.cache_info().currsize == 0
    # … a document full of them compiles it once it pays off, with the same results.
    spaced = [f"第{i}条 规定 {i} 项 word word" for i in range(clean._LINES_BEFORE_PATTERN + 5)]
    assert [clean_line(x) for x in spaced] == [_old_clean_line(x) for x in spaced]
    assert clean._space_near_cjk.cache_info().currsize == 1


_ALPHABET = [
    *" \t\u3000\u00a0",  # the spaces (U+3000 is CJK punctuation too)
    *"a1中，“”‘’—…《》、",
    "\u2e7f",  # just below, at and above the class's edges
    "\u2e80",
    "\u9fff",
    "\ua000",
    "\u303f",
    "\u3040",
    "\ufeff",
    "\uff00",
    "\uffef",
    "\ufff0",
]


@pytest.mark.parametrize("compiled", [False, True], ids=["by hand", "by the pattern"])
def test_spaces_near_cjk_go_exactly_as_the_old_pattern_drops_them(monkeypatch, compiled):
    start = clean._LINES_BEFORE_PATTERN if compiled else -(10**9)
    monkeypatch.setattr(clean, "_spaced_lines", itertools.count(start))
    rng = random.Random(14)
    for _ in range(30_000):
        text = "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 14)))
        assert clean._drop_spaces_near_cjk(text) == _OLD_SPACE_NEAR_CJK.sub("", text), text
    for text in LINES:
        assert clean._drop_spaces_near_cjk(text) == _OLD_SPACE_NEAR_CJK.sub("", text), text


@pytest.mark.parametrize("uuid_loaded", [False, True])
def test_a_batch_id_is_a_version_4_uuid_as_uuid4_hex_writes_it(monkeypatch, uuid_loaded):
    if not uuid_loaded:  # as in `duban import`: built from random bytes
        monkeypatch.delitem(sys.modules, "uuid")
    ids = [new_batch_id() for _ in range(2000)]
    assert len(set(ids)) == len(ids)
    for hex_id in ids:
        u = uuid.UUID(hex=hex_id)
        assert u.hex == hex_id and len(hex_id) == 32
        assert u.version == 4 and u.variant == uuid.RFC_4122


def test_a_loaded_uuid_module_still_makes_the_batch_id():
    """Tests (and anything else) that fix uuid.uuid4 still fix the import's batch ids."""
    import unittest.mock

    with unittest.mock.patch.object(uuid, "uuid4", lambda: uuid.UUID(int=7)):
        assert new_batch_id() == uuid.UUID(int=7).hex


_RUN = """
import sys
from tui.cli import main
code = main(sys.argv[1:])
from tui.ingest import clean, script
unwanted = ("uuid", "platform", "tui.config", "tui.ingest.corrections", "getpass")
print("LOADED", sorted(m for m in unwanted if m in sys.modules),
      script._han.cache_info().currsize, clean._space_near_cjk.cache_info().currsize,
      file=sys.stderr)
sys.exit(code)
"""


def test_a_seed_import_loads_no_uuid_nor_settings_and_compiles_neither_lazy_pattern(tmp_path):
    """With DUBAN_USER set no setting is read, so the settings module stays unloaded; a plan
    without fixes needs no correction rules."""
    import os

    env = dict(os.environ, DUBAN_USER="测试员", DUBAN_CONFIG=os.devnull)
    env.pop("DUBAN_DB", None)
    r = subprocess.run(
        [sys.executable, "-c", _RUN, "import", str(SEED001), "--db", str(tmp_path / "d.db")],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert r.returncode == 0, r.stderr
    line = next(x for x in r.stderr.splitlines() if x.startswith("LOADED"))
    assert line == "LOADED [] 0 0"  # simplified, four spaced lines: neither pattern compiled


def test_the_settings_file_is_where_it_was(monkeypatch, tmp_path):
    from tui import config, config_file

    assert config.config_path is config_file.config_path
    monkeypatch.setenv("DUBAN_CONFIG", str(tmp_path / "s.toml"))
    assert config.config_path() == tmp_path / "s.toml"
    monkeypatch.delenv("DUBAN_CONFIG")
    assert config.config_path().name == "settings.toml"
    assert config.config_path().parent.name == "duban"


def test_the_office_vocabulary_beside_the_settings_file_is_still_read(monkeypatch, tmp_path):
    from tui.services.office_vocab import office_vocabulary

    settings = tmp_path / "settings.toml"
    settings.write_text("", encoding="utf-8")
    monkeypatch.setenv("DUBAN_CONFIG", str(settings))
    monkeypatch.delenv("DUBAN_VOCAB", raising=False)
    before = office_vocabulary()
    (tmp_path / "vocab.toml").write_text('[labels]\nlead = ["抓总单位"]\n', encoding="utf-8")
    after = office_vocabulary()
    assert after.labels.get("抓总单位") == "lead" and "抓总单位" not in before.labels


def test_with_no_name_set_the_operator_is_still_the_login_name(monkeypatch, tmp_path):
    import getpass

    from tui.store.location import operator_name

    settings = tmp_path / "settings.toml"
    settings.write_text("", encoding="utf-8")
    monkeypatch.setenv("DUBAN_CONFIG", str(settings))
    monkeypatch.delenv("DUBAN_USER", raising=False)
    monkeypatch.setattr(getpass, "getuser", lambda: "登录名")
    assert operator_name() == "登录名"
    monkeypatch.setenv("DUBAN_USER", "办公室甲")
    assert operator_name() == "办公室甲"
