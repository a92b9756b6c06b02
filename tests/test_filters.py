from types import SimpleNamespace

import numpy as np
import pytest

from search.filters import FilterColumns, FilterError, Filters, parse_years


def _columns():
    documents = [SimpleNamespace(doc_id="a", township="李庄乡", county="宝丰县", year=2023, source="001.txt"),
                 SimpleNamespace(doc_id="b", township="大桥瑶族乡", county=None, year=2021, source="sub/003.txt"),
                 SimpleNamespace(doc_id="c", township=None, county="蓟州区", year=2020, source="002.txt")]
    rows = np.array(["a", "a", "b", "c"], dtype=object)
    roles = np.array(["做法成效", "下一步计划", "做法成效", "问题不足"], dtype=object)
    return FilterColumns(rows, roles, documents)


def test_each_filter_selects_rows():
    columns = _columns()
    assert columns.mask(Filters()) is None
    assert list(columns.mask(Filters(townships=["李庄乡"]))) == [True, True, False, False]
    assert list(columns.mask(Filters(townships=["大桥"]))) == [False, False, True, False]
    assert list(columns.mask(Filters(counties=["蓟州区"]))) == [False, False, False, True]
    assert list(columns.mask(Filters(year_from=2021, year_to=2022))) == [False, False, True, False]
    assert list(columns.mask(Filters(roles=["做法成效"]))) == [True, False, True, False]
    assert list(columns.mask(Filters(sources=["003.txt"]))) == [False, False, True, False]
    assert list(columns.mask(Filters(townships=["李庄乡"], roles=["下一步计划"]))) == [False, True, False, False]


def test_options_from_the_command_line():
    filters = Filters.from_options(township="李庄乡,大桥瑶族乡", year="2020-2022", role="做法成效")
    assert filters.townships == ["李庄乡", "大桥瑶族乡"] and (filters.year_from, filters.year_to) == (2020, 2022)
    assert parse_years("2021") == (2021, 2021)
    assert parse_years("2022-") == (2022, None)
    assert parse_years("2023-2020") == (2020, 2023)
    with pytest.raises(FilterError, match="年度"):
        parse_years("去年")
    with pytest.raises(FilterError, match="段落类型"):
        Filters.from_options(role="成绩")
