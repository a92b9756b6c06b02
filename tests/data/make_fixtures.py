"""Regenerate the LOAD-stage fixtures in tests/data/load/: python tests/data/make_fixtures.py

The files are committed; this script documents how each was made. The report text is an excerpt of
/work/shared/corpus/seeds/003_*.txt, copied below so the script runs anywhere.
"""
from __future__ import annotations

import random
from pathlib import Path

import docx
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

OUT = Path(__file__).resolve().parent / "load"

REPORT = """大桥瑶族乡2021年度法治政府工作报告

根据县委、县政府的有关文件精神，按照上级单位的相关要求，大桥瑶族乡积极开展法治政府建设工作，现将法治政府建设情况汇报如下：
一、工作任务进展及成效
(一）加强组织领导 强化理论学习
一是成立了以乡党委书记为组长，分管领导为副组长、司法所所长为成员的法治政府工作领导小组，始终坚持 “党组统一领导，党政齐抓共管”的原则。
(二）全面推进依法行政 提高工作人员水平
全面推进依法行政，提高政府工作人员依法行政的能力和水平。
二、创新经验及做法
(一）创新工作载体。大桥瑶族乡探索法治政府建设工作中，注重发挥法律顾问作用。
"""
PAGE_ONE = REPORT.splitlines()[:6]
PAGE_TWO = REPORT.splitlines()[6:]
FONT = "STSong-Light"  # Adobe CID font built into reportlab: no font file needed, and pypdf maps it back


def write_texts() -> None:
    windows_text = REPORT.replace("\n", "\r\n")  # Notepad-style line ends
    (OUT / "report_gbk.txt").write_bytes(windows_text.encode("gbk"))
    (OUT / "report_utf8_bom.txt").write_bytes(REPORT.encode("utf-8-sig"))
    (OUT / "report_utf16.txt").write_bytes(REPORT.encode("utf-16"))  # BOM + little-endian, like Notepad
    (OUT / "empty.txt").write_bytes(b"")
    noise = random.Random(3).randbytes(4096)
    (OUT / "junk.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + noise)


def _pdf(path: Path, pages: list[list[str] | None], **options) -> None:
    """One page per entry: lines of text, or None for an image-only page (a grey box, no text)."""
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1, **options)
    for lines in pages:
        if lines is None:
            pdf.setFillGray(0.6)
            pdf.rect(72, 300, 450, 450, stroke=0, fill=1)
        else:
            pdf.setFont(FONT, 11)
            y = 780
            for line in lines:
                for start in range(0, len(line), 40):  # wrap: 40 characters fit an A4 line at 11 pt
                    pdf.drawString(60, y, line[start:start + 40])
                    y -= 18
        pdf.showPage()
    pdf.save()


def write_pdfs() -> None:
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    _pdf(OUT / "two_pages.pdf", [PAGE_ONE, PAGE_TWO])
    _pdf(OUT / "scanned_page.pdf", [PAGE_ONE, None])
    _pdf(OUT / "scanned_only.pdf", [None, None])
    _pdf(OUT / "encrypted.pdf", [PAGE_ONE], encrypt="secret")
    from reportlab.lib.pdfencrypt import StandardEncryption

    # Only an owner password (restricts copying); any reader opens it, and so must we.
    owner_only = StandardEncryption("", ownerPassword="owner", canCopy=0)
    _pdf(OUT / "owner_password.pdf", [PAGE_ONE], encrypt=owner_only)
    whole = (OUT / "two_pages.pdf").read_bytes()
    (OUT / "truncated.pdf").write_bytes(whole[: len(whole) // 3])


def write_docx() -> None:
    document = docx.Document()
    document.add_paragraph("大桥瑶族乡2021年度法治政府工作报告", style="Title")
    document.add_paragraph(REPORT.splitlines()[2])
    document.add_heading("一、工作任务进展及成效", level=1)
    document.add_heading("(一）加强组织领导 强化理论学习", level=2)
    document.add_paragraph(REPORT.splitlines()[5])
    table = document.add_table(rows=2, cols=3)
    for row, values in zip(table.rows, [("项目", "件数", "备注"), ("行政复议", "3", "均已办结")]):
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.add_heading("二、创新经验及做法", level=1)
    document.add_paragraph(REPORT.splitlines()[-1])
    path = OUT / "report.docx"
    document.save(path)
    whole = path.read_bytes()
    (OUT / "corrupt.docx").write_bytes(whole[:4096])  # the zip directory at the end is gone


def main() -> None:
    OUT.mkdir(exist_ok=True)
    write_texts()
    write_pdfs()
    write_docx()
    for path in sorted(OUT.iterdir()):
        print(f"{path.stat().st_size:>7}  {path.name}")


if __name__ == "__main__":
    main()
