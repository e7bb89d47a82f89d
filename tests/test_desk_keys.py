"""The desk's keystroke paths against plain references, on the bench's generated board.

Search gathers the rows of a word that hits few of them (`search_rows` with ``task_rows``),
sorts pick rows by rank or from the kept order (`DeskData.sorted_rows`), and a worker may
build the indexes while the screen reads (`DeskData.warm`): every one must give exactly the
rows, in exactly the order, a straightforward scan of the board gives.
"""

from __future__ import annotations

import threading
from datetime import date

import pytest

from bench.gen_store import AS_OF, build_store
from tui.domain.search import GATHER_SHARE, Filters, task_key, unit_key
from tui.store.desk import SORT_MODES, SORT_SHARE, load_desk

# Unit initials (sfj 司法局, jd 街道…), Chinese words of task texts and names, a task number,
# two words (one may hit the task, the other the unit), words that hit nothing.
QUERIES = (
    "s",
    "sf",
    "sfj",
    "j",
    "jd",
    "z",
    "zf",
    "x",
    "xz",
    "司",
    "司法",
    "执法",
    "镇",
    "街道",
    "12",
    "（3）",
    "执法 sfj",
    "决策 j",
    "zf 局",
    "没有这个词",
    "qqqq",
)


def board_of(db):
    """The desk's board of a store file, and the engine it reads through."""
    from tui.store.db import make_engine

    engine = make_engine(str(db), create=False)
    return engine, load_desk(engine, AS_OF)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    from tui.store.db import dispose_engine

    db = tmp_path_factory.mktemp("keys") / "board.db"
    build_store(db, assignments=6000, seed=5)
    engine, board = board_of(db)
    yield board
    board.close()
    dispose_engine(engine)


def reference_search(data, query: str, among=None) -> list[int]:
    """Every row, tested one by one against its task's and unit's keys."""
    words = query.lower().split()
    rows = range(len(data)) if among is None else among
    out = []
    for i in rows:
        pid, _pt, number, title, *_ = data.tasks[data.task_ids[i]]
        tk = task_key(number, title, data.heads.get(data.task_ids[i], ""))
        uk = unit_key(data.unit_of(i)[0])
        if all(w in tk or w in uk for w in words):
            out.append(i)
    return out


def reference_key(data, mode: str):
    """What each sort means, from the rows themselves (ties: urgency, i.e. row order)."""
    if mode == "deadline":
        return lambda i: (data.statuses[i].due or date.max, i)
    if mode == "unit":
        return lambda i: (data.unit_of(i)[0], i)
    return lambda i: (data.tasks[data.task_ids[i]][0], data.task_ids[i], i)


def test_search_equals_a_plain_scan_on_both_paths(data):
    n = len(data)
    sizes = {}
    for q in QUERIES:
        want = reference_search(data, q)
        assert data.search(q) == want, q
        sizes[q] = len(want)
    # both the gathering path (few rows) and the mask path (many) were taken
    assert any(0 < k <= n // GATHER_SHARE for k in sizes.values())
    assert any(k > n // GATHER_SHARE for k in sizes.values())


def test_typing_and_backspace_narrow_the_previous_result(data):
    """As the items tab searches: each longer query among the shorter one's rows, and a
    filter's rows as the base; backspace goes back to the shorter query's rows."""
    for base in (None, data.filter(Filters(statuses=frozenset({"逾期", "临期"})))):
        for q in ("sfj", "zfj", "街道办", "执法 sfj"):
            found = base
            results = []
            for k in range(1, len(q) + 1):
                found = data.search(q[:k], found)
                want = reference_search(data, q[:k], base)
                assert found == want, (q[:k], base is None)
                results.append(found)
            for k in range(len(q) - 1, 0, -1):  # backspace: a fresh search gives the same
                assert data.search(q[:k], base) == results[k - 1]


@pytest.mark.parametrize("mode", SORT_MODES)
def test_sorted_rows_equal_a_plain_sort(data, mode):
    n = len(data)
    key = reference_key(data, mode)
    assert list(data.order(mode)) == sorted(range(n), key=key)
    rank = data.rank(mode)
    assert sorted(range(n), key=rank.__getitem__) == list(data.order(mode))
    parts = {
        "all": list(range(n)),
        "few (by rank)": data.search("sfj"),
        "many (from the order)": data.search("j"),
        "filtered": data.filter(Filters(statuses=frozenset({"逾期"}))),
        "reversed": data.search("z")[::-1],
        "none": [],
    }
    assert len(parts["few (by rank)"]) * SORT_SHARE < n <= len(parts["many (from the order)"]) * 8
    for name, part in parts.items():
        assert data.sorted_rows(part, mode) == sorted(part, key=key), name


def test_a_worker_warming_the_board_changes_no_answer(tmp_path):
    """The search index and the orders built in a thread while the screen searches and
    sorts: one build of each, and every answer the plain one."""
    db = tmp_path / "small.db"
    build_store(db, assignments=3000, seed=9)
    engine, data = board_of(db)
    try:
        worker = threading.Thread(target=data.warm)
        worker.start()
        got = {q: data.search(q) for q in ("sfj", "j", "执法")}
        sorts = {m: data.sorted_rows(got["j"], m) for m in SORT_MODES}
        worker.join()
        index = data._search_index()
        data.warm()  # a second warm-up builds nothing new
        assert data._search_index() is index
        for q, rows in got.items():
            assert rows == reference_search(data, q)
        for m, rows in sorts.items():
            assert rows == sorted(got["j"], key=reference_key(data, m))
    finally:
        from tui.store.db import dispose_engine

        data.close()
        dispose_engine(engine)


def test_a_shed_board_rebuilds_and_answers_the_same(data):
    """Before the next board is read the old one drops its indexes (`DeskData.shed`); if
    that read fails, the screen keeps using it: the same answers, rebuilt on demand."""
    before = {q: data.search(q) for q in ("sfj", "j")}
    orders = {m: list(data.order(m)) for m in SORT_MODES}
    aid = data.ids[123]
    data.shed()
    assert data._search is None and not data._orders and data._index is None
    assert {q: data.search(q) for q in before} == before
    assert {m: list(data.order(m)) for m in SORT_MODES} == orders
    assert data.index_of(aid) == 123


def test_status_filters_equal_a_plain_scan(data):
    """The status filter translates the rows' light codes as bytes in one pass."""
    from tui.domain.status import Status

    names = [s.value for s in Status]
    for wanted in ({names[0]}, {names[2], names[3]}, set(names)):
        for role in ("", "lead"):
            f = Filters(statuses=frozenset(wanted), role=role)
            want = [
                i
                for i in range(len(data))
                if data.lights[i].value in wanted and (not role or data.roles[i] == role)
            ]
            assert data.filter(f) == want, (wanted, role)


def test_pinyin_is_forgotten_and_comes_back_for_a_new_name():
    """The desk drops pypinyin (~50 MB) once a board's initials are known; a name seen
    later still gets the same initials (pypinyin is imported again)."""
    import sys

    from tui.domain.search import initials, release_pinyin

    names = ("区司法局", "银行业协会", "重庆路街道", "乌兰木伦镇")
    before = {n: initials(n) for n in names}
    assert "pypinyin" in sys.modules
    assert release_pinyin() is True
    assert not any(m == "pypinyin" or m.startswith("pypinyin.") for m in sys.modules)
    initials.cache_clear()  # as for names never seen: computed by a fresh pypinyin
    assert {n: initials(n) for n in names} == before
    assert "pypinyin" in sys.modules
