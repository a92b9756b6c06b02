from indexer.clean import clean
from tests.textutil import is_subsequence, raw


def _texts(text: str, kind: str = "txt") -> list[str]:
    return [p.text for p in clean(raw(text, kind))]


def test_every_cleaned_character_maps_back_to_the_same_raw_character():
    document = raw("  一、主要做法\n\u3000\u3000我乡 聘请 法律顾问1名，[bookmark: _GoBack]开展普法。\n(此页无正文)\n")
    for paragraph in clean(document):
        for i, char in enumerate(paragraph.text):
            assert document.text[paragraph.origin.to_raw(i)] == char


def test_conversion_artifacts_and_markdown_markers_are_removed():
    text = "# 某某镇人民政府\n\n---\n\n### 一、强化组织领导\n\n5、[bookmark: _GoBack]其他需要报告的情况\n\n(此页无正文)\n\n（此页无正文）"
    assert _texts(text, "md") == ["某某镇人民政府", "一、强化组织领导", "5、其他需要报告的情况"]


def test_full_width_indentation_and_spaces_between_chinese_are_dropped_but_latin_spacing_kept():
    assert _texts("\u3000\u3000原州区彭堡镇 2021 年度法治政府 建设情况报告") == ["原州区彭堡镇2021年度法治政府建设情况报告"]
    assert _texts("利用 LED screen 屏幕滚动播放。") == ["利用LED screen屏幕滚动播放。"]


def test_paragraph_split_by_a_page_break_is_joined_again():
    text = ("某镇2021年度法治政府建设情况报告\n一是将习近平法治思想列入党委中心组和干部理论学习计划，进一步加大大镇领\n\n"
            "领导干部法律知识培训力度，采取自学与集中培训相结合的方式。\n\n二、强化宣传教育")
    paragraphs = _texts(text)
    assert paragraphs[1].endswith("加大大镇领领导干部法律知识培训力度，采取自学与集中培训相结合的方式。")
    assert paragraphs[2] == "二、强化宣传教育"


def test_titles_headings_and_finished_sentences_are_not_joined():
    text = "蓟州区东赵各庄镇人民政府\n2020年度法治政府建设情况报告\n（一）强化组织领导，抓好法治政府责任落实\n成立以党委书记为组长的领导小组。\n无。"
    assert _texts(text) == ["蓟州区东赵各庄镇人民政府", "2020年度法治政府建设情况报告",
                            "（一）强化组织领导，抓好法治政府责任落实", "成立以党委书记为组长的领导小组。", "无。"]


def test_a_long_first_line_that_is_a_title_is_not_joined_to_the_body():
    text = "城口县鸡鸣乡人民政府2025年法治政府建设情况报告\n2025年,鸡鸣乡在县委、县政府的坚强领导下开展工作。"
    assert len(_texts(text)) == 2


def test_pdf_line_wraps_are_joined_into_paragraphs():
    text = "一、主要做法\n全面推进依法行政，提高政府工作人员依法行政能力，有利\n于保障人民群众的权利和自由。\n二、存在问题"
    assert _texts(text, "pdf") == ["一、主要做法", "全面推进依法行政，提高政府工作人员依法行政能力，有利于保障人民群众的权利和自由。",
                                   "二、存在问题"]


def test_cleaned_paragraphs_are_subsequences_of_their_raw_span():
    document = raw("\u3000\u3000原州区 彭堡镇\n\n一是压实工作责任，优化工作\n\n部署，强化督导落实。")
    for paragraph in clean(document):
        assert is_subsequence(paragraph.text, document.text[paragraph.char_start:paragraph.char_end])


def test_empty_and_whitespace_only_text_gives_no_paragraphs():
    assert _texts("") == []
    assert _texts(" \n\u3000\n\t\n") == []


def _pdf(*pages: str):
    starts, offset = [], 0
    for page in pages:
        starts.append(offset)
        offset += len(page) + 2
    return raw("\n\n".join(pages), kind="pdf", page_starts=starts)


def test_a_numbered_item_cut_by_a_page_break_continues_on_the_next_page():
    document = _pdf("一、主要工作成效\n（一）镇政府聘请专职法律顾问2名，对重大行政决策",
                    "和政府合同开展合法性审查，全年审查合同23份。\n（二）深入开展普法宣传")
    assert [p.text for p in clean(document)] == [
        "一、主要工作成效", "（一）镇政府聘请专职法律顾问2名，对重大行政决策和政府合同开展合法性审查，全年审查合同23份。",
        "（二）深入开展普法宣传"]


def test_a_heading_left_at_the_foot_of_a_page_stays_a_heading():
    document = _pdf("一、主要工作成效\n全年开展送法进村活动14场，覆盖全镇所有行政村。\n（二）深入开展普法宣传",
                    "全年开展送法进村活动14场。")
    assert [p.text for p in clean(document)][-2:] == ["（二）深入开展普法宣传", "全年开展送法进村活动14场。"]


def test_a_finished_sentence_at_the_foot_of_a_page_is_not_joined():
    document = _pdf("（一）镇政府聘请专职法律顾问2名，对重大行政决策开展合法性审查。", "全年审查合同23份。")
    assert len(clean(document)) == 2


def test_table_rows_are_paragraphs_of_their_own_and_keep_their_spacing():
    before = "（一）深入开展普法宣传，全年开展各类普法活动，覆盖全镇各村各社区，具体情况如下"
    rows = ["送法进村：场次 14，参与人数 1200人", "法治讲座：场次 6"]
    text = "\n".join([before, *rows, "全年开展各类普法宣传活动，取得良好效果，群众法治意识明显提升"])
    document = raw(text, kind="docx", table_rows={text.index(row) for row in rows})
    assert [p.text for p in clean(document)] == [before, *rows, "全年开展各类普法宣传活动，取得良好效果，群众法治意识明显提升"]
