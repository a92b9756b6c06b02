"""Browse page: all indexed reports in a filterable, sortable table; selecting one opens the report view."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from search import Searcher
from ui.render import METADATA_HINT, UNKNOWN, UNTITLED, doc_href


def show(searcher: Searcher) -> None:
    st.header("浏览报告")
    documents = searcher.documents()
    if not documents:
        st.info("索引中还没有报告。请到侧栏“语料管理”上传报告。")
        return
    search_column, county_column, year_column = st.columns([3, 2, 2])
    needle = search_column.text_input("查找", placeholder="乡镇、县区、标题或文件名", key="browse_text").strip()
    counties = county_column.multiselect("县区", sorted({d.county for d in documents if d.county}),
                                         placeholder="全部县区", key="browse_counties")
    years = year_column.multiselect("年度", sorted({d.year for d in documents if d.year}, reverse=True),
                                    placeholder="全部年度", key="browse_years")
    shown = [d for d in documents
             if (not needle or any(needle in (v or "") for v in (d.township, d.county, d.title, d.source)))
             and (not counties or d.county in counties) and (not years or d.year in years)]
    st.caption(f"共 {len(documents)} 份报告，显示 {len(shown)} 份。点击表头排序；选中一行或点“阅读”打开报告。")
    table = pd.DataFrame({
        "乡镇": [d.township or UNKNOWN for d in shown],
        "县区": [d.county or UNKNOWN for d in shown],
        "年度": [d.year for d in shown],
        "标题": [d.title or UNTITLED for d in shown],
        "段落块": [d.chunks for d in shown],
        "警告": ["；".join(d.warnings) for d in shown],
        "文件": [d.source for d in shown],
        "打开": [doc_href(d.doc_id) for d in shown],
    })
    event = st.dataframe(
        table, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row", key="browse_table",
        column_config={
            "年度": st.column_config.NumberColumn("年度", format="%d"),
            "警告": st.column_config.TextColumn("警告", help="建立索引时发现的问题，如需人工核对的元数据"),
            "打开": st.column_config.LinkColumn("打开", display_text="阅读"),
        })
    if any(not (d.title and d.township and d.county and d.year) for d in shown):
        st.caption(METADATA_HINT)
    rows = event.selection.rows if event is not None else []
    if rows:
        st.query_params["doc"] = shown[rows[0]].doc_id
        st.rerun()
