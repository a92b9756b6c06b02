"""The app's plain helpers, without Streamlit: safe highlighting, report HTML, uploads, exports."""
from __future__ import annotations

import csv
import io

from indexer.store import ParagraphRecord
from search import Hit
from search.answer import Answer, Evidence, TownshipAnswer
from ui.export import CSV_COLUMNS, to_csv, to_markdown
from ui.render import highlight, snippet
from ui.report import document_html
from ui.uploads import safe_name, save_uploads


def test_highlight_escapes_every_segment_before_marking():
    text = '<script>alert("x")</script>聘请法律顾问<b>'
    start = text.index("法律顾问")
    out = highlight(text, [[start, start + 4], [start + 2, start + 4], [-5, 2], [90, 99]])
    assert out.startswith('<mark class="rl-hl">&lt;s</mark>cript&gt;alert(&quot;x&quot;)')
    assert '<mark class="rl-hl">法律顾问</mark>&lt;b&gt;' in out
    assert "<script>" not in out and "<b>" not in out


def test_snippet_shifts_the_span_into_its_window():
    text = "甲" * 100 + "关键句。" + "乙" * 100
    window, spans = snippet(text, 100, 104, context=10)
    assert window.startswith("…") and window.endswith("…")
    assert window[spans[0][0]:spans[0][1]] == "关键句。"


def test_document_html_anchors_paragraphs_and_marks_the_cited_sentence():
    text = "标题\n一、做法\n第一句。<b>第二句</b>。\n尾段。"
    body_start, tail_start = text.index("第一句"), text.index("尾段")
    paragraphs = [ParagraphRecord("d", 0, 0, 2, 0, None, [], "其他", 1),
                  ParagraphRecord("d", 1, 3, 7, 1, "做法", ["做法"], "做法成效", 1),
                  ParagraphRecord("d", 2, body_start, tail_start - 1, 0, None, ["做法"], "做法成效", 1),
                  ParagraphRecord("d", 3, tail_start, len(text), 0, None, ["做法"], "做法成效", 2)]
    sentence = (text.index("<b>"), text.index("。\n尾"))
    body, target = document_html(text, paragraphs, cite=(body_start, tail_start - 1), sentence=sentence,
                                 show_pages=True)
    assert target == 2
    assert '<h3 id="para-1">一、做法</h3>' in body
    assert '<p id="para-2" class="rl-cited">第一句。<mark class="rl-focus">&lt;b&gt;第二句&lt;/b&gt;</mark>。</p>' in body
    assert '<div class="rl-page">第 2 页</div><p id="para-3">尾段。</p>' in body


def test_safe_name_strips_folders_reserved_characters_and_hidden_prefixes():
    assert safe_name("../../etc/passwd.txt") == "passwd.txt"
    assert safe_name("C:\\Users\\报告.DOCX") == "报告.docx"
    assert safe_name('a<b>:"c|d?*.md') == "a_b___c_d__.md"
    assert safe_name(".hidden.txt") == "hidden.txt" and safe_name("~$锁.docx") == "锁.docx"
    assert safe_name(".txt") == "txt" and safe_name("") == "未命名报告"
    long = safe_name("很长" * 200 + ".pdf")
    assert long.endswith(".pdf") and len(long.encode("utf-8")) <= 180


def test_save_uploads_never_overwrites_silently_or_stores_duplicates(tmp_path):
    (tmp_path / "报告.txt").write_text("旧内容", encoding="utf-8")
    saved = save_uploads([("报告.txt", "新内容".encode()), ("报告.txt", "第三版".encode()),
                          ("同样.txt", "旧内容".encode()), ("图.jpg", b"\xff\xd8"), ("空.txt", b"")], tmp_path,
                         indexed={})
    assert [s.source for s in saved] == ["报告(2).txt", "报告(3).txt", "同样.txt", None, None]
    assert (tmp_path / "报告.txt").read_text(encoding="utf-8") == "旧内容"
    assert "OCR" in saved[3].message and "空" in saved[4].message
    again = save_uploads([("报告.txt", "旧内容".encode())], tmp_path)
    assert not again[0].saved and "已有相同" in again[0].message
    replaced = save_uploads([("报告.txt", "改正版".encode())], tmp_path, overwrite=True)
    assert replaced[0].saved and (tmp_path / "报告.txt").read_text(encoding="utf-8") == "改正版"
    assert not list(tmp_path.glob(".upload-*"))


