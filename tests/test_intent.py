import pytest

from indexer.intent import announces_plan


@pytest.mark.parametrize("sentence", [
    "下一步，我乡将进一步加强法治宣传。",
    "明年继续开展普法进村活动。",
    "一是将持续深化行政执法改革。",
    "我镇将于明年聘请法律顾问。",
    "计划开展执法培训3次。",
    "拟建立重大行政决策合法性审查机制。",
])
def test_plans(sentence):
    assert announces_plan(sentence)


@pytest.mark.parametrize("sentence", [
    "我乡将法治建设纳入年度考核。",  # 将 as the written 把
    "坚持将法治政府工作与街道中心工作同谋划、同部署。",
    "街道党工委理论学习中心组将学法作为重点课题，开展学习4次。",
    "制定工作计划，明确任务分工。",  # 计划 as a noun
    "聘请法律顾问1名，审查合同12份。",
    "认真落实年度普法计划书的各项任务，下一步继续推进。",  # the intent word is not in the opening
])
def test_deeds(sentence):
    assert not announces_plan(sentence)
