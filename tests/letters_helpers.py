"""Shared by the letter tests: a model in the style of a real 督办函, rendering helpers,
PDF text per page and line, and a LibreOffice runner with the shipped font installed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import date
from pathlib import Path

from tui.letters import layout as L
from tui.letters.docx_writer import write_docx
from tui.letters.fonts import FontSet, prepare_batch_fonts, resolve_fonts
from tui.letters.layout import BODY_BOTTOM, LINE, LetterLayout, layout_letter
from tui.letters.model import LetterItem, LetterModel, letter_texts
from tui.letters.pdf_writer import PdfFonts, batch_pdf_fonts, write_pdf
from tui.paths import data_dir

UNIT = "鄂尔多斯市东胜区司法局"
REPLY = "2024年6月14日"
TASKS = [
    "健全重大行政决策程序制度，严格落实公众参与、专家论证、风险评估、合法性审查和集体讨论决定等"
    "法定程序，推行重大行政决策事项目录管理，2024年底前完成目录编制并向社会公布。",
    "推行行政执法公示制度。",
    "全面落实行政执法责任制，严格确定不同部门及机构、岗位执法人员执法责任，建立健全常态化责任追究"
    "机制，对执法过错依法依规追究责任。",
    "开展行政规范性文件清理，及时公布清理结果。",
    "加强法治政府建设督察，对法治政府建设情况进行年度考核，考核结果纳入领导班子和领导干部实绩考核。",
    "落实“谁执法谁普法”普法责任制，开展“八五”普法中期评估。",
]
BODY = (
    "按照2024年度法治建设工作任务分解安排，贵单位承担的5项工作任务（详见附件）已超过完成时限，"
    "其中最早一项的完成时限为2024年3月31日。区委依法治区办已于2024年4月8日以东依法治办醒〔2024〕2号函"
    "提醒，至今未见书面回复，相关任务仍未完成。",
    "现对上述事项予以督办。请王某某局长亲自过问、亲自部署，逐项分析逾期原因，研究制定整改措施，"
    "明确责任人和办结时限，确保尽快落实到位。请于2024年6月14日前（5个工作日内）将办理情况、逾期原因及"
    "责任落实情况书面报送区委依法治区办。",
    "督办后仍未按期完成或不予回复的，区委依法治区办将在法治建设工作情况通报中予以通报，并纳入年度"
    "法治建设考核。",
)
FILL = (
    "请贵单位高度重视，对照任务清单和完成时限，抓紧研究推进措施，明确责任人和时间表，"
    "确保按期保质完成2024年度各项任务。"
) * 30


def make_model(
    n: int = 25,
    number: str | None = "东依法治办督〔2024〕7号",
    body: tuple[str, ...] = BODY,
    **kw,
) -> LetterModel:
    items = tuple(
        LetterItem(
            number=f"（{i}）",
            title=TASKS[i % len(TASKS)],
            deadline=f"2024年{1 + i % 6}月{10 + i % 18}日",
            days=f"逾期{30 + i}天",
            last_progress="2024年5月3日：已起草初稿，正在征求意见" if i % 3 else "",
            earlier_letters="东依法治办醒〔2024〕2号" if i % 2 else "",
            roles=("牵头", "责任") if i % 5 == 0 else ("责任",),
            overdue_days=30 + i,
        )
        for i in range(1, n + 1)
    )
    model = LetterModel(
        kind="督办",
        issuer_mark="中共鄂尔多斯市东胜区委全面依法治区委员会办公室",
        number=number,
        title="关于督促加快落实2024年度法治建设工作任务的督办函",
        addressee=f"{UNIT}王某某局长",
        body_paragraphs=body,
        items=items,
        closing="特此函告。",
        contact="联系人：李某　联系电话：0477-8321234",
        signature="中共鄂尔多斯市东胜区委全面依法治区委员会办公室",
        date=date(2024, 6, 7),
        cc="区委、区政府分管领导",
    )
    return replace(model, **kw) if kw else model


def fonts() -> FontSet:
    # the shipped subset: what a machine with no CJK font at all would use
    return resolve_fonts(use_system=False)


def pdf_fonts(models: list[LetterModel], fontset: FontSet | None = None) -> PdfFonts:
    fontset = fontset or fonts()
    batch = prepare_batch_fonts(fontset, [t for m in models for t in letter_texts(m)])
    return batch_pdf_fonts(batch, models)


def render(
    model: LetterModel, folder: Path, name: str = "letter", pf: PdfFonts | None = None
) -> tuple[Path, Path, LetterLayout]:
    pf = pf or pdf_fonts([model])
    lay = layout_letter(model, pf)
    pdf, docx = folder / f"{name}.pdf", folder / f"{name}.docx"
    write_pdf(model, pdf, pf, lay)
    write_docx(lay, docx, pf.batch.fontset)
    return pdf, docx, lay


def run(*cmd: str) -> str:
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def pages(path: Path) -> int:
    return int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", str(path))).group(1))


def pdf_text(path: Path, page: int | None = None) -> str:
    args = ["pdftotext", "-enc", "UTF-8"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return run(*args, str(path), "-")


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_of(path: Path, needle: str) -> int | None:
    """The first page whose text (whitespace removed) contains `needle`."""
    for p in range(1, pages(path) + 1):
        if needle in flat(pdf_text(path, p)):
            return p
    return None


FONTCONF = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>{fonts}</dir>
  <cachedir>{cache}</cachedir>
  {aliases}
</fontconfig>
"""


