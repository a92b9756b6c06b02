"""Documents read as written, from the file to the index and the answer: an item cut by a PDF page end is
one paragraph cited with both pages, and a DOCX table row is text of its own that can prove a deed."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import docx
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from indexer import build_index
from indexer.store import open_index
from indexer.store.chunks import TABLE_FILE, ChunkTable
from search import Searcher
from tests.fakes import HashEmbedder
from ui.render import page_label

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
FONT = "STSong-Light"  # built into reportlab; pypdf maps it back to text
ITEM = "（一）镇政府聘请专职法律顾问2名，对重大行政决策和政府合同开展合法性审查，全年审查合同23份。"
ROW = "送法进村：场次 14"


def write_pdf(path: Path) -> Path:
    """Page 1 ends inside item （一）, page 2 carries it on, as the issue describes."""
    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    pages = [["石桥镇2023年法治政府建设情况报告",
              "2023年，石桥镇坚持以习近平法治思想为指导，扎实推进法治政府建设，现将有关情况报告如下：",
              "一、主要工作成效",
              "（一）镇政府聘请专职法律顾问2名，对重大行政决策"],
             ["和政府合同开展合法性审查，全年审查合同23份。",
              "（二）深入开展普法宣传",
              "全年开展法治讲座6场，发放宣传资料3000余份。",
              "二、存在的问题",
              "个别干部法治意识不强。"]]
    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    for lines in pages:
        pdf.setFont(FONT, 11)
        y = 780
        for line in lines:
            for start in range(0, len(line), 40):
                pdf.drawString(60, y, line[start:start + 40])
                y -= 18
        pdf.showPage()
    pdf.save()
    return path


def write_docx(path: Path) -> Path:
    """A table right after a paragraph that does not end a sentence: the case that glued them together."""
    document = docx.Document()
    document.add_paragraph("青石镇2023年法治政府建设情况报告", style="Title")
    document.add_paragraph("2023年，青石镇在县委、县政府的领导下扎实推进法治政府建设，现将有关情况报告如下：")
    document.add_paragraph("一、主要工作成效")
    document.add_paragraph("（一）深入开展普法宣传")
    document.add_paragraph("镇司法所联合派出所、综治中心深入各村开展普法宣传活动，全年开展情况如下")
    table = document.add_table(rows=3, cols=2)
    for row, values in zip(table.rows, [("普法活动", "场次"), ("送法进村", "14"), ("法治讲座", "6")]):
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.add_paragraph("（二）化解矛盾纠纷")
    document.add_paragraph("全年调解矛盾纠纷32起，调解成功率98%。")
    document.add_paragraph("二、存在的问题")
    document.add_paragraph("个别村干部法治意识不强，普法形式较为单一。")
    document.add_paragraph("三、下一步工作打算")
    document.add_paragraph("继续加强普法宣传，提升群众法治素养。")
    document.save(path)
    return path


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    corpus = tmp_path_factory.mktemp("corpus")
    write_pdf(corpus / "石桥镇.pdf")
    write_docx(corpus / "青石镇.docx")
    index = tmp_path_factory.mktemp("index")
    build_index([corpus], index, embedder=HashEmbedder())
    return index


def _document(searcher: Searcher, source: str):
    return next(d for d in searcher.documents() if d.source == source)


def test_an_item_cut_by_a_page_end_is_one_paragraph_on_both_pages_not_a_heading(indexed):
    searcher = Searcher.load(indexed, embedder=HashEmbedder())
    document = searcher.document(_document(searcher, "石桥镇.pdf").doc_id)
    paragraphs = searcher.paragraphs(document.doc_id)
    item = next(p for p in paragraphs if "对重大行政决策" in document.text[p.char_start:p.char_end])
    assert "".join(document.text[item.char_start:item.char_end].split()) == ITEM
    assert item.level == 0 and item.heading is None  # the table of contents lists levels above 0
    assert [p.heading for p in paragraphs if p.level] == ["主要工作成效", "深入开展普法宣传", "存在的问题"]
    assert item.section_path == ["主要工作成效"] and (item.page, item.page_end) == (1, 2)
    chunk = next(c for c in searcher.chunks_of(document.doc_id) if "对重大行政决策" in c.text)
    assert ITEM in chunk.text and (chunk.page, chunk.page_end) == (1, 2)
    hit = next(h for h in searcher.query("合法性审查 审查合同", top_k=5) if h.id == chunk.id)
    assert hit.to_json()["page_end"] == 2 and page_label(hit.page, hit.page_end) == "第1–2页"


def test_a_table_row_is_its_own_paragraph_in_the_section_of_its_table(indexed):
    searcher = Searcher.load(indexed, embedder=HashEmbedder())
    document = searcher.document(_document(searcher, "青石镇.docx").doc_id)
    paragraphs = {document.text[p.char_start:p.char_end]: p for p in searcher.paragraphs(document.doc_id)}
    assert ROW in paragraphs and "法治讲座：场次 6" in paragraphs
    assert paragraphs[ROW].section_path == ["主要工作成效", "深入开展普法宣传"] and paragraphs[ROW].level == 0
    assert paragraphs[ROW].role == "做法成效"
    before = next(text for text in paragraphs if text.startswith("镇司法所"))
    assert before.endswith("全年开展情况如下")  # nothing of the table glued on
    assert any(ROW in c.text for c in searcher.chunks_of(document.doc_id))


def test_tables_written_before_page_ends_were_kept_still_read(indexed, tmp_path):
    path = tmp_path / TABLE_FILE
    stored = open_index(indexed)
    shutil.copy(stored.folder / TABLE_FILE, path)
    stored.close()
    connection = sqlite3.connect(path)
    connection.execute("ALTER TABLE chunks DROP COLUMN page_end")
    connection.execute("ALTER TABLE paragraphs DROP COLUMN page_end")
    connection.commit()
    connection.close()
    table = ChunkTable(path)
    try:
        chunks = table.chunks()
        assert chunks and all(c.page_end == c.page for c in chunks)
        assert all(p.page_end == p.page for p in table.paragraphs(chunks[0].doc_id))
    finally:
        table.close()


@pytest.mark.model
def test_a_township_whose_table_proves_the_deed_is_listed_as_done(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLES, corpus)
    write_docx(corpus / "青石镇.docx")
    build_index([corpus], tmp_path / "index", embedder=embedder)
    answer = Searcher.load(tmp_path / "index", embedder=embedder).ask("哪些乡镇开展了送法进村，开展了多少场")
    qingshi = next(t for t in answer.townships if t.name == "青石镇")
    assert qingshi.status == "done"
    assert any("送法进村" in e.sentence and "14" in e.sentence for e in qingshi.evidence)
