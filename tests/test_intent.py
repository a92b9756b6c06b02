import pytest

from indexer.intent import admits_shortcoming, announces_plan


@pytest.mark.parametrize("sentence", [
    "下一步，我乡将进一步加强法治宣传。",
    "明年继续开展普法进村活动。",
    "一是将持续深化行政执法改革。",
    "我镇将于明年聘请法律顾问。",
    "我乡将把法治建设纳入年度考核。",
    "将深入开展法治宣传教育。",
    "计划开展执法培训3次。",
    "拟建立重大行政决策合法性审查机制。",
])
def test_plans(sentence):
    assert announces_plan(sentence)


@pytest.mark.parametrize("sentence", [
    "我乡将法治建设纳入年度考核。",  # 将 as the written 把
    "坚持将法治政府工作与街道中心工作同谋划、同部署。",
    "街道党工委理论学习中心组将学法作为重点课题，开展学习4次。",
    "将法治建设成效细化为具体指标,纳入年度绩效考核。",
    "我乡始终将深入学习贯彻习近平法治思想作为首要政治任务。",
    "将工作职责、办事程序向社会公布，接受社会监督。",
    "制定工作计划，明确任务分工。",  # 计划 as a noun
    "聘请法律顾问1名，审查合同12份。",
    "认真落实年度普法计划书的各项任务，下一步继续推进。",  # the intent word is not in the opening
])
def test_deeds(sentence):
    assert not announces_plan(sentence)


@pytest.mark.parametrize("sentence, admits", [
    ("依法行政、科学行政贯彻落实还没有完全到位，原因是部分执法主体存在畏难情绪。", True),
    ("基层执法人员专业素质有待提高。", True),
    ("执法专业力量薄弱。", True),
    ("聘请法律顾问1名，审查合同12份。", False),
    ("开展普法宣传活动10次。", False),
])
def test_admissions(sentence, admits):
    assert admits_shortcoming(sentence) == admits
