"""Streamlit entry: `streamlit run app.py`. Routing only; the pages live in ui/.

    ?q=问题&township=…&year=2020-2022   ask page with that search (shareable)
    ?doc=<doc_id>&p=<chunk_id>           report view at the cited paragraph
    ?view=browse | ?view=corpus          report table, upload page
    ?view=checklist                      年度核查 (ui/checklist.py)
"""
from __future__ import annotations

import logging

import streamlit as st

from ui import ask, browse, checklist, corpus, params, report, state
from ui.render import inject_css

log = logging.getLogger("app")


def main() -> None:
    st.set_page_config(page_title="法治政府建设报告检索", page_icon=":material/balance:", layout="wide")
    inject_css()
    cfg = state.config()
    searcher = state.get_searcher(cfg)
    if searcher is None:
        return
    if "doc" in st.query_params or "p" in st.query_params:
        report.show(searcher, cfg)
        return
    params.follow_url()
    view = params.view()
    if view == "ask":
        params.restore_search()
        filters, mode = params.filter_sidebar(searcher.documents())
        ask.show(searcher, filters, mode)
        # After the page: the question widget is seeded from the URL inside ask.show.
        params.sync_url(params.search_params(st.session_state.get("w_question", ""), filters, mode))
        return
    params.sync_url(None)
    if view == "checklist":
        checklist.show(searcher)
    elif view == "browse":
        browse.show(searcher)
    else:
        corpus.show(searcher, cfg)


try:
    main()
except Exception as error:  # st.stop/st.rerun are BaseExceptions and pass through
    # Users get a sentence they can act on instead of a traceback; the log keeps the details.
    log.exception("page failed")
    st.error(f"页面出错了（{type(error).__name__}）。请刷新页面重试；如果反复出现，请把出错时的网址告诉管理员。")
