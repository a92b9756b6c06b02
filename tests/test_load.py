"""LOAD stage: every kind of file a colleague might send either loads or fails with one clear message."""
from __future__ import annotations

import shutil
import struct
import time
import zlib
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import load as load_module
from indexer.encoding import decode_text
from indexer.load import LoadError, load_file
from indexer.scan import scan_corpus

DATA = Path(__file__).parent / "data" / "load"
SEED_TEXT = (DATA / "report_utf8_bom.txt").read_bytes().decode("utf-8-sig")


def load(name: str):
    return load_file(DATA / name, DATA)


def load_error(path: Path, root: Path) -> LoadError:
    with pytest.raises(LoadError) as caught:
        load_file(path, root)
    assert caught.value.source in str(caught.value)  # the message names the file
    return caught.value


# --- plain text ----------------------------------------------------------------------------------

@pytest.mark.parametrize("name, encoding", [
    ("report_gbk.txt", "gb18030"),
    ("report_utf8_bom.txt", "utf-8-sig"),
    ("report_utf16.txt", "utf-16-le"),
])
def test_text_fixtures_decode_to_the_same_report(name, encoding):
    doc = load(name)
    assert doc.encoding == encoding
    assert doc.kind == "txt"
    assert doc.source == name
    assert doc.text == SEED_TEXT
    assert "一、工作任务进展及成效\n(一）加强组织领导" in doc.text
    assert "\r" not in doc.text and "\ufeff" not in doc.text
    assert doc.warnings == []


@pytest.mark.parametrize("codec, expected", [
    ("utf-8", "utf-8"),
    ("utf-16-le", "utf-16-le"),  # no BOM: found by the NULs of "2021", newlines, brackets
    ("utf-16-be", "utf-16-be"),
    ("gbk", "gb18030"),
    ("gb18030", "gb18030"),
])
def test_encodings_without_bom(tmp_path, codec, expected):
    (tmp_path / "r.txt").write_bytes(SEED_TEXT.encode(codec))
    doc = load_file(tmp_path / "r.txt", tmp_path)
    assert (doc.encoding, doc.text) == (expected, SEED_TEXT)


def test_utf16_without_bom_or_ascii_is_not_taken_for_gbk(tmp_path):
    chinese_only = "大桥瑶族乡积极开展法治政府建设工作，现将法治政府建设情况汇报如下。" * 3
    (tmp_path / "r.txt").write_bytes(chinese_only.encode("utf-16-le"))
    doc = load_file(tmp_path / "r.txt", tmp_path)
    assert (doc.encoding, doc.text) == ("utf-16-le", chinese_only)


@pytest.mark.parametrize("data", [
    "臺灣省法治政府建設工作報告，各級機關應當嚴格執行法律規定。\n".encode("big5") * 5,
    "Café résumé, déjà vu à la façon d'un rapport.\n".encode("latin-1") * 5,
])
def test_unknown_encodings_are_refused_not_garbled(tmp_path, data):
    (tmp_path / "r.txt").write_bytes(data)
    assert load_error(tmp_path / "r.txt", tmp_path).reason.startswith("不是文本文件")


def test_markdown_is_loaded_as_text(tmp_path):
    (tmp_path / "r.md").write_text("# 标题\n\n正文", encoding="utf-8")
    doc = load_file(tmp_path / "r.md", tmp_path)
    assert (doc.kind, doc.text, doc.encoding) == ("md", "# 标题\n\n正文", "utf-8")


def test_newlines_are_normalised(tmp_path):
    (tmp_path / "r.txt").write_bytes("一\r\n二\r三\n四".encode("utf-8"))
    assert load_file(tmp_path / "r.txt", tmp_path).text == "一\n二\n三\n四"


def test_binary_junk_named_txt():
    assert load_error(DATA / "junk.txt", DATA).reason.startswith("不是文本文件")


@pytest.mark.parametrize("data", [b"", b" \r\n\t ", "\u3000\n".encode("utf-16"), "\n\n".encode("gbk")])
def test_empty_or_blank_text(tmp_path, data):
    (tmp_path / "empty.txt").write_bytes(data)
    assert "文件为空" in load_error(tmp_path / "empty.txt", tmp_path).reason


