import pytest

from indexer.headings import cn_to_int, is_title_only, parse_heading


@pytest.mark.parametrize("text, style, number, title", [
    ("一、主要做法和成效", "cn、", 1, "主要做法和成效"),
    ("三 、存在的问题", "cn、", 3, "存在的问题"),
    ("（一）加强组织领导，健全组织机构。乡党委、政府高度重视", "(cn)", 1, "加强组织领导，健全组织机构"),
    ("(一）加强组织领导 强化理论学习", "(cn)", 1, "加强组织领导 强化理论学习"),
    ("1、上一年度推进法治政府建设的主要举措和成效", "num、", 1, "上一年度推进法治政府建设的主要举措和成效"),
    ("1.班子带头学。完成友谊路街道2024年法治政府建设报告", "num、", 1, "班子带头学"),
    ("（1） 强化组织领导。成立法治政府建设工作领导小组", "(num)", 1, "强化组织领导"),
    ("一、2023年主要负责人履行推进法治建设第一责任人职责", "cn、", 1, "2023年主要负责人履行推进法治建设第一责任人职责"),
    ("十二、其他事项", "cn、", 12, "其他事项"),
    ("（二）主要原因：一是在法治政府建设工作推进中，法律法规的宣传力度还不够。二是基层工作人员缺乏", "(cn)", 2, "主要原因"),
])
def test_numbered_headings_are_recognised(text, style, number, title):
    heading, _ = parse_heading(text)
    assert (heading.style, heading.number, heading.title) == (style, number, title)


@pytest.mark.parametrize("text", ["一是成立了领导小组。", "2025年，我镇坚持以习近平法治思想为指导", "1.5亿元用于基础设施",
                                  "2、3月份开展了宪法宣传", "一、二季度完成了培训", "全面推进依法行政"])
def test_running_text_is_not_a_heading(text):
    assert parse_heading(text) is None


def test_title_only_lines_are_told_from_headings_with_body_text():
    assert is_title_only("（一）强化组织领导，抓好法治政府责任落实")
    assert not is_title_only("（一）强化组织领导。成立以党委书记为组长的领导小组，定期研究法治工作。")


def test_chinese_numbers():
    assert [cn_to_int(x) for x in ("一", "十", "十二", "二十", "二十三", "九十九")] == [1, 10, 12, 20, 23, 99]
    assert cn_to_int("是") is None
