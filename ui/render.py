"""Safe HTML for report text: every piece of data is escaped before markup is added around it.

Report text, file names, questions and metadata are data, never markup: a report containing `<script>` or
`<b>` must show those characters. So highlighting escapes each segment first and only then wraps the
spans in <mark>; nothing here ever passes unescaped data to st.html.
"""
from __future__ import annotations

import html
from urllib.parse import urlencode

import streamlit as st

from search.highlight import merge_spans
from search.render import page_label  # noqa: F401 (the pages' one spelling of a page range)

CSS = """
<style>
.rl-card {border: 1px solid #e5e7eb; border-radius: 8px; padding: 0.7rem 0.9rem; margin: 0.2rem 0 0.3rem 0;
          background: #fff;}
.rl-head {font-size: 0.95rem; margin-bottom: 0.25rem;}
.rl-score {float: right;}
.rl-rank {display: inline-block; min-width: 1.6em; font-weight: 600; color: #6b7280;}
.rl-muted {color: #6b7280; font-size: 0.85rem;}
.rl-text {white-space: pre-wrap; line-height: 1.75; margin: 0.3rem 0;}
.rl-badge {display: inline-block; padding: 0 0.45em; border-radius: 4px; font-size: 0.78rem; margin-left: 0.3em;
           background: #eef2ff; color: #3730a3;}
.rl-badge.done {background: #dcfce7; color: #166534;}
.rl-badge.planned {background: #fef9c3; color: #854d0e;}
.rl-badge.mentioned {background: #f3f4f6; color: #374151;}
.rl-badge.weak {background: #ffedd5; color: #9a3412;}
.rl-summary {font-size: 1.05rem; padding: 0.6rem 0.9rem; border-left: 4px solid #2563eb; background: #eff6ff;
             border-radius: 4px; margin-bottom: 0.6rem;}
.rl-similar {border-left: 3px solid #c7d2fe; padding-left: 0.8rem; margin: 0 0 0.8rem 1rem;}
mark.rl-hl {background: #fde68a; padding: 0 1px; border-radius: 2px;}
mark.rl-ev {background: #fde68a; padding: 0 1px;}
mark.rl-cite {background: #fef3c7; box-shadow: 0 0 0 2px #f59e0b; border-radius: 2px;}
mark.rl-focus {background: #fcd34d;}
h2.rl-title {font-size: 1.9rem; font-weight: 700; line-height: 1.3; margin: 0.4rem 0 0.2rem 0;}
.rl-doc p {white-space: pre-wrap; line-height: 1.85; margin: 0.35rem 0; scroll-margin-top: 5rem;}
.rl-doc h3, .rl-doc h4, .rl-doc h5 {margin: 1.1rem 0 0.4rem 0; scroll-margin-top: 5rem;}
.rl-doc .rl-page {color: #9ca3af; font-size: 0.8rem; border-top: 1px dashed #e5e7eb; margin-top: 0.8rem;}
.rl-doc .rl-cited {background: #fffbeb; border-left: 4px solid #f59e0b; padding-left: 0.6rem;}
.rl-note {padding: 0.65rem 0.9rem; border-radius: 6px; margin: 0.25rem 0; line-height: 1.6;}
.rl-note.info {background: #eff6ff; color: #1e3a8a;}
.rl-note.warning {background: #fffbeb; color: #78350f;}
.rl-note.error {background: #fef2f2; color: #7f1d1d;}
.rl-note.success {background: #f0fdf4; color: #14532d;}
/* Streamlit's uploader speaks English and states its own size limit; ours says the real limits in Chinese
   (ui/corpus.py): hide its instructions and relabel its button. */
[data-testid="stFileUploaderDropzoneInstructions"] {display: none;}
[data-testid="stFileUploaderDropzone"] button {font-size: 0;}
[data-testid="stFileUploaderDropzone"] button::after {content: "选择文件"; font-size: 0.95rem;}
[data-testid="stFileUploaderDropzone"] button span {display: none;}
.rl-outline a {text-decoration: none;}
.rl-outline div {margin: 0.15rem 0;}
</style>
"""


def inject_css() -> None:
    st.html(CSS)


def notice(text: str, kind: str = "info") -> None:
    """An alert box for messages that carry data (file names, paths, URL values). st.warning and friends
    render Markdown, where such data could turn into formatting or links; this shows it as typed."""
    notices([(text, kind)])


def notices(items: list[tuple[str, str]]) -> None:
    """Several alert boxes as one element, so a list of per-file results stays compact."""
    if items:
        st.html("".join(f'<div class="rl-note {escape(kind)}">{escape(text)}</div>' for text, kind in items))


def escape(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def highlight(text: str, spans, css_class: str = "rl-hl") -> str:
    """`text` as HTML with the [start, end) spans wrapped in <mark>; every segment escaped."""
    text = text or ""
    clean = [[max(0, int(s)), min(len(text), int(e))] for s, e in spans or []]
    pieces, position = [], 0
    for start, end in merge_spans([s for s in clean if s[0] < s[1]]):
        pieces.append(escape(text[position:start]))
        pieces.append(f'<mark class="{css_class}">{escape(text[start:end])}</mark>')
        position = end
    pieces.append(escape(text[position:]))
    return "".join(pieces)


def doc_href(doc_id: str, chunk_id: str | None = None, span: tuple[int, int] | None = None) -> str:
    """Relative deep link to a report, optionally to a cited chunk and a sentence span in the report text.
    Relative, so it works behind any host name or base path and when pasted into a new tab."""
    params = {"doc": doc_id}
    if chunk_id:
        params["p"] = chunk_id
    if span:
        params["s"] = f"{span[0]}-{span[1]}"
    return "?" + urlencode(params)


def link(href: str, label: str) -> str:
    return f'<a href="{escape(href)}" target="_self">{escape(label)}</a>'


def badge(label: str, css_class: str = "") -> str:
    return f'<span class="rl-badge {escape(css_class)}">{escape(label)}</span>'


def snippet(text: str, start: int, end: int, context: int = 50) -> tuple[str, list[list[int]]]:
    """A window of `text` around [start, end) with the span shifted into it; ellipses mark cut ends."""
    left, right = max(0, start - context), min(len(text), end + context)
    prefix = "…" if left > 0 else ""
    window = prefix + text[left:right] + ("…" if right < len(text) else "")
    shift = len(prefix) - left
    return window, [[start + shift, end + shift]]


def section_label(section_path) -> str:
    return " › ".join(section_path) if section_path else "（无小节）"


UNTITLED = "（无标题）"
UNKNOWN = "（未识别）"
METADATA_HINT = ("“（无标题）”“（未识别）”：报告里没有写明，或没能自动识别。可在语料目录放一个 metadata.csv（UTF-8，表头 "
                 "file,township,county,year,title）补上，只填要补的字段，保存后更新索引。")


