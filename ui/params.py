"""The URL as shareable state: `?q=问题&township=李庄乡,彭堡镇&year=2020-2022&role=做法成效&mode=bm25&view=browse`.

Widgets are seeded from the URL whenever their state is missing (a new tab, or coming back from another
view), and the URL is rewritten from the widgets at the end of each run, so copying the address bar always
shares what is on screen. When the URL changes on its own (the browser's back and forward buttons rerun
the same session with the older URL), the URL wins and the widgets are seeded from it again.
List values are comma-separated, the same format `Filters.from_options` reads.
"""
from __future__ import annotations

import streamlit as st

from indexer.document import ROLES
from search import MODES, FilterError, Filters
from search.filters import parse_years
from ui.render import notice

VIEWS = {"ask": "问答检索", "checklist": "核查清单", "browse": "浏览报告", "corpus": "语料管理"}
MODE_LABELS = {"hybrid": "混合（推荐）", "dense": "语义", "bm25": "关键词"}
REPORT_KEYS = ("doc", "p", "s")

SEARCH_KEYS = ("q", "township", "county", "year", "role", "mode")
_WIDGET_KEYS = ("w_question", "w_townships", "w_counties", "w_years", "w_roles", "w_mode", "w_view")
_WRITTEN = "url_written"  # the URL as this session last wrote it
_LAST_SEARCH = "search_left"  # the search parameters of the ask page while another view is shown


def follow_url() -> None:
    """Call before any widget: if the URL is not the one this session wrote, it was navigated to (back or
    forward), so drop the widget state and let the widgets seed from the URL."""
    written = st.session_state.get(_WRITTEN)
    if written is not None and written != st.query_params.to_dict():
        for key in _WIDGET_KEYS:
            st.session_state.pop(key, None)
        st.session_state.pop(_WRITTEN)


def url_values(name: str) -> list[str]:
    """All values of a URL parameter, repeated keys and comma lists alike."""
    values = []
    for raw in st.query_params.get_all(name):
        values.extend(v.strip() for v in raw.replace("，", ",").split(",") if v.strip())
    return values


def url_value(name: str) -> str:
    return st.query_params.get(name, "") or ""


def view() -> str:
    if "w_view" not in st.session_state:
        wanted = url_value("view")
        st.session_state["w_view"] = wanted if wanted in VIEWS else "ask"
    return st.sidebar.radio("功能", list(VIEWS), format_func=VIEWS.get, key="w_view")


def question_widget() -> str:
    if "w_question" not in st.session_state:
        st.session_state["w_question"] = url_value("q")
    return st.text_input("问题", key="w_question", placeholder="例如：哪些乡镇聘请了法律顾问",
                         label_visibility="collapsed")


def example_widget(examples) -> None:
    """Example questions as pills; picking one fills in the question and runs it."""
    st.pills("示例问题", examples, key="w_example", on_change=_use_example, label_visibility="collapsed")


def _use_example() -> None:
    # A callback runs before the script, the one moment a widget's state may be changed.
    if st.session_state.get("w_example"):
        st.session_state["w_question"] = st.session_state["w_example"]
    st.session_state["w_example"] = None


def filter_sidebar(documents) -> tuple[Filters, str]:
    """Sidebar filter widgets over the indexed reports; returns the filters and the retrieval mode."""
    sidebar = st.sidebar
    sidebar.subheader("筛选")
    townships = sorted({d.township for d in documents if d.township})
    counties = sorted({d.county for d in documents if d.county})
    years = sorted({d.year for d in documents if d.year})
    _seed_choices("w_townships", "township", townships, "乡镇")
    _seed_choices("w_counties", "county", counties, "县区")
    _seed_choices("w_roles", "role", list(ROLES), "段落类型")
    chosen_townships = sidebar.multiselect("乡镇", townships, key="w_townships", placeholder="全部乡镇")
    chosen_counties = sidebar.multiselect("县区", counties, key="w_counties", placeholder="全部县区")
    year_from = year_to = None
    if len(years) >= 2:
        _seed_years(years)
        low, high = sidebar.slider("年度", years[0], years[-1], key="w_years")
        if (low, high) != (years[0], years[-1]):
            year_from, year_to = low, high
    elif years:
        sidebar.caption(f"年度：{years[0]}（索引中只有这一年）")
    roles = sidebar.multiselect("段落类型", list(ROLES), key="w_roles", placeholder="全部类型",
                                help="报告中的段落按所在部分分类：做法成效、问题不足、下一步计划、其他")
    if "w_mode" not in st.session_state:
        wanted = url_value("mode")
        st.session_state["w_mode"] = wanted if wanted in MODES else "hybrid"
    mode = sidebar.radio("检索方式", list(MODES), format_func=MODE_LABELS.get, key="w_mode",
                         help="混合：关键词与语义结合；语义：按意思匹配，措辞不同也能找到；关键词：按字面匹配。"
                              "乡镇汇总始终使用混合检索。")
    filters = Filters(townships=list(chosen_townships), counties=list(chosen_counties), year_from=year_from,
                      year_to=year_to, roles=list(roles))
    return filters, mode


