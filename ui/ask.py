"""Ask page: the township answer on top, then ranked passages with highlights, similar practices, export."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from search import FilterError, Filters, QueryError, Searcher
from search.answer import WEAK_LABEL, others_label
from search.question import asks_how
from ui import export, params, state
from search.relevance import RELEVANT, any_relevant
from ui.render import badge, doc_href, escape, highlight, link, notice, page_label, section_label, snippet

EXAMPLES = ("哪些乡镇聘请了法律顾问", "信访矛盾怎么化解", "普法宣传有哪些做法", "哪些乡镇开展了行政执法培训",
            "存在哪些问题和不足")
TOP_K = 10
SIMILAR_K = 5


@dataclass
class Results:
    question: str
    answer: object  # search.answer.Answer
    hits: list


def show(searcher: Searcher, filters: Filters, mode: str) -> None:
    st.title(state.APP_TITLE)
    if not searcher.documents():
        st.info("索引中还没有报告。请到侧栏“语料管理”上传报告。")
        return
    field, button = st.columns([6, 1], vertical_alignment="bottom")
    with field:
        params.question_widget()
    with button:
        st.button("检索", type="primary", width="stretch")
    params.example_widget(EXAMPLES)
    question = st.session_state.get("w_question", "")
    if not question.strip():
        st.caption("输入问题后按回车，或点击上面的示例问题。问题与筛选条件会写入网址，复制网址即可分享。")
        return
    try:
        results = _results(searcher, question, filters, mode)
    except (QueryError, FilterError) as error:
        notice(str(error), "warning")
        return
    if asks_how(question):  # "怎么调解的": the paragraphs that say how come first, then who did it
        st.html(f'<div class="rl-summary">{escape(results.answer.answer)}</div>')
        _export(results, filters, mode)
        _passages(searcher, results, mode)
        _townships(results.answer)
        return
    st.html(f'<div class="rl-summary">{escape(results.answer.answer)}</div>')
    _townships(results.answer)
    _export(results, filters, mode)
    _passages(searcher, results, mode)


def _results(searcher: Searcher, question: str, filters: Filters, mode: str) -> Results:
    """Search once per question, filters and index version; reruns from other widgets reuse the result."""
    key = (searcher.token, question, repr(filters), mode)
    memo = st.session_state.get("ask_memo")
    if memo and memo[0] == key:
        return memo[1]
    with st.spinner("正在检索…"):
        answer = searcher.ask(question, filters, top_k=TOP_K)
        hits = answer.results if mode == "hybrid" else searcher.query(question, TOP_K, mode, filters)
    results = Results(question.strip(), answer, hits)
    st.session_state["ask_memo"] = (key, results)
    return results


def _townships(answer) -> None:
    done = [t for t in answer.townships if t.status == "done"]
    others = [t for t in answer.townships if t.status != "done"]
    # Whatever the form of the question, townships that did it are shown with their evidence, not folded away.
    if done:
        st.html("".join(_township_row(t, answer.status_labels) for t in done))
    if others:
        with st.expander(f"{others_label(answer.focus)}的乡镇（{len(others)} 个）"):
            st.html("".join(_township_row(t, answer.status_labels) for t in others))


def _township_row(township, labels: dict[str, str]) -> str:
    evidence = township.evidence[0]
    window, spans = snippet(evidence.text, evidence.sentence_start, evidence.sentence_end, context=40)
    href = doc_href(evidence.doc_id, evidence.id, (evidence.char_start, evidence.char_end))
    numbers = f"数字：{escape('、'.join(evidence.numbers))}　" if evidence.numbers else ""
    where = " ".join(p for p in (township.county, f"{township.year}年" if township.year else None) if p)
    return (f'<div class="rl-card"><div class="rl-head"><b>{escape(township.name)}</b> '
            f'<span class="rl-muted">{escape(where)}</span>{badge(labels[township.status], township.status)}'
            f'{badge(WEAK_LABEL, "weak") if township.weak else ""}'
            f'</div><div class="rl-text">{highlight(window, spans, "rl-ev")}</div>'
            f'<div class="rl-muted">{numbers}{link(href, f"查看原文 · {evidence.source} {page_label(evidence.page, evidence.page_end)}")}'
            f' · {escape(evidence.role)} · {escape(section_label(evidence.section_path))}</div></div>')


def _passages(searcher: Searcher, results: Results, mode: str) -> None:
    hits = results.hits
    # Townships found doing it mean the question is answered, whatever the passages' own figures; the
    # passages of another mode (results.hits) are judged by their own relevance.
    if hits and not (results.answer.done or any_relevant(hits)):
        st.subheader("相关段落")
        notice(f"没有找到明确回答这个问题的段落：检索到的段落相关度都低于 {RELEVANT}，"
               "报告中可能没有写到这件事。可以换个说法再试。", "info")
        if not st.toggle(f"显示最接近的段落（{len(hits)}）", key=f"closest-{results.question}"):
            return
    else:
        st.subheader(f"相关段落（{len(hits)}）")
    if mode != "hybrid":
        st.caption(f"段落按“{params.MODE_LABELS[mode]}”方式排序；乡镇汇总使用混合检索。")
    if not hits:
        st.info("没有找到相关段落。可以放宽筛选条件，或换个说法再试。")
        return
    for hit in hits:
        st.html(hit_card(hit))
        if st.toggle("相似做法", key=f"similar-{hit.id}", help="其他乡镇报告中描述类似做法的段落"):
            similar = searcher.similar(hit.id, other_townships=True, top_k=SIMILAR_K)
            if similar:
                st.html('<div class="rl-similar">' + "".join(hit_card(h) for h in similar) + "</div>")
            else:
                st.caption("其他乡镇的报告中没有找到相似段落。")


def hit_card(hit) -> str:
    terms = "、".join(hit.matched_terms) if hit.matched_terms else "无（按语义匹配）"
    where = " ".join(p for p in (hit.county, f"{hit.year}年" if hit.year else None) if p)
    source = link(doc_href(hit.doc_id, hit.id), f"查看原文 · {hit.source} {page_label(hit.page, hit.page_end)}")
    # Relevance (search.relevance) is one 0–1 scale for every question and mode; similar passages have none.
    score = "" if hit.relevance is None else f'<span class="rl-muted rl-score">相关度 {hit.relevance:.2f}</span>'
    return (f'<div class="rl-card"><div class="rl-head"><span class="rl-rank">{hit.rank}</span>'
            f'<b>{escape(hit.township or "（乡镇未识别）")}</b> <span class="rl-muted">{escape(where)}</span>'
            f'{badge(hit.role)}{score}</div>'
            f'<div class="rl-muted">{escape(section_label(hit.section_path))}</div>'
            f'<div class="rl-text">{highlight(hit.text, hit.highlights)}</div>'
            f'<div class="rl-muted">命中词：{escape(terms)}　{source}</div></div>')


def _export(results: Results, filters: Filters, mode: str) -> None:
    base_url = st.context.url
    conditions = _conditions(filters, mode)
    row = st.container(horizontal=True)
    # Deferred (callables): the files are built only when a button is clicked, not on every rerun.
    row.download_button("导出 CSV", lambda: export.to_csv(results.answer, results.hits, base_url),
                        file_name="检索结果.csv", mime="text/csv", on_click="ignore", icon=":material/download:")
    row.download_button(
        "导出 Markdown",
        lambda: export.to_markdown(results.question, results.answer, results.hits, conditions, base_url),
        file_name="检索结果.md", mime="text/markdown", on_click="ignore", icon=":material/description:")


def _conditions(filters: Filters, mode: str) -> list[str]:
    conditions = []
    if filters.townships:
        conditions.append("乡镇：" + "、".join(filters.townships))
    if filters.counties:
        conditions.append("县区：" + "、".join(filters.counties))
    if filters.year_from is not None:
        conditions.append(f"年度：{filters.year_from}–{filters.year_to}")
    if filters.roles:
        conditions.append("段落类型：" + "、".join(filters.roles))
    if mode != "hybrid":
        conditions.append("检索方式：" + params.MODE_LABELS[mode])
    return conditions
