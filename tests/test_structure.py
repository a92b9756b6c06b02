from pathlib import Path

from indexer.clean import clean
from indexer.document import ROLE_DONE, ROLE_OTHER, ROLE_PLAN, ROLE_PROBLEM
from indexer.structure import structure
from tests.textutil import raw

CORPUS = Path(__file__).resolve().parent.parent / "data" / "samples"


def _structured(text: str, kind: str = "txt"):
    document = raw(text, kind)
    return structure(document, clean(document))


REPORT = """某某乡2021年度法治政府建设情况报告
2021年，我乡深入推进法治政府建设，现将有关情况报告如下：
一、主要做法和成效
（一）加强组织领导
成立以乡党委书记为组长的领导小组。
（二）聘请法律顾问
聘请法律顾问1名，审查合同12份。
二、存在问题和不足
一是法律顾问作用发挥不够。
三、下一步工作打算
（一）健全法律顾问制度
进一步健全政府法律顾问制度。
某某乡人民政府
2022年1月10日
"""


def test_outline_levels_and_section_paths():
    paragraphs = _structured(REPORT)
    by_text = {p.text: p for p in paragraphs}
    assert by_text["一、主要做法和成效"].heading.level == 1
    assert by_text["（二）聘请法律顾问"].heading.level == 2
    assert by_text["聘请法律顾问1名，审查合同12份。"].section_path == ("主要做法和成效", "聘请法律顾问")
    assert by_text["进一步健全政府法律顾问制度。"].section_path == ("下一步工作打算", "健全法律顾问制度")


def test_roles_follow_the_outermost_heading_that_names_one():
    by_text = {p.text: p for p in _structured(REPORT)}
    assert by_text["2021年，我乡深入推进法治政府建设，现将有关情况报告如下："].role == ROLE_OTHER
    assert by_text["聘请法律顾问1名，审查合同12份。"].role == ROLE_DONE
    assert by_text["一是法律顾问作用发挥不够。"].role == ROLE_PROBLEM
    assert by_text["进一步健全政府法律顾问制度。"].role == ROLE_PLAN


def test_title_and_signature_are_not_chunkable():
    by_text = {p.text: p for p in _structured(REPORT)}
    assert not by_text["某某乡2021年度法治政府建设情况报告"].chunkable
    assert not by_text["某某乡人民政府"].chunkable
    assert not by_text["2022年1月10日"].chunkable
    assert by_text["聘请法律顾问1名，审查合同12份。"].chunkable


def test_a_section_of_problems_and_plans_is_split_where_the_plans_begin():
    text = "一、主要做法\n开展普法宣传10次。\n二、存在的不足及下一步工作\n一是依法决策意识有待强化。\n下一步，我镇将加强执法人员培训。"
    by_text = {p.text: p for p in _structured(text)}
    assert by_text["一是依法决策意识有待强化。"].role == ROLE_PROBLEM
    assert by_text["下一步，我镇将加强执法人员培训。"].role == ROLE_PLAN


def test_numbering_styles_take_levels_from_the_order_they_appear_in():
    text = "1、上一年度的主要举措\n（一）强化组织领导\n成立领导小组。\n2、存在的不足\n（一）宣传方式不够丰富。\n4、下一年度的主要安排\n（1）全面落实责任制。"
    paragraphs = _structured(text)
    levels = {p.text: p.heading.level for p in paragraphs if p.heading}
    assert levels["1、上一年度的主要举措"] == 1 and levels["（一）强化组织领导"] == 2
    assert levels["2、存在的不足"] == 1 and levels["4、下一年度的主要安排"] == 1
    assert levels["（1）全面落实责任制。"] == 2


def test_a_list_that_changes_bracket_style_midway_stays_one_list():
    text = "二、工作举措和成效\n（1）强化组织领导。成立领导小组。\n（2）强化理论武装。认真学习。\n（三）充实基层力量。培育法律明白人。\n三、存在的不足"
    levels = {p.text[:4]: p.heading.level for p in _structured(text) if p.heading}
    assert levels["（1）强"] == levels["（2）强"] == levels["（三）充"] == 2
    assert levels["三、存在"] == 1


