"""Report view for deep links `?doc=<doc_id>&p=<chunk_id>[&s=<start>-<end>]`.

The whole report, section by section with an anchor on every paragraph, opened at the cited chunk, which
is highlighted (and, with `s`, the cited sentence within it). Only documents in the index resolve, and the
original file is offered for download only from inside the corpus folder.
"""
from __future__ import annotations

import re

import streamlit as st

from search import Searcher
from ui import params
from ui.render import METADATA_HINT, UNKNOWN, UNTITLED, escape, highlight, notice, page_label
from ui.state import Config, corpus_file

_HEADING_MAX = 40  # characters; longer heading paragraphs are run-in headings
_HEAD_END = re.compile(r"[。；;：:！!？?]")
_MIMES = {"txt": "text/plain", "md": "text/markdown", "pdf": "application/pdf",
          "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
# Scrolls once per page load to the cited paragraph. Only an integer-derived id is put into it, never data.
_SCROLL = """<script>
(function () {
  var id = "%s";
  if (window.__rlScrolled === location.search + id) return;
  var tries = 0;
  (function go() {
    var el = document.getElementById(id);
    if (el) { el.scrollIntoView({block: "center"}); window.__rlScrolled = location.search + id; }
    else if (tries++ < 40) { setTimeout(go, 100); }
  })();
})();
</script>"""


def show(searcher: Searcher, cfg: Config) -> None:
    st.button("← 返回", on_click=params.leave_report)
    doc_id, chunk_id = params.url_value("doc").strip(), params.url_value("p").strip()
    chunk = searcher.chunk(chunk_id) if chunk_id else None
    if not doc_id and chunk is not None:
        doc_id = chunk.doc_id  # a link with only the paragraph still finds its report
    document = searcher.document(doc_id) if doc_id else None
    if document is None:
        st.title("未找到该文档")
        st.info("链接指向的报告不在当前索引中：可能已从语料中移除，或链接不完整。可以在“浏览报告”中查找。")
        return
    if chunk is not None and chunk.doc_id != document.doc_id:
        chunk = None
    if chunk_id and chunk is None:
        notice("链接中的段落在这份报告中未找到，下面显示报告全文。", "warning")
    paragraphs = searcher.paragraphs(document.doc_id)
    _header(document, cfg)
    if chunk is not None and document.pages > 1:
        st.caption(f"引用的段落在{page_label(chunk.page, chunk.page_end)}。")
    cite = (chunk.char_start, chunk.char_end) if chunk is not None else None
    body, target = document_html(document.text, paragraphs, cite, _sentence(params.url_value("s"), cite),
                                 document.pages > 1)
    _outline(document.text, paragraphs)
    st.html(body)
    if target is not None:
        st.html(_SCROLL % f"para-{int(target)}", unsafe_allow_javascript=True)


def _header(document, cfg: Config) -> None:
    # The title is report text: escaped HTML, since st.header would read it as Markdown.
    title = document.title or f"{UNTITLED} {document.source}"
    st.html(f'<h2 class="rl-title">{escape(title)}</h2>')
    facts = [("乡镇", document.township or UNKNOWN), ("县区", document.county or UNKNOWN),
             ("年度", document.year or UNKNOWN),
             ("落款日期", document.signed), ("文件", document.source), ("页数", document.pages if document.pages > 1
                                                                      else None), ("段落块", document.chunks)]
    st.html('<div class="rl-muted">' + "　".join(f"{label}：{escape(value)}" for label, value in facts
                                                 if value not in (None, "")) + "</div>")
    if not (document.title and document.township and document.county and document.year):
        st.caption(METADATA_HINT)
    for warning in document.warnings:
        notice(warning, "warning")
    path = corpus_file(cfg, document)
    if path is None:
        st.caption("原文件不在语料目录中，无法下载。")
    else:
        # Deferred: the file is read only when the button is clicked, not on every rerun.
        st.download_button("下载原文件", path.read_bytes, file_name=path.name,
                           mime=_MIMES.get(document.kind, "application/octet-stream"), on_click="ignore",
                           icon=":material/download:")


def _sentence(value: str, cite: tuple[int, int] | None) -> tuple[int, int] | None:
    """The `s` parameter as a span inside the cited chunk; anything else is ignored."""
    match = re.fullmatch(r"(\d{1,9})-(\d{1,9})", value or "")
    if not match or cite is None:
        return None
    start, end = max(int(match.group(1)), cite[0]), min(int(match.group(2)), cite[1])
    return (start, end) if start < end else None


def document_html(text: str, paragraphs, cite: tuple[int, int] | None = None,
                  sentence: tuple[int, int] | None = None, show_pages: bool = False) -> tuple[str, int | None]:
    """The report as escaped HTML, one element per paragraph with id "para-<seq>"; returns it and the seq of
    the first cited paragraph. Paragraphs overlapping `cite` get a side bar; the marked text is `sentence`
    when given, else the cited span itself."""
    mark = sentence or cite
    parts, target, page = ['<div class="rl-doc">'], None, 1
    for paragraph in paragraphs:
        if show_pages and paragraph.page != page:
            page = paragraph.page
            parts.append(f'<div class="rl-page">第 {int(page)} 页</div>')
        start, end = paragraph.char_start, paragraph.char_end
        cited = cite is not None and start < cite[1] and cite[0] < end
        spans = [[mark[0] - start, mark[1] - start]] if mark and start < mark[1] and mark[0] < end else []
        if cited and target is None:
            target = paragraph.seq
        # A heading that runs on into its paragraph ("（一）创新工作载体。大桥瑶族乡…") reads as body text.
        is_heading = paragraph.level and end - start <= _HEADING_MAX
        tag = f"h{min(paragraph.level + 2, 5)}" if is_heading else "p"
        css = ' class="rl-cited"' if cited else ""
        inner = highlight(text[start:end], spans, "rl-focus" if sentence else "rl-cite")
        parts.append(f'<{tag} id="para-{int(paragraph.seq)}"{css}>{inner}</{tag}>')
    parts.append("</div>")
    return "".join(parts), target


def _outline(text: str, paragraphs) -> None:
    headings = [p for p in paragraphs if p.level]
    st.sidebar.subheader("目录")
    if not headings:
        st.sidebar.caption("这份报告没有识别出小标题。")
        return
    rows = []
    for paragraph in headings:
        title = _HEAD_END.split(text[paragraph.char_start:paragraph.char_end].strip(), 1)[0]
        title = title if len(title) <= 28 else title[:28] + "…"
        indent = 0.9 * (paragraph.level - 1)
        rows.append(f'<div style="padding-left:{indent:.1f}em"><a href="#para-{int(paragraph.seq)}">'
                    f'{escape(title)}</a></div>')
    st.sidebar.html('<div class="rl-outline">' + "".join(rows) + "</div>")
