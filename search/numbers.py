"""Number phrases in evidence ("3000余份", "50学时", "137余人") for counting questions."""
from __future__ import annotations

import re

_UNITS = (r"人次|场次|学时|课时|小时|平方米|万元|亿元|余万元|元|份|册|本|张|条|块|幅|场|次|期|人|名|件|起|宗|个|家|户|处|篇|"
          r"所|支|批|项|天|次数|%|％")
_NUMBER = r"(?:\d+(?:\.\d+)?|[一二三四五六七八九十两百千万]+)"
NUMBER_PHRASE = re.compile(rf"{_NUMBER}\s*(?:余|多|余万|多万|万|千|百)?\s*(?:{_UNITS})")
# "几个" is as often "several" ("分成几个小组") or the question word ("哪几个乡镇") as a count. A rate asked for
# ("化解率", "公开率") is a figure too, unlike 效率 or 率先.
_COUNT_QUESTION = re.compile(r"多少|(?<!哪)几(?:次|名|份|场|人|件|本|条|期|项|家|户|学时)|数量|人数|次数|件数|条数|户数|场数|数目|"
                             r"规模|比例|百分比|金额|多长|(?<![效频概坦])率(?![先领])")
_QUESTION_UNIT = re.compile(rf"(?:多少|几)\s*({_UNITS})")
# A table row read with its header puts the count after its unit, with a space ("送法进村：场次 14", see
# indexer.tables); the cleaner leaves no space between Chinese and digits anywhere else.
_HEADER_COUNT = re.compile(rf"(?:{_UNITS}|人数|件数|户数|场数|数量)\s+\d+(?:\.\d+)?(?![\d.]|\s*(?:{_UNITS}))")
# Ordinals and dates look like counts but are not: "第3次", "2021年", "12月".
_NOT_A_COUNT = re.compile(r"第$")


def is_count_question(question: str) -> bool:
    return bool(_COUNT_QUESTION.search(question))


def question_unit(question: str) -> str | None:
    """The unit a counting question asks for: "发放了多少份" → "份"."""
    match = _QUESTION_UNIT.search(question)
    return match.group(1) if match else None


def number_phrases(sentence: str) -> list[str]:
    found = []
    matches = sorted([*NUMBER_PHRASE.finditer(sentence), *_HEADER_COUNT.finditer(sentence)], key=lambda m: m.start())
    for match in matches:
        if _NOT_A_COUNT.search(sentence[:match.start()]):
            continue
        phrase = match.group(0) if match.re is _HEADER_COUNT else match.group(0).replace(" ", "")
        if phrase not in found and not re.fullmatch(r"[一二两]\s*(?:个|名|项|次|件)", phrase):
            found.append(phrase)
    return found
