"""Streamlit UI pieces for app.py, one job per module.

    state    configuration, the shared Searcher, first-start build
    params   the URL (st.query_params) as shareable state: question, filters, view, deep links
    render   safe HTML: escaping, highlighting, source links, the stylesheet
    ask      question page: township answer, ranked passages, similar practices, export
    export   CSV and Markdown of the current results
    report   one report, scrolled to a cited paragraph
    browse   table of all reports
    corpus   upload page; uploads saves files, jobs runs index builds in the background
"""