def _seed_choices(key: str, url_name: str, options: list[str], label: str) -> None:
    """Seed a multiselect from the URL, or drop values the index no longer has (a multiselect refuses them)."""
    if key in st.session_state:
        st.session_state[key] = [v for v in st.session_state[key] if v in options]
        return
    chosen, unknown = [], []
    for wanted in url_values(url_name):
        # Same rule as the search filters: "李庄" means 李庄乡, "蓟州" means 蓟州区.
        match = next((o for o in options if o == wanted), None) or next(
            (o for o in options if len(wanted) >= 2 and o.startswith(wanted)), None)
        if match is None:
            unknown.append(wanted)
        elif match not in chosen:
            chosen.append(match)
    if unknown:
        notice(f"链接中的{label}“{'、'.join(unknown)}”不在索引中，已忽略。", "warning")
    st.session_state[key] = chosen


def _seed_years(years: list[int]) -> None:
    low, high = years[0], years[-1]
    if "w_years" in st.session_state:
        old_low, old_high = st.session_state["w_years"]
        st.session_state["w_years"] = (min(max(old_low, low), high), max(min(old_high, high), low))
        return
    wanted = url_value("year")
    value = (low, high)
    if wanted:
        try:
            first, last = parse_years(wanted)
            value = (min(max(first or low, low), high), max(min(last or high, high), low))
        except FilterError as error:
            notice(f"链接中的{error}，已忽略年度筛选。", "warning")
    st.session_state["w_years"] = value


def search_params(question: str, filters: Filters, mode: str) -> dict[str, str]:
    """The URL parameters of a search as shown on the ask page (defaults left out)."""
    wanted: dict[str, str] = {}
    if question.strip():
        wanted["q"] = question.strip()
    if filters.townships:
        wanted["township"] = ",".join(filters.townships)
    if filters.counties:
        wanted["county"] = ",".join(filters.counties)
    if filters.year_from is not None:
        wanted["year"] = f"{filters.year_from}-{filters.year_to}"
    if filters.roles:
        wanted["role"] = ",".join(filters.roles)
    if mode != "hybrid":
        wanted["mode"] = mode
    return wanted


def sync_url(search: dict[str, str] | None) -> None:
    """Rewrite the URL from the widgets, only when it changed so the browser history stays clean. Each view
    keeps only its own parameters: `search` None (pages without the search widgets) drops the search from the
    URL and keeps it in the session, so coming back to the ask page restores it (restore_search)."""
    current = st.query_params.to_dict()
    if search is None:
        left = {k: v for k, v in current.items() if k in SEARCH_KEYS}
        if left:
            st.session_state[_LAST_SEARCH] = left
        wanted = {}
    else:
        wanted = dict(search)
    if st.session_state.get("w_view", "ask") != "ask":
        wanted["view"] = st.session_state["w_view"]
    if wanted != current:
        st.query_params.from_dict(wanted)
    st.session_state[_WRITTEN] = wanted


def restore_search() -> None:
    """Call on the ask page before its widgets: back from another view, the search left there comes back
    (into the URL, from which the widgets seed)."""
    last = st.session_state.pop(_LAST_SEARCH, None)
    if last and not any(k in st.query_params for k in SEARCH_KEYS) and "w_question" not in st.session_state:
        st.query_params.update(last)


def leave_report() -> None:
    """Button callback: drop the deep-link parameters, back to the main views."""
    for key in REPORT_KEYS:
        if key in st.query_params:
            del st.query_params[key]
