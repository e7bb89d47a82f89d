"""Bench: 300 letters (PDF + DOCX, ~5 items each) as one batch. Budget (GUIDE §7): < 10 s.

Run:  python bench/letters_bench.py [--letters 300] [--items 5] [--workers N] [--keep DIR]

The batch font subset is made once (tui.letters.fonts.prepare_batch_fonts) and its time
is included; with --workers > 1 the letters are split over processes.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tui.letters.docx_writer import write_docx  # noqa: E402
from tui.letters.fonts import FontSet, prepare_batch_fonts, resolve_fonts  # noqa: E402
from tui.letters.model import LetterItem, LetterModel, letter_texts  # noqa: E402
from tui.letters.templates import build_letter_parts  # noqa: E402

UNITS = [
    "旗司法局",
    "旗发展和改革委员会",
    "旗教育体育局",
    "旗公安局",
    "旗民政局",
    "旗财政局",
    "旗人力资源和社会保障局",
    "旗自然资源局",
    "树林召镇",
    "王爱召镇",
    "白泥井镇",
    "昭君镇",
    "旗生态环境局",
    "旗住房和城乡建设局",
    "旗交通运输局",
    "旗水利局",
    "旗农牧局",
    "旗商务局",
    "旗文化旅游体育局",
    "旗卫生健康委员会",
    "旗应急管理局",
    "旗审计局",
    "旗市场监督管理局",
]
TASKS = [
    "严格落实重大行政决策程序，推行重大行政决策事项目录管理",
    "全面推行行政执法公示制度、执法全过程记录制度、重大执法决定法制审核制度",
    "开展行政规范性文件清理工作，及时公布清理结果",
    "加强行政复议规范化建设，推进行政复议体制改革",
    "落实领导干部应诉制度，提高行政机关负责人出庭应诉率",
    "深化“放管服”改革，推进政务服务事项网上办理",
    "健全矛盾纠纷多元化解机制，加强人民调解组织建设",
    "开展法治政府建设示范创建活动",
]
KINDS = ["提示", "提醒", "督办"]


def make_models(n: int, items: int) -> list[LetterModel]:
    out = []
    d0 = date(2024, 6, 7)
    for i in range(n):
        kind = KINDS[i % 3]
        unit = UNITS[i % len(UNITS)]
        parts = build_letter_parts(
            kind,
            {
                "单位": unit,
                "事项数": str(items),
                "最早期限": "2024年3月31日",
                "回复期限": "2024年6月14日",
                "回复工作日": "5",
                "联系人": "李某",
                "联系电话": "0477-5212345",
                "发文机关": "旗委依法治旗办",
                "日期": "2024年6月7日",
                "抄送": "旗委、旗政府分管领导" if kind == "督办" else "",
            },
        )
        its = tuple(
            LetterItem(
                number=f"{1 + (i + k) % 9}-{1 + k}",
                title=TASKS[(i + k) % len(TASKS)],
                deadline=f"{d0 - timedelta(days=30 * k):%Y年%-m月%-d日}前",
                days=f"逾期{5 + 7 * k}天" if kind != "提示" else f"剩余{7 - k}天",
                last_progress="已形成初稿，正在征求意见" if k % 2 else "",
                earlier_letters=f"达依法治办醒〔2024〕{k + 1}号" if kind == "督办" else "",
            )
            for k in range(items)
        )
        out.append(
            LetterModel(
                kind=kind,
                issuer_mark="中共达拉特旗委全面依法治旗委员会办公室",
                number=f"达依法治办{kind[-1]}〔2024〕{i + 1}号",
                title=parts.title,
                addressee=parts.addressee,
                body_paragraphs=parts.body_paragraphs,
                items=its,
                closing=parts.closing,
                contact=parts.contact,
                signature="中共达拉特旗委全面依法治旗委员会办公室",
                date=d0,
                cc=parts.cc,
            )
        )
    return out


def _render(args: tuple[list[LetterModel], FontSet, str, int]) -> int:
    from tui.letters.pdf_writer import write_pdf

    models, fonts, out, start = args
    pages = 0
    for k, m in enumerate(models, start=start):
        pages += write_pdf(m, Path(out) / f"{k:04d}.pdf", fonts)
        write_docx(m, Path(out) / f"{k:04d}.docx", fonts)
    return pages


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--letters", type=int, default=300)
    ap.add_argument("--items", type=int, default=5)
    ap.add_argument("--workers", type=int, default=min(4, os.cpu_count() or 1))
    ap.add_argument("--keep", type=Path, default=None)
    a = ap.parse_args()

    models = make_models(a.letters, a.items)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(a.keep) if a.keep else Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        base = resolve_fonts(use_system=False)
        texts = [letter_texts(m) for m in models]
        fonts = prepare_batch_fonts(
            base, (b for b, _ in texts), (t for _, t in texts), Path(tmp) / "fonts"
        )
        t_fonts = time.perf_counter() - t0
        w = max(1, a.workers)
        chunks = [(models[i::w], fonts, str(out), 0) for i in range(w)]
        for i, c in enumerate(chunks):
            chunks[i] = (c[0], c[1], c[2], i * 100000)
        if w == 1:
            pages = _render(chunks[0])
        else:
            with ProcessPoolExecutor(max_workers=w) as ex:
                pages = sum(ex.map(_render, chunks))
        total = time.perf_counter() - t0
        files = len(list(out.glob("*.pdf"))) + len(list(out.glob("*.docx")))

    print(
        f"letters: {a.letters} × (PDF + DOCX), {a.items} items each, {pages} PDF pages, {files} files"
    )
    print(f"batch font subset: {t_fonts:.2f} s")
    print(f"total: {total:.2f} s  ({1000 * total / a.letters:.1f} ms per letter)  budget < 10 s")
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, workers {w}, "
        f"Python {platform.python_version()}"
    )


if __name__ == "__main__":
    main()
