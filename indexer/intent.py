"""Whether a sentence announces a plan rather than reports a deed, and whether it admits a shortcoming.

"下一步，我乡将进一步加强…" plans; "我乡将法治建设纳入年度考核" reports a deed: in this genre 将 is as often
the written form of 把 (将 X 纳入/作为/与 … Y) as a future marker, and 计划 is as often a noun
("制定工作计划") as a verb. Used by the structure stage (does a paragraph start the plans?) and by answers
(is this evidence a plan?).
"""
from __future__ import annotations

import re

PLAN_OPENING = re.compile(r"(?:下一步|下步|今后|明年|下一年度?|接下来|在新的一年|新的一年|展望)")
_INTENT_WORD = re.compile(r"将|拟|计划|准备|打算|力争")
_LEAD = 12  # intent words further into the first clause belong to a quoted or subordinate phrase
# 将 followed by these is a future marker, whatever follows.
_FUTURE_AFTER_JIANG = re.compile(r"(?:进一步|继续|持续|不断|着力|加大|加快|加强|坚持|大力|重点|切实|认真|积极|努力|逐步|尽快"
                                 r"|力争|于|会|要|以|更加|在|把|对|围绕|聚焦|结合|按照|始终|扎实|全力)")
# 将 X 纳入/作为/与 … : the disposal construction, a deed. X may start with 深入 or 全面
# ("将深入学习贯彻习近平法治思想作为首要任务", "将全面依法治国纳入…").
_DISPOSAL = re.compile(r"纳入|作为|列入|列为|融入|贯穿|写入|放在|摆在|落实到|转化为|细化为|分解为|量化为|延伸到|覆盖到|推送"
                       r"|送到|加入|向社会公布|深入人心|与|同")
# What a report says of its own shortcomings, in the sentence itself.
_ADMISSION = re.compile(r"还?(?:没有|未能?)(?:完全|真正|充分)?(?:到位|落实|形成|建立|发挥)|不到位|不足|薄弱|欠缺"
                        r"|有待(?:提高|加强|提升|完善|改进)|不够|滞后|不强|不高|短板|差距|不健全|不完善|不规范|畏难"
                        r"|流于形式")
# 计划/准备/打算 as nouns: "制定工作计划", "年度计划".
_NOUN_BEFORE_PLAN = re.compile(r"(?:工作|年度|制定|实施|学习|培训|普法|发展|五年|行动|印发|下发|规划)$")


def announces_plan(sentence: str) -> bool:
    """True when the sentence's opening says what will be done, not what was done."""
    text = sentence.lstrip(" \u3000\t（(一二三四五六七八九十0123456789、.)）是")
    if PLAN_OPENING.match(text):
        return True
    clause = re.split(r"[，,。；;：:！!？?]", text, maxsplit=1)[0]
    for match in _INTENT_WORD.finditer(clause[:_LEAD + 2]):
        if match.start() > _LEAD:
            break
        word, rest = match.group(0), clause[match.end():]
        if word == "将":
            if _FUTURE_AFTER_JIANG.match(rest) or not _DISPOSAL.search(rest):
                return True
        elif word in ("计划", "准备", "打算"):
            if not _NOUN_BEFORE_PLAN.search(clause[:match.start()]) and not re.match(r"[书表》”]", rest):
                return True
        else:
            return True
    return False


def admits_shortcoming(sentence: str) -> bool:
    """True when the sentence itself says something falls short ("执法力量薄弱", "贯彻落实还没有完全到位"),
    which also happens outside a 问题不足 part: under a heading that names the problem without 问题
    ("（三）依法行政贯彻落实还没有完全到位"), or in a report without headings."""
    return bool(_ADMISSION.search(sentence))
