"""The current results as CSV (for Excel/WPS) and as Markdown with numbered citations.

Every row and citation carries the report file, page, character span and a link back to the cited
paragraph, so an exported answer can be checked against its source.
"""
from __future__ import annotations

import csv
import html
import io
import time

from search.answer import WEAK_LABEL
from search.render import page_label, place
from ui.render import doc_href, section_label

CSV_COLUMNS = ["类型", "序号", "乡镇", "县区", "年度", "状态", "段落类型", "小节", "相关度", "内容", "来源文件", "页码",
               "字符起止", "链接"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def absolute(href: str, base_url: str | None) -> str:
    """Links in a downloaded file need the app's address; without it (tests) they stay relative."""
    return base_url.split("?")[0] + href if base_url else href


def to_csv(answer, hits, base_url: str | None = None) -> bytes:
    rows = [CSV_COLUMNS]
    for number, township in enumerate(answer.townships if answer else [], start=1):
        for evidence in township.evidence[:1]:
            href = doc_href(evidence.doc_id, evidence.id, (evidence.char_start, evidence.char_end))
            rows.append(["乡镇回答", number, township.name, township.county or "", township.year or "",
                         answer.status_labels.get(township.status, township.status)
                         + (f"（{WEAK_LABEL}）" if township.weak else ""), evidence.role,
                         section_label(evidence.section_path), f"{evidence.coverage:.2f}", evidence.sentence,
                         evidence.source, _pages(evidence.page, evidence.page_end), f"{evidence.char_start}-{evidence.char_end}",
                         absolute(href, base_url)])
    for hit in hits:
        rows.append(["检索段落", hit.rank, hit.township or "", hit.county or "", hit.year or "", "", hit.role,
                     section_label(hit.section_path), _relevance(hit), hit.text, hit.source,
                     _pages(hit.page, hit.page_end),
                     f"{hit.char_start}-{hit.char_end}", absolute(doc_href(hit.doc_id, hit.id), base_url)])
    buffer = io.StringIO()
    csv.writer(buffer).writerows([[_cell(value) for value in row] for row in rows])
    # The BOM makes Excel and WPS read the file as UTF-8 instead of the local code page.
    return buffer.getvalue().encode("utf-8-sig")


def _relevance(hit) -> str:
    """search.relevance's 0–1 figure, the one the app shows (the modes' own scores are not comparable)."""
    return "" if hit.relevance is None else f"{hit.relevance:.2f}"


def _pages(page: int, page_end: int) -> str:
    return str(page) if page_end in (0, page) else f"{page}–{page_end}"


def _cell(value) -> str:
    text = str(value)
    # A cell starting with = + - @ is run as a formula by spreadsheets; report text must stay text.
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_markdown(question: str, answer, hits, conditions: list[str], base_url: str | None = None) -> str:
    citations: list[str] = []

    def cite(source: str, pages: str, start: int, end: int, href: str) -> str:
        citations.append(f"[{len(citations) + 1}] {_md(source)}，{pages}，字符 {start}–{end}："
                         f"<{absolute(href, base_url)}>")
        return f"[{len(citations)}]"

    lines = [f"# 检索结果：{_md(question)}", "", f"- 导出时间：{time.strftime('%Y-%m-%d %H:%M')}",
             f"- 条件：{_md('；'.join(conditions)) if conditions else '无筛选'}", ""]
    if answer is not None:
        lines += ["## 回答", "", _md(answer.answer), ""]
        for status in ("done", "planned", "mentioned"):
            group = [t for t in answer.townships if t.status == status]
            if group:
                lines += [f"### {answer.status_labels[status]}", ""]
            for township in group:
                evidence = township.evidence[0]
                href = doc_href(evidence.doc_id, evidence.id, (evidence.char_start, evidence.char_end))
                mark = cite(evidence.source, page_label(evidence.page, evidence.page_end), evidence.char_start, evidence.char_end, href)
                check = f"（{WEAK_LABEL}）" if township.weak else ""
                lines.append(f"- **{_md(place(township.name, township.county, township.year))}**{check}："
                             f"「{_md(evidence.sentence)}」{mark}")
            if group:
                lines.append("")
    lines += ["## 相关段落", ""]
    if not hits:
        lines += ["（无）", ""]
    for hit in hits:
        mark = cite(hit.source, page_label(hit.page, hit.page_end), hit.char_start, hit.char_end,
                    doc_href(hit.doc_id, hit.id))
        relevance = f"｜相关度 {hit.relevance:.2f}" if hit.relevance is not None else ""
        lines += [f"{hit.rank}. {_md(place(hit.township, hit.county, hit.year))}｜{hit.role}｜"
                  f"{_md(section_label(hit.section_path))}{relevance} {mark}", "",
                  "   > " + _md(hit.text).replace("\n", " "), ""]
    lines += ["## 引用来源", ""] + [c + "  " for c in citations]
    return "\n".join(lines) + "\n"


def _md(text) -> str:
    # Entities render as the characters in any Markdown viewer, while raw HTML in a report would run.
    return html.escape("" if text is None else str(text), quote=False)
