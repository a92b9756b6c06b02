"""Recognise numbered headings of Chinese official documents: 一、 （一） 1、 （1） 第一部分 …

Used by the cleaner (a heading line never absorbs the next line) and by the structure stage (outline).
"""
from __future__ import annotations

import re

from indexer.document import Heading

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}
_CN = "一二三四五六七八九十"

# (style, pattern); the number is group 1. Order matters: bracketed forms before bare ones.
_PATTERNS = [
    ("第cn", re.compile(rf"第([{_CN}]{{1,3}})(?:部分|章|节)[、，,.．:：\s]*")),
    ("(cn)", re.compile(rf"[（(]([{_CN}]{{1,3}})[）)][、，,.．:：\s]*")),
    ("(num)", re.compile(r"[（(](\d{1,2})[）)][、，,.．:：\s]*")),
    ("cn、", re.compile(rf"([{_CN}]{{1,3}})\s*[、，,.．:：](?![{_CN}是])\s*")),
    ("num、", re.compile(r"(\d{1,2})\s*(?:[、，,．:：]|\.(?!\d))\s*")),
    ("num)", re.compile(r"(\d{1,2})[）)]\s*")),
]
# Bracketed and unbracketed styles that documents mix up within one list, e.g. "（2）…（三）…".
FAMILY = {"(cn)": "paren", "(num)": "paren", "cn、": "bare", "num、": "bare", "第cn": "part", "num)": "half"}

_SENTENCE_END = re.compile(r"[。！？!?；;：:]")
# Numbers in running text, not headings: "2、3月", "1.5亿元", "一、二季度".
_NOT_TITLE = re.compile(rf"(?:\d{{1,3}}|[{_CN}]{{1,3}})(?:[、.．]\d+)?[%％月日号季个名件次项万亿元]|是")
TITLE_MAX = 60  # a heading line longer than this carries body text after its title


def cn_to_int(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十 → 20, 二十三 → 23."""
    if not text or any(c not in _CN_DIGITS and c != "十" for c in text):
        return None
    if "十" not in text:
        value = 0
        for c in text:
            value = value * 10 + _CN_DIGITS[c]
        return value
    tens, _, ones = text.partition("十")
    return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0)


def parse_heading(text: str) -> tuple[Heading, int] | None:
    """A Heading for a paragraph that starts with a heading number, and the length of its title part.

    The title part is the whole paragraph when it is short, else its first sentence: "（一）加强组织领导，
    健全组织机构。乡党委…" has the title "加强组织领导，健全组织机构".
    """
    for style, pattern in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        rest = text[match.end():]
        if not rest or not _starts_like_title(rest):
            return None
        number_text = match.group(1)
        number = int(number_text) if number_text.isdigit() else cn_to_int(number_text)
        if number is None or number == 0:
            return None
        title, title_end = _title_of(rest)
        return Heading(style=style, number=number, title=title), match.end() + title_end
    return None


def is_title_only(text: str) -> bool:
    """True for a heading line that holds nothing but its title."""
    parsed = parse_heading(text)
    return parsed is not None and parsed[1] >= len(text.rstrip("。；;"))


def _starts_like_title(rest: str) -> bool:
    return not (rest[0] in "%％年月日号次个名件" or _NOT_TITLE.match(rest))


def _title_of(rest: str) -> tuple[str, int]:
    end_match = _SENTENCE_END.search(rest)
    if len(rest) <= TITLE_MAX and (end_match is None or end_match.end() >= len(rest)):
        return rest.rstrip("。；;：:"), len(rest)
    if end_match and end_match.start() == 0:
        end_match = _SENTENCE_END.search(rest, 1)
    if end_match and end_match.start() <= 50:
        return rest[:end_match.start()], end_match.end()
    clause = re.search(r"[，,：:]", rest)
    if clause and clause.start() <= 30:
        return rest[:clause.start()], clause.start()
    return rest[:30] + "…", 30