def test_empty_fixture():
    assert "文件为空" in load_error(DATA / "empty.txt", DATA).reason


def test_cut_off_last_character_is_tolerated_with_a_warning(tmp_path):
    (tmp_path / "r.txt").write_bytes((SEED_TEXT + "报").encode("utf-8")[:-1])  # download cut short
    doc = load_file(tmp_path / "r.txt", tmp_path)
    assert doc.encoding == "utf-8" and doc.text.endswith("\ufffd")
    assert len(doc.warnings) == 1 and "无法识别" in doc.warnings[0]


def test_a_stray_byte_in_a_long_file_is_tolerated_with_a_warning(tmp_path):
    long_text = SEED_TEXT * 5
    data = long_text.encode("gbk")
    middle = data.index("二、创新经验".encode("gbk"), len(data) // 2)
    (tmp_path / "r.txt").write_bytes(data[:middle] + b"\xff" + data[middle:])
    doc = load_file(tmp_path / "r.txt", tmp_path)
    assert doc.encoding == "gb18030" and doc.text.replace("\ufffd", "", 1) == long_text
    assert "1 处字符无法识别" in doc.warnings[0]


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet=sorted(set(SEED_TEXT) - {"\n"}) + ["\n"], min_size=20, max_size=300),
       codec=st.sampled_from(["utf-8", "utf-8-sig", "gbk", "utf-16", "utf-16-le", "utf-16-be"]))
def test_report_characters_round_trip_in_every_encoding(text, codec):
    assert decode_text(text.encode(codec)).text == text


def test_fifty_megabytes_load_in_linear_time(tmp_path):
    block = SEED_TEXT.replace("\n", "\r\n").encode("gbk")
    with open(tmp_path / "big.txt", "wb") as handle:
        for _ in range(50 * 2**20 // len(block) + 1):
            handle.write(block)
    started = time.perf_counter()
    doc = load_file(tmp_path / "big.txt", tmp_path)
    assert time.perf_counter() - started < 30  # about 1 s here; quadratic work would take hours
    assert doc.encoding == "gb18030" and doc.text.startswith(SEED_TEXT) and "\r" not in doc.text


# --- PDF -----------------------------------------------------------------------------------------

def test_two_page_pdf_pages_and_offsets():
    doc = load("two_pages.pdf")
    assert doc.kind == "pdf" and doc.warnings == []
    assert len(doc.page_starts) == 2
    assert doc.text.startswith("大桥瑶族乡2021年度法治政府工作报告")
    second = doc.text.index("(二）全面推进依法行政")
    assert doc.page_starts[1] == second
    assert doc.text[second - 2:second] == "\n\n"
    assert doc.page_at(0) == 1
    assert doc.page_at(doc.text.index("一、工作任务进展及成效")) == 1
    assert doc.page_at(second - 1) == 1
    assert doc.page_at(second) == 2
    assert doc.page_at(doc.text.index("二、创新经验及做法")) == 2


def test_pdf_with_a_scanned_page_warns_once():
    doc = load("scanned_page.pdf")
    assert "大桥瑶族乡" in doc.text and len(doc.page_starts) == 2
    assert len(doc.warnings) == 1
    assert "第 2 页" in doc.warnings[0] and "OCR" in doc.warnings[0]


def test_page_lists_are_compact():
    assert load_module._page_list([2, 3, 4, 7, 9, 10]) == "2–4、7、9–10"


def test_pdf_without_any_text_layer():
    assert "OCR" in load_error(DATA / "scanned_only.pdf", DATA).reason


def test_encrypted_pdf():
    assert "加密" in load_error(DATA / "encrypted.pdf", DATA).reason


def test_pdf_with_only_an_owner_password_opens():
    assert "大桥瑶族乡" in load("owner_password.pdf").text


def test_truncated_pdf():
    assert "损坏" in load_error(DATA / "truncated.pdf", DATA).reason


def test_html_page_saved_as_pdf(tmp_path):
    (tmp_path / "r.pdf").write_text("<html><body>404 Not Found</body></html>", encoding="utf-8")
    assert "损坏" in load_error(tmp_path / "r.pdf", tmp_path).reason


# --- DOCX ----------------------------------------------------------------------------------------

def test_docx_paragraphs_headings_and_table_in_order():
    doc = load("report.docx")
    assert doc.kind == "docx" and doc.encoding is None
    lines = doc.text.split("\n")
    assert lines[0] == "大桥瑶族乡2021年度法治政府工作报告"
    row = "行政复议：件数 3，备注 均已办结"  # a table row is read with its header row
    assert lines.index("一、工作任务进展及成效") < lines.index(row) < lines.index("二、创新经验及做法")
    assert doc.table_rows == {doc.text.index(row)}
    headings = {doc.text[offset:].split("\n")[0]: level for offset, level in doc.heading_starts.items()}
    assert headings == {
        "大桥瑶族乡2021年度法治政府工作报告": 0,  # Title
        "一、工作任务进展及成效": 1,
        "(一）加强组织领导 强化理论学习": 2,
        "二、创新经验及做法": 1,
    }
    for offset in doc.heading_starts:
        assert offset == 0 or doc.text[offset - 1] == "\n"


def test_docx_localised_and_outline_level_headings(tmp_path):
    document = docx.Document()
    document.styles.add_style("标题 2", WD_STYLE_TYPE.PARAGRAPH)
    custom = document.styles.add_style("报告一级", WD_STYLE_TYPE.PARAGRAPH)
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), "0")
    custom.element.get_or_add_pPr().append(outline)
    document.add_paragraph("一、工作成效", style="报告一级")
    document.add_paragraph("（一）组织领导", style="标题 2")
    direct = document.add_paragraph("（二）依法行政")
    outline = OxmlElement("w:outlineLvl")
    outline.set(qn("w:val"), "1")
    direct._p.get_or_add_pPr().append(outline)
    document.add_paragraph("正文。")
    document.save(tmp_path / "r.docx")
    doc = load_file(tmp_path / "r.docx", tmp_path)
    assert doc.text == "一、工作成效\n（一）组织领导\n（二）依法行政\n正文。"
    assert doc.heading_starts == {0: 1, 7: 2, 15: 2}