def test_markdown_sample_report_outline():
    text = (CORPUS / "004_264309198007c7ae.txt").read_text(encoding="utf-8")
    paragraphs = _structured(text)
    headings = [p.heading.title for p in paragraphs if p.heading]
    assert headings[0] == "强化组织领导，抓好法治政府责任落实"
    assert headings[-1] == "存在的不足及下一步工作"
    assert len(headings) == 7
    assert paragraphs[-1].text == "2022年2月20日" and not paragraphs[-1].chunkable


def test_pages_come_from_page_starts():
    document = raw("一、第一页的标题\n第一页的正文。\n\n第二页的正文。", kind="pdf", page_starts=[0, 18])
    paragraphs = structure(document, clean(document))
    assert [p.page for p in paragraphs] == [1, 1, 2]


def test_a_rectification_subsection_under_the_problems_reports_deeds():
    paragraphs = _structured("""某某乡2023年度法治政府建设情况报告
一、主要做法和成效
开展普法宣传10次。
二、存在的不足、原因和问题整改情况
（一）存在不足
一是学法不够深入。
（二）问题整改情况
全面推进“八五”普法，组织学法培训3次。
三、下一步工作打算
全面推进政务公开。
""")
    role = {p.text: p.role for p in paragraphs}
    assert role["一是学法不够深入。"] == ROLE_PROBLEM
    assert role["全面推进“八五”普法，组织学法培训3次。"] == ROLE_DONE
    assert role["全面推进政务公开。"] == ROLE_PLAN


def test_we_will_opens_the_plans_only_when_it_means_future():
    paragraphs = _structured("""某某镇2022年法治政府建设工作总结
我镇将法治建设纳入年度考核，全年开展学法8次。
聘请法律顾问1名。
2023年，我镇将进一步加强执法培训。
继续推进政务公开。
""")
    role = {p.text: p.role for p in paragraphs}
    assert role["聘请法律顾问1名。"] != ROLE_PLAN
    assert role["继续推进政务公开。"] == ROLE_PLAN


def test_an_item_cut_by_a_page_break_is_one_paragraph_on_both_pages_not_a_heading():
    page_one = "一、主要工作成效\n（一）镇政府聘请专职法律顾问2名，对重大行政决策"
    page_two = "和政府合同开展合法性审查，全年审查合同23份。\n（二）深入开展普法宣传\n全年开展送法进村活动14场。"
    document = raw(f"{page_one}\n\n{page_two}", kind="pdf", page_starts=[0, len(page_one) + 2])
    paragraphs = structure(document, clean(document))
    item = paragraphs[1]
    assert item.text.endswith("对重大行政决策和政府合同开展合法性审查，全年审查合同23份。")
    assert item.heading is None and item.section_path == ("主要工作成效",) and item.role == ROLE_DONE
    assert (item.page, item.page_end) == (1, 2)
    second = paragraphs[2]
    assert second.heading.title == "深入开展普法宣传" and second.heading.level == 2
    assert (second.page, second.page_end) == (2, 2)


def test_table_rows_stand_in_the_section_of_their_table_and_are_never_headings():
    rows = ["送法进村：场次 14", "1：活动 法治讲座，场次 6"]
    text = "\n".join(["一、主要工作成效", "（一）深入开展普法宣传", "全年开展各类普法活动，具体情况如下", *rows,
                     "（二）化解矛盾纠纷", "全年调解纠纷12起。"])
    document = raw(text, kind="docx", table_rows={text.index(row) for row in rows})
    paragraphs = {p.text: p for p in structure(document, clean(document))}
    for row in rows:
        assert paragraphs[row].heading is None and paragraphs[row].chunkable
        assert paragraphs[row].section_path == ("主要工作成效", "深入开展普法宣传")
        assert paragraphs[row].role == ROLE_DONE
    assert paragraphs["（二）化解矛盾纠纷"].heading.level == 2


def test_a_table_row_before_the_outline_is_content_not_a_title_line():
    row = "法治讲座：场次 6"
    text = f"某某镇2023年法治政府建设情况报告\n{row}\n一、主要工作成效\n全年调解纠纷12起。"
    document = raw(text, kind="docx", table_rows={text.index(row)})
    paragraphs = structure(document, clean(document))
    assert paragraphs[1].text == row and paragraphs[1].chunkable
