"""Benchmark questions: the evaluation questions (tests/data/eval/*.jsonl) plus paraphrases in users' words."""
from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL_FILES = sorted((ROOT / "tests" / "data" / "eval").glob("*.jsonl"))

# Rephrasings of the evaluation questions and other things people ask of these reports, short and long.
PARAPHRASES = """
哪些乡镇请了律师当法律顾问
政府法律顾问的作用是什么
乡镇法律顾问审查合同
信访件的办结率是多少
群众来访怎么处理的
执法记录仪使用情况
行政执法全过程记录制度
法律明白人培养了多少人
执法人员参加法律培训
领导干部学法用法
利用微信公众号宣传法律知识
新媒体普法
扫黑除恶线索摸排
涉黑涉恶问题整治
行政执法公示制度
群众法治意识不强
法治政府建设存在的问题和不足
宪法宣传周活动
发放普法宣传资料的数量
法治政府建设领导小组组长是谁
明年政务公开的工作计划
安全生产隐患排查整改
律师参与审核重要合同
村居法律顾问全覆盖
执法全程留痕
人民调解员人数
禁毒宣传手册发放
领导干部旁听庭审
智慧信访平台
免费法律咨询服务
矛盾纠纷排查化解
行政复议法学习
重大行政决策合法性审查
规范性文件备案审查
双随机一公开监管
综合行政执法改革
优化营商环境
行政应诉和出庭应诉
民法典宣传进村入户
八五普法规划
权责清单公布
党政主要负责人履行推进法治建设第一责任人职责
乡村振兴中的法治保障
网格化管理和基层治理
法治宣传进校园
食品安全检查
环境保护执法
农民工工资拖欠问题
疫情防控期间依法行政
行政执法人员持证上岗
下一步工作打算
今年法治建设取得了哪些成效
""".split()


def benchmark_questions(limit: int | None = None) -> list[str]:
    """Evaluation questions first, then paraphrases; `limit` keeps the first few (for quick runs)."""
    questions = []
    for path in EVAL_FILES:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                questions.append(json.loads(line)["question"])
    seen = set()
    unique = [q for q in questions + PARAPHRASES if not (q in seen or seen.add(q))]
    return unique[:limit] if limit else unique
