"""The 核查清单 page: run a checklist over every report, review the doubtful cells, download the table.

A reviewer's pass: tick 只看待核对, then per cell one click (确认 or 否定), which records the review and moves to
the next doubtful cell. A 未发现 or 可能相关 cell can be given evidence found by searching that report.
"""
from __future__ import annotations

import streamlit as st

from search import Filters
from search.checklist import DEFAULT_CHECKLIST, ChecklistError, load_checklist, parse_checklist, run_checklist
from search.export_table import COLOURS, REVIEW_LABELS, STATUS_LABELS, cell_kind, report_link, to_csv, to_xlsx
from search.reviews import ReviewError, ReviewStore
from ui.render import doc_href, escape, highlight, link, notice

DOUBTFUL = {"weak", "candidate"}
_MATRIX = "ck_matrix"
_POSITION = "ck_position"


def show(searcher) -> None:
    st.subheader("核查清单")
    st.caption("用一份问题清单逐项检查每份报告，逐格核对，导出乡镇 × 项目的表格。清单为 CSV（id,question 两列）"
               "或每行一个问题的 TXT。")
    checklist = _pick_checklist()
    store = ReviewStore.beside(searcher.index_dir)
    if checklist is not None and st.button("运行核查", type="primary", key="ck_run"):
        bar = st.progress(0.0, text="准备中…")

        def progress(done, total, item):
            bar.progress(done / total, text=f"[{done}/{total}] 第 {item.id} 项")  # the text is Markdown

        st.session_state[_MATRIX] = run_checklist(searcher, checklist, reviews=store, progress=progress)
        st.session_state[_POSITION] = 0
        bar.empty()
    matrix = st.session_state.get(_MATRIX)
    if matrix is None:
        return
    st.caption(f"{len(matrix.checklist.items)} 项 × {len(matrix.townships)} 份报告，用时 {matrix.seconds:.1f} 秒。")
    _legend()
    st.html(_matrix_html(matrix))
    _review_panel(searcher, matrix, store)
    _downloads(matrix)


def _pick_checklist():
    choice = st.radio("清单", ["自带清单", "上传清单"], horizontal=True, key="ck_source",
                      label_visibility="collapsed")
    try:
        if choice == "自带清单":
            return load_checklist(DEFAULT_CHECKLIST)
        upload = st.file_uploader("上传核查清单（.csv 或 .txt）", type=["csv", "txt"], key="ck_upload")
        return parse_checklist(upload.getvalue(), upload.name) if upload is not None else None
    except ChecklistError as error:
        notice(str(error), "error")
        return None


def _legend() -> None:
    st.html('<div class="ck-legend">' + "".join(
        f'<span class="ck-cell" style="background:#{COLOURS[kind]}">{escape(label)}</span>'
        for kind, label in STATUS_LABELS.items()) + "　✓ 已确认　✗ 已否定　! 报告已变</div>")


def _matrix_html(matrix) -> str:
    by_key = {(c.indicator, c.township, c.year): c for c in matrix.cells}
    marks = {"confirmed": "✓", "rejected": "✗", "stale": "!"}
    head = "".join(f'<th title="{escape(i.question)}">{escape(i.id)}</th>' for i in matrix.checklist.items)
    rows = []
    for township in matrix.townships:
        cells = []
        for item in matrix.checklist.items:
            cell = by_key[(item.id, township["name"], township["year"])]
            kind = cell_kind(cell)
            cells.append(f'<td class="ck-cell ck-{kind}" style="background:#{COLOURS[kind]}" '
                         f'title="{escape(item.question)}">{escape(STATUS_LABELS[kind])}'
                         f'{marks.get(cell.review, "")}</td>')
        rows.append(f'<tr><th>{escape(township["name"])} {township["year"] or ""}</th>{"".join(cells)}</tr>')
    return ('<div class="ck-matrix" style="overflow:auto;max-height:28rem"><table style="font-size:0.8rem">'
            f'<tr><th>乡镇</th>{head}</tr>{"".join(rows)}</table></div>')