def test_docx_line_breaks_tabs_and_hyperlink_text(tmp_path):
    document = docx.Document()
    paragraph = document.add_paragraph("甲\t乙")
    paragraph.add_run().add_break()
    paragraph.add_run("丙")
    document.save(tmp_path / "r.docx")
    assert load_file(tmp_path / "r.docx", tmp_path).text == "甲\t乙\n丙"


def _docx_with_table(path: Path, rows: list[tuple[str, ...]], before: str = "全年开展普法活动情况如下") -> Path:
    document = docx.Document()
    document.add_paragraph(before)
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for row, values in zip(table.rows, rows):
        for cell, value in zip(row.cells, values):
            cell.text = value
    document.add_paragraph("（二）化解矛盾纠纷")
    document.save(path)
    return path


def test_docx_table_rows_are_read_with_their_header_each_on_its_own_line(tmp_path):
    path = _docx_with_table(tmp_path / "r.docx", [("普法活动", "场次", "参与人数"), ("送法进村", "14", "1200 人"),
                                                  ("法治讲座", "6", "")])
    doc = load_file(path, tmp_path)
    assert doc.text.split("\n") == ["全年开展普法活动情况如下", "送法进村：场次 14，参与人数 1200人", "法治讲座：场次 6",
                                    "（二）化解矛盾纠纷"]
    assert doc.table_rows == {doc.text.index("送法进村"), doc.text.index("法治讲座")}


def test_docx_table_caption_row_and_sequence_column(tmp_path):
    path = _docx_with_table(tmp_path / "r.docx", [("2023年普法活动统计", "", ""), ("序号", "普法活动", "场次"),
                                                  ("1", "送法进村", "14"), ("2", "法治讲座", "6")])
    document = docx.Document(str(path))
    caption = document.tables[0].rows[0].cells
    caption[0].merge(caption[2])  # a caption spanning the table
    document.save(path)
    lines = load_file(path, tmp_path).text.split("\n")
    assert lines[1:4] == ["2023年普法活动统计", "送法进村：场次 14", "法治讲座：场次 6"]


