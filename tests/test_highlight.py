from indexer.analyzer import get_analyzer
from search.highlight import highlight_spans, mark, merge_spans


def test_spans_cover_the_matched_terms_and_merge_overlaps():
    text = "乡政府聘请法律顾问1名，为重大决策提供法律意见。"
    spans, matched = highlight_spans(get_analyzer(), text, {"法律顾问": 1.0, "法律": 1.0, "顾问": 1.0, "决策": 1.0})
    assert [text[s:e] for s, e in spans] == ["法律顾问", "决策", "法律"]
    assert matched[0] in ("法律", "顾问", "法律顾问") and "决策" in matched


def test_single_characters_are_not_marked():
    spans, _ = highlight_spans(get_analyzer(), "发放宣传册8000余份", {"份": 1.0})
    assert spans == []


def test_merge_and_mark():
    assert merge_spans([[5, 8], [0, 2], [1, 3], [8, 9]]) == [[0, 3], [5, 9]]
    assert mark("聘请法律顾问", [[2, 6]]) == "聘请【法律顾问】"
