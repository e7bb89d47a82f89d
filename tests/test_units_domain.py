"""Unit directory: parsing, name matching, owner-list splitting, against the real seeds."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tui.domain.units import (
    Directory,
    detect_region,
    is_group_reference,
    load_directory,
    load_shipped_directories,
    normalize_name,
    parse_directory,
    split_owner_list,
)
from tui.errors import DubanError
from tui.paths import data_dir

# Copies of seeds 001 and 002 ship as the sample plans.
SEED_FILES = {
    "001": data_dir() / "samples" / "dongsheng_2020-2025_breakdown.txt",
    "002": data_dir() / "samples" / "alxa_left_2024_plan.txt",
    "000": Path(__file__).parent / "fixtures" / "seed000_dalate_2023.txt",
}
LABEL = r"(?:牵头|责任|参加|配合)(?:部门|单位)"


def _seed(prefix: str) -> str:
    return SEED_FILES[prefix].read_text(encoding="utf-8")


def _owner_fields_001(text: str) -> list[str]:
    """Owner lines of seed 001, joining a name broken onto a short next line (区司 / 法局)."""
    lines = text.splitlines()
    fields: list[str] = []
    i = 0
    while i < len(lines):
        m = re.match(rf"^\s*{LABEL}[:：](.*)$", lines[i])
        if m:
            value = m.group(1).strip()
            while i + 1 < len(lines):
                nxt = lines[i + 1].strip()
                if (
                    not nxt
                    or len(nxt) > 12
                    or re.match(
                        rf"^(?:{LABEL}[:：]|（|\[|\d+\s*[．.]|[一二三四五六七八九十]+、)", nxt
                    )
                ):
                    break
                value += nxt
                i += 1
            fields.append(value)
        i += 1
    return fields


def _owner_fields_002(text: str) -> list[str]:
    """Inline owner parentheses of seed 002: （牵头单位：…；责任单位：…）."""
    fields: list[str] = []
    for m in re.finditer(r"（((?:牵头|责任)单位[:：][^（）]*)）", text):
        for part in re.split(r"[；;]", m.group(1)):
            fields.append(re.sub(rf"^{LABEL}[:：]", "", part.strip()))
    return fields


def _names(fields: list[str]) -> set[str]:
    return {n for f in fields for n in split_owner_list(f)}


@pytest.fixture(scope="module")
def dirs() -> dict[str, Directory]:
    return {d.region: d for d in load_shipped_directories()}


def test_shipped_directories_load(dirs: dict[str, Directory]) -> None:
    assert set(dirs) == {"东胜区", "阿拉善左旗"}
    ds, az = dirs["东胜区"], dirs["阿拉善左旗"]
    assert ds.prefixes == ("区",) and az.prefixes == ("旗",)
    assert {g.name for g in ds.groups} == {"各镇", "各街道", "区直各部门", "区政府组成部门"}
    assert {g.name for g in az.groups} == {"各苏木镇", "各街道", "旗直各部门"}
    # towns and sub-districts are sample data, seed units are not
    assert all(u.sample for u in ds.units if u.kind in ("镇", "街道"))
    assert all(u.sample for u in az.units if u.kind in ("镇", "苏木", "街道"))
    assert not ds.resolve("区司法局").sample
    assert ds.resolve("区司法局").head.startswith("（示例）")
    assert ds.resolve("区司法局").phone == "0477-0000000"


def test_seed_001_owner_names_all_resolve(dirs: dict[str, Directory]) -> None:
    ds = dirs["东胜区"]
    fields = _owner_fields_001(_seed("001"))
    assert len(fields) == 170
    # the name broken across lines in task （80）
    assert "区政府办、区委组织部、区委依法治区办、区司法局" in fields
    names = _names(fields)
    units = {n for n in names if not is_group_reference(n)}
    groups = {n for n in names if is_group_reference(n)}
    assert len(units) == 38  # 区市场监管局 and 区市场监督管理局 are one unit
    unresolved = sorted(n for n in units if ds.resolve(n) is None)
    assert unresolved == []
    assert len({ds.resolve(n).name for n in units}) == 37
    assert groups == {
        "各镇",
        "各街道",
        "区直各部门",
        "区直有关部门",
        "区直各执法部门",
        "区直各行政执法部门",
        "区直其他部门",
        "区政府组成部门",
        "其他区政府组成部门",
        "其他有行政裁决职能的区直部门",
        "区人民政府及其组成部门",
    }
    defined = {g for g in groups if ds.resolve_group(g) is not None}
    assert defined == {"各镇", "各街道", "区直各部门", "区政府组成部门"}
    # every seed unit is in the directory under its own spelling or an alias
    assert ds.resolve("区市场监管局") is ds.resolve("区市场监督管理局")
    assert ds.resolve("区市场监督管理局").name == "区市场监督管理局"


def test_seed_002_owner_names_all_resolve(dirs: dict[str, Directory]) -> None:
    az = dirs["阿拉善左旗"]
    fields = _owner_fields_002(_seed("002"))
    assert len(fields) == 52
    names = _names(fields)
    units = {n for n in names if not is_group_reference(n)}
    groups = {n for n in names if is_group_reference(n)}
    assert groups == {"各有关部门", "各行政执法部门"}
    assert len(units) == 29
    assert sorted(n for n in units if az.resolve(n) is None) == []
    # 司法局/旗司法局, 政务服务局/旗政务服务局 … collapse to 23 distinct units
    assert len({az.resolve(n).name for n in units}) == 23
    # "relevant departments" is never defined: it stays 待分解 for a human
    assert az.resolve_group("各有关部门") is None
    assert az.resolve_group("各行政执法部门") is None
    # short and full forms are the same unit
    assert az.resolve("卫健委") is az.resolve("旗卫健委")
    assert az.resolve("卫健委").name == "旗卫健委"
    assert az.resolve("司法局") is az.resolve("旗司法局")
    assert az.resolve("政府办").name == "旗政府办"
    assert az.resolve("宣传部").name == "旗委宣传部"
    assert az.resolve("社工部").name == "旗委社会工作部"
    assert az.resolve("依法治旗办").name == "旗委依法治旗办"


def test_seed_units_do_not_cross_regions(dirs: dict[str, Directory]) -> None:
    ds, az = dirs["东胜区"], dirs["阿拉善左旗"]
    assert ds.resolve("依法治旗办") is None
    assert az.resolve("区委依法治区办") is None
    assert ds.resolve("市公安局东胜分局").kind == "部门"


def test_resolve_prefix_forms(dirs: dict[str, Directory]) -> None:
    az, ds = dirs["阿拉善左旗"], dirs["东胜区"]
    target = az.resolve("旗司法局")
    assert target is not None and target.name == "旗司法局"
    for spelling in ("阿拉善左旗司法局", "旗司法局", "司法局", " 旗 司法局 。", "阿左旗司法局"):
        assert az.resolve(spelling) is target, spelling
    for spelling in ("东胜区司法局", "区司法局", "司法局", "东胜区财政局"):
        assert ds.resolve(spelling) is not None, spelling
    assert ds.resolve("东胜区财政局").name == "区财政局"
    assert ds.resolve("区教育局") is None
    assert ds.resolve("") is None


def test_resolve_ambiguous_returns_none() -> None:
    d = parse_directory(
        {
            "region": "测试区",
            "prefixes": ["区", "市"],
            "units": [
                {"name": "区司法局", "kind": "部门"},
                {"name": "市司法局", "kind": "部门"},
            ],
        },
        "测试.toml",
    )
    assert d.resolve("区司法局").name == "区司法局"
    assert d.resolve("市司法局").name == "市司法局"
    assert d.resolve("司法局") is None
    assert d.resolve("测试区司法局") is None


def test_groups_expand_to_members(dirs: dict[str, Directory]) -> None:
    ds, az = dirs["东胜区"], dirs["阿拉善左旗"]
    towns = ds.resolve_group("各镇")
    assert towns is not None
    assert set(towns.members) == {"泊江海子镇", "罕台镇", "铜川镇"}
    assert ds.resolve_group("各镇人民政府") is towns
    assert len(ds.resolve_group("各街道").members) == 12
    depts = ds.resolve_group("区直各部门")
    assert set(depts.members) == {u.name for u in ds.units if u.kind == "部门"}
    assert "区法院" not in depts.members and "罕台镇" not in depts.members
    gov = ds.resolve_group("区政府组成部门")
    assert "区司法局" in gov.members and "区委组织部" not in gov.members
    assert set(gov.members) <= set(depts.members)
    sumu = az.resolve_group("各苏木镇")
    assert {u.kind for u in az.group_units(sumu)} == {"苏木", "镇"}
    assert len(az.group_units(sumu)) == len(sumu.members)
    assert az.resolve_group("旗直有关部门") is None
    assert ds.resolve_group("区直有关部门") is None


def test_split_owner_list() -> None:
    assert split_owner_list("区直有关部门，各镇、街道") == ["区直有关部门", "各镇", "各街道"]
    assert split_owner_list("各苏木镇、街道") == ["各苏木镇", "各街道"]
    assert split_owner_list("各苏木、镇") == ["各苏木", "各镇"]
    assert split_owner_list("旗司法局、各有关部门") == ["旗司法局", "各有关部门"]
    assert split_owner_list("市公安局东胜分局、区检察院，区司法局") == [
        "市公安局东胜分局",
        "区检察院",
        "区司法局",
    ]
    assert split_owner_list("区司法局（牵头）、区财政局(配合)") == ["区司法局", "区财政局"]
    assert split_owner_list("区司法局；区财政局; 区审计局等") == [
        "区司法局",
        "区财政局",
        "区审计局",
    ]
    assert split_owner_list("区司法局 区财政局\u3000区审计局") == [
        "区司法局",
        "区财政局",
        "区审计局",
    ]
    assert split_owner_list("区司法局、等") == ["区司法局"]
    assert split_owner_list("牵头单位：旗委编办、政务服务局") == ["旗委编办", "政务服务局"]
    assert split_owner_list("区政府办、区委组织部、区委依法治区办、区司法局") == [
        "区政府办",
        "区委组织部",
        "区委依法治区办",
        "区司法局",
    ]
    # 街道 after a non-各 item is just a name fragment, not a group
    assert split_owner_list("区司法局、街道") == ["区司法局", "街道"]
    assert split_owner_list("") == []
    assert split_owner_list("、，;") == []


def test_normalize_name() -> None:
    assert normalize_name(" 区 司法局\u3000。") == "区司法局"
    assert normalize_name("镇(街道)") == "镇（街道）"
    assert normalize_name("区财政局；") == "区财政局"
    assert normalize_name("区财政局，") == "区财政局"


@pytest.mark.parametrize(
    "name",
    [
        "各镇",
        "各街道",
        "各苏木镇",
        "区直各部门",
        "区直有关部门",
        "旗直有关部门",
        "各有关部门",
        "各行政执法部门",
        "区直各执法部门",
        "区直其他部门",
        "区政府组成部门",
        "其他区政府组成部门",
        "区人民政府及其组成部门",
        "其他有行政裁决职能的区直部门",
        "各级政府",
        "各有关单位",
        "旗直各单位",
        "区委依法治区委员会成员单位",
    ],
)
def test_is_group_reference_true(name: str) -> None:
    assert is_group_reference(name)


@pytest.mark.parametrize(
    "name",
    [
        "区司法局",
        "旗政府办",
        "区委依法治区办",
        "依法治旗办",
        "区行政审批和政务服务局",
        "市公安局东胜分局",
        "区纪委监委机关",
        "区直机关工委",
        "罕台镇",
        "交通街道",
        "旗委社会工作部",
        "",
    ],
)
def test_is_group_reference_false(name: str) -> None:
    assert not is_group_reference(name)


def _unit(name: str, kind: str = "部门", **kw: object) -> dict[str, object]:
    return {"name": name, "kind": kind, **kw}


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"region": "甲区", "units": [_unit("区司法局", "局")]}, "区司法局"),
        (
            {
                "region": "甲区",
                "units": [_unit("区司法局")],
                "groups": [{"name": "各镇", "members": ["罕台镇"]}],
            },
            "罕台镇",
        ),
        (
            {"region": "甲区", "units": [_unit("区司法局", aliases=["司法局"]), _unit("司法局")]},
            "司法局",
        ),
        ({"region": "甲区", "units": [_unit("区司法局"), _unit("区司法局")]}, "区司法局"),
        (
            {
                "region": "甲区",
                "units": [_unit("区财政局", aliases=["财政"]), _unit("区审计局", aliases=["财政"])],
            },
            "财政",
        ),
        ({"region": "甲区", "units": [_unit("区司法局", haed="张三")]}, "haed"),
        ({"region": "", "units": [_unit("区司法局")]}, "region"),
        ({"region": "甲区", "units": []}, "units"),
        ({"region": "甲区", "prefixes": ["区县"], "units": [_unit("区司法局")]}, "区县"),
        ({"region": "甲区", "units": [_unit("区司法局", sample="是")]}, "sample"),
        (
            {
                "region": "甲区",
                "units": [_unit("区司法局")],
                "groups": [{"name": "各镇", "members": []}],
            },
            "各镇",
        ),
        (
            {
                "region": "甲区",
                "units": [_unit("各镇", "镇")],
                "groups": [{"name": "各镇", "members": ["各镇"]}],
            },
            "各镇",
        ),
    ],
)
def test_parse_directory_errors(data: dict[str, object], needle: str) -> None:
    with pytest.raises(DubanError) as info:
        parse_directory(data, "坏名录.toml")
    message = info.value.message
    assert "坏名录.toml" in message
    assert needle in message


def test_parse_directory_accepts_alias_member_and_defaults() -> None:
    d = parse_directory(
        {
            "region": "甲区",
            "prefixes": ["区"],
            "units": [_unit("罕台镇", "镇", aliases=["罕台"]), _unit("区司法局")],
            "groups": [{"name": "各镇", "members": ["罕台"]}],
        },
        "ok.toml",
    )
    assert d.match == ("甲区",)
    assert d.resolve_group("各镇").members == ("罕台镇",)
    unit = d.resolve("罕台")
    assert unit.head == "" and unit.sample is False and unit.kind == "镇"


def test_load_directory_errors(tmp_path: Path) -> None:
    with pytest.raises(DubanError, match="找不到单位名录文件"):
        load_directory(tmp_path / "none.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text('region = "甲区"\n[[units]\nname = 1\n', encoding="utf-8")
    with pytest.raises(DubanError, match="格式错误"):
        load_directory(bad)
    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes('region = "甲区"\n'.encode("gbk"))
    with pytest.raises(DubanError, match="UTF-8"):
        load_directory(gbk)
    good = tmp_path / "good.toml"
    good.write_text(
        'region = "甲区"\nprefixes = ["区"]\n[[units]]\nname = "区司法局"\nkind = "部门"\n',
        encoding="utf-8",
    )
    d = load_directory(good)
    assert d.resolve("甲区司法局").name == "区司法局"
    assert d.source == str(good)


def test_shipped_files_location() -> None:
    files = sorted(p.name for p in (data_dir() / "units").glob("*.toml"))
    assert files == ["alxa_left.toml", "dongsheng.toml"]


def test_detect_region(dirs: dict[str, Directory]) -> None:
    all_dirs = list(dirs.values())
    assert detect_region(_seed("001"), all_dirs).region == "东胜区"
    assert detect_region(_seed("002"), all_dirs).region == "阿拉善左旗"
    assert detect_region(_seed("000"), all_dirs) is None  # 达拉特旗: no directory shipped
    assert detect_region("", all_dirs) is None
    assert detect_region("东胜区与阿拉善左旗", all_dirs) is None  # a tie decides nothing