def _results():
    hit = Hit(rank=1, id="d1-0001", score=0.9, text="=1+2 聘请<b>法律顾问</b>", source="a.txt", doc_id="d1", title=None,
              township="甲乡", county="乙县", year=2021, section_path=["一、做法"], role="做法成效", page=1,
              char_start=10, char_end=30, page_end=2, relevance=0.85)
    evidence = Evidence("d1-0001", "a.txt", "d1", hit.text, "聘请<b>法律顾问</b>", 5, 20, 15, 30, 0.8, 1.0, [],
                        "做法成效", ["一、做法"], 1)
    answer = Answer("哪些乡镇聘请了法律顾问", "townships", "共 1 个乡镇", [TownshipAnswer("甲乡", "乙县", 2021, "done", 0.8,
                                                                           [evidence])], [evidence], [hit])
    return answer, [hit]


def test_csv_export_opens_in_excel_and_cannot_run_formulas():
    answer, hits = _results()
    data = to_csv(answer, hits, "http://host:8501/")
    assert data.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[1][:3] == ["乡镇回答", "1", "甲乡"] and rows[1][-1] == "http://host:8501/?doc=d1&p=d1-0001&s=15-30"
    assert rows[2][0] == "检索段落" and rows[2][9].startswith("'=1+2")


def test_markdown_export_cites_sources_and_escapes_html():
    answer, hits = _results()
    text = to_markdown("<问题>", answer, hits, ["乡镇：甲乡"], None)
    assert "# 检索结果：&lt;问题&gt;" in text and "&lt;b&gt;法律顾问&lt;/b&gt;" in text and "<b>" not in text
    assert "「聘请&lt;b&gt;法律顾问&lt;/b&gt;」[1]" in text
    assert "[2] a.txt，第1–2页，字符 10–30：<?doc=d1&p=d1-0001>" in text
    assert "｜相关度 0.85 [2]" in text


def test_exports_show_the_comparable_relevance_and_both_pages():
    """相关度 is search.relevance's 0–1 figure (a hit's) or the evidence sentence's cover, not a mode's score."""
    answer, hits = _results()
    rows = list(csv.reader(io.StringIO(to_csv(answer, hits).decode("utf-8-sig"))))
    column, pages = CSV_COLUMNS.index("相关度"), CSV_COLUMNS.index("页码")
    assert rows[1][column] == "1.00" and rows[2][column] == "0.85"
    assert rows[1][pages] == "1" and rows[2][pages] == "1–2"


def test_save_uploads_refuses_what_the_build_would_skip_for_size(tmp_path):
    big_text = "法治".encode("utf-8") * (6 * 1024 * 1024 // 6 * 2 + 1)  # just over 10 MB
    pdf = b"%PDF-1.4 " + b"0" * (11 * 1024 * 1024)  # PDFs may be larger
    saved = save_uploads([("合订本.txt", big_text), ("大.pdf", pdf)], tmp_path)
    assert not saved[0].saved and "10 MB" in saved[0].message and not (tmp_path / "合订本.txt").exists()
    assert saved[1].saved


def test_upload_limits_are_stated_in_chinese_with_the_real_figures():
    from ui.corpus import UPLOAD_LIMITS
    from ui.render import CSS

    assert "10 MB" in UPLOAD_LIMITS and "200 MB" in UPLOAD_LIMITS
    assert "stFileUploaderDropzoneInstructions" in CSS and "选择文件" in CSS