def libreoffice_pdfs(docx_files: list[Path], out: Path) -> dict[Path, Path]:
    """Convert .docx files with LibreOffice (one process for all), the shipped font
    standing in for 仿宋_GB2312 and the other names the .docx asks for, as an office
    machine with those fonts installed would render them."""
    soffice = shutil.which("soffice")
    assert soffice, "LibreOffice (soffice) 未安装：.ci/run 会安装 libreoffice-writer-nogui"
    out.mkdir(parents=True, exist_ok=True)
    names = ("仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312")
    aliases = "\n".join(
        f'<alias binding="same"><family>{n}</family><prefer><family>Duban Serif SC</family>'
        "</prefer></alias>"
        for n in names
    )
    conf = out / "fonts.conf"
    conf.write_text(
        FONTCONF.format(fonts=data_dir() / "fonts", cache=out / "fccache", aliases=aliases),
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "FONTCONFIG_FILE": str(conf),
        "HOME": str(out),  # LibreOffice keeps its profile here, apart from other runs
    }
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{out / 'profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(out),
            *map(str, docx_files),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
        env=env,
    )
    result = {d: out / f"{d.stem}.pdf" for d in docx_files}
    missing = [str(p) for p in result.values() if not p.exists()]
    assert not missing, f"LibreOffice did not convert: {missing}"
    return result


def bodies_by_gap(limit: int = 22) -> list[tuple[int, object]]:
    """Letters whose body (before the signature block) ends k lines before its page end,
    for every k from 0 to 21, on page 1 where possible and on page 2."""
    pf = pdf_fonts([make_model(4, body=(FILL,))])
    found: dict[tuple[int, int], object] = {}
    for n in range(0, 1500, 6):
        body = (BODY[0][: 20 + n % 97],) + ((FILL[:n],) if n else ())
        model = make_model(4, body=body)
        size = L.mark_size(model.issuer_mark, pf)
        paras = [p for p in L.letter_paras(model, pf, size) if p.role not in ("gap", "sig", "date")]
        L._flow(paras)
        last, page, y = L._line_pages(paras)[-1]
        k = (BODY_BOTTOM - (y + last.pitch)) // LINE
        if page > 2:
            break
        if k < limit and (page, k) not in found:
            found[(page, k)] = model
    return [(k, m) for (_, k), m in sorted(found.items())]