def test_a_table_row_with_only_its_number_is_dropped_not_the_report():
    from indexer.tables import table_lines

    assert table_lines([["序号", "活动", "场次"], ["1", "送法进村", "14"], ["2"]]) == ["送法进村：场次 14"]


def test_docx_table_label_merged_down_labels_every_row_it_spans(tmp_path):
    path = _docx_with_table(tmp_path / "r.docx", [("普法活动", "对象", "场次"), ("送法进村", "村民", "14"),
                                                  ("", "学生", "6")])
    document = docx.Document(str(path))
    table = document.tables[0]
    table.cell(1, 0).merge(table.cell(2, 0))
    document.save(path)
    lines = load_file(path, tmp_path).text.split("\n")
    assert lines[1:3] == ["送法进村：对象 村民，场次 14", "送法进村：对象 学生，场次 6"]


def test_docx_one_column_or_one_row_tables_keep_their_cells(tmp_path):
    path = _docx_with_table(tmp_path / "a.docx", [("全镇共聘请法律顾问2名。",), ("审查合同23份。",)])
    assert load_file(path, tmp_path).text.split("\n")[1:3] == ["全镇共聘请法律顾问2名。", "审查合同23份。"]
    path = _docx_with_table(tmp_path / "b.docx", [("送法进村", "14场")])
    assert load_file(path, tmp_path).text.split("\n")[1] == "送法进村 14场"


def _tiny_png() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0\0")) + chunk(b"IEND", b"")


def test_docx_with_only_a_scanned_image(tmp_path):
    (tmp_path / "scan.png").write_bytes(_tiny_png())
    document = docx.Document()
    document.add_picture(str(tmp_path / "scan.png"))
    document.save(tmp_path / "r.docx")
    assert "OCR" in load_error(tmp_path / "r.docx", tmp_path).reason


def test_empty_docx(tmp_path):
    docx.Document().save(tmp_path / "r.docx")
    assert "文件为空" in load_error(tmp_path / "r.docx", tmp_path).reason


def test_corrupt_docx():
    assert "损坏" in load_error(DATA / "corrupt.docx", DATA).reason


def test_old_doc_renamed_to_docx(tmp_path):
    (tmp_path / "r.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    assert "另存为" in load_error(tmp_path / "r.docx", tmp_path).reason


# --- everything else -----------------------------------------------------------------------------

def test_unsupported_type_carries_the_conversion_hint(tmp_path):
    (tmp_path / "r.doc").write_bytes(b"\xd0\xcf\x11\xe0")
    reason = load_error(tmp_path / "r.doc", tmp_path).reason
    assert ".docx" in reason and "另存为" in reason


def test_missing_file(tmp_path):
    assert "无法读取" in load_error(tmp_path / "gone.txt", tmp_path).reason


def test_unexpected_library_errors_become_load_errors(tmp_path, monkeypatch):
    def explode(data):
        raise RuntimeError("boom")
    monkeypatch.setattr(load_module, "decode_text", explode)
    (tmp_path / "r.txt").write_text("正文", encoding="utf-8")
    assert "RuntimeError" in load_error(tmp_path / "r.txt", tmp_path).reason


@pytest.mark.parametrize("name", ["two_pages.pdf", "report.docx", "report_gbk.txt"])
def test_awkward_file_names(tmp_path, name):
    folder = tmp_path / "乡镇 报告（2021）"
    folder.mkdir()
    target = folder / f"附件1 大桥乡 (终稿)[1]{Path(name).suffix}"
    shutil.copy(DATA / name, target)
    doc = load_file(target, tmp_path)
    assert doc.source == f"乡镇 报告（2021）/附件1 大桥乡 (终稿)[1]{Path(name).suffix}"
    assert doc.path == target and "大桥瑶族乡" in doc.text


def test_every_fixture_loads_or_fails_cleanly():
    files, skipped = scan_corpus(DATA)
    assert skipped == [] and len(files) == len(list(DATA.iterdir()))
    loaded = failed = 0
    for path in files:
        try:
            load_file(path, DATA)
            loaded += 1
        except LoadError as error:
            assert error.reason
            failed += 1
    assert (loaded, failed) == (7, 6)