def _review_panel(searcher, matrix, store: ReviewStore) -> None:
    st.markdown("#### 逐格核对")
    only_doubtful = st.checkbox("只看待核对", value=True, key="ck_doubtful",
                                help="依据较弱的“已做”（待核对）和“可能相关”的格子")
    questions = {i.id: i.question for i in matrix.checklist.items}
    cells = [c for c in matrix.cells if not only_doubtful or (cell_kind(c) in DOUBTFUL and c.review is None)
             or c.review == "stale"]
    if not cells:
        st.success("没有需要核对的格子了。")
        return
    position = min(st.session_state.get(_POSITION, 0), len(cells) - 1)
    row = st.container(horizontal=True)
    if row.button("上一个", key="ck_prev", disabled=position == 0):
        position -= 1
    if row.button("下一个", key="ck_next", disabled=position >= len(cells) - 1):
        position += 1
    labels = [f"{c.township} {c.year or ''} · {c.indicator}. {questions[c.indicator]}" for c in cells]
    position = st.selectbox("格子", range(len(cells)), index=position, format_func=labels.__getitem__,
                            key=f"ck_pick_{position}_{len(cells)}")
    st.session_state[_POSITION] = position
    cell = cells[position]
    status = STATUS_LABELS[cell_kind(cell)] + (f"（{REVIEW_LABELS[cell.review]}）" if cell.review else "")
    st.html(f"<div><b>{escape(cell.township)}</b> {cell.year or ''} · {escape(questions[cell.indicator])} · "
            f"{escape(status)}</div>")  # data as text: st.markdown would render Markdown in a question
    evidence = cell.evidence[0] if cell.evidence else None
    if evidence:
        st.html(_evidence_html(searcher, evidence))
    decide = st.container(horizontal=True)
    reviewer = st.session_state.get("ck_reviewer") or None
    if evidence and decide.button("确认", type="primary", key="ck_confirm"):
        _record(searcher, matrix, store, cell, "confirmed", evidence, reviewer)
    if decide.button("否定", key="ck_reject"):
        _record(searcher, matrix, store, cell, "rejected", evidence, reviewer)
    st.text_input("核对人（可选）", key="ck_reviewer")
    if not evidence or cell.status in ("candidate", "none", "mentioned", "planned"):
        _attach(searcher, matrix, store, cell, reviewer)


def _evidence_html(searcher, evidence: dict) -> str:
    """The evidence sentence in its paragraph, with the link into the report."""
    chunk = searcher.chunk(evidence["id"]) if evidence.get("id") else None
    if chunk is not None and evidence["sentence"] in chunk.text:
        start = chunk.text.index(evidence["sentence"])
        body = highlight(chunk.text, [[start, start + len(evidence["sentence"])]], "rl-ev")
    else:
        body = escape(evidence.get("sentence") or "")
    href = doc_href(evidence["doc_id"], evidence.get("id"), (evidence["char_start"], evidence["char_end"])) \
        if evidence.get("doc_id") and evidence.get("char_start") is not None else None
    source = link(href, f"查看原文 · {evidence['source']}") if href else escape(evidence.get("source") or "")
    return f'<div class="rl-card"><div class="rl-text">{body}</div><div class="rl-muted">{source}</div></div>'


def _attach(searcher, matrix, store, cell, reviewer) -> None:
    query = st.text_input("在该乡镇报告中查找依据", key=f"ck_find_{cell.indicator}_{cell.township}_{cell.year}",
                          placeholder="输入关键词，如：法律顾问")
    if not query.strip():
        return
    filters = Filters(townships=[cell.township], year_from=cell.year, year_to=cell.year)
    for hit in searcher.query(query, top_k=5, filters=filters):
        st.html(f'<div class="rl-card"><div class="rl-text">{escape(hit.text)}</div></div>')
        if st.button("以此段为依据确认", key=f"ck_attach_{hit.id}"):
            evidence = {"id": hit.id, "doc_id": hit.doc_id, "source": hit.source, "sentence": hit.text,
                        "char_start": hit.char_start, "char_end": hit.char_end}
            _record(searcher, matrix, store, cell, "confirmed", evidence, reviewer)


def _record(searcher, matrix, store, cell, decision: str, evidence: dict | None, reviewer) -> None:
    document = searcher.document_info(evidence["doc_id"]) if evidence and evidence.get("doc_id") else None
    if document is None:  # a cell without evidence: pin the review to the township's report
        document = next(d for d in searcher.documents()
                        if (d.township or f"（未识别乡镇：{d.source}）") == cell.township and d.year == cell.year)
    question = matrix.checklist.item(cell.indicator).question
    try:
        store.record(question, cell.township, cell.year, decision, doc_sha256=document.sha256,
                     source=document.source, char_start=(evidence or {}).get("char_start"),
                     char_end=(evidence or {}).get("char_end"), sentence=(evidence or {}).get("sentence"),
                     reviewer=reviewer)
    except ReviewError as error:
        notice(str(error), "error")
        return
    matrix.refresh_item(searcher, cell.indicator, store)
    st.rerun()  # the reviewed cell leaves the doubtful list: the same position is now the next cell


def _downloads(matrix) -> None:
    base_url = st.context.url

    def absolute(evidence):
        return report_link(evidence, base_url or "")

    row = st.container(horizontal=True)
    row.download_button("下载 Excel", lambda: to_xlsx(matrix, absolute), file_name="年度核查.xlsx",
                        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore",
                        icon=":material/download:", key="ck_xlsx")
    row.download_button("下载 CSV", lambda: to_csv(matrix, absolute), file_name="年度核查.csv", mime="text/csv",
                        on_click="ignore", icon=":material/download:", key="ck_csv")
