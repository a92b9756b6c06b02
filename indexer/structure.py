"""Find the outline of a report (一、/（一）/1、/（1）/markdown headings) and give each paragraph its
section path, its role (做法成效 / 问题不足 / 下一步计划 / 其他) and its page."""
from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.document import (ROLE_DONE, ROLE_OTHER, ROLE_PLAN, ROLE_PROBLEM, Heading, Paragraph,
                              RawDocument)
from indexer.headings import FAMILY, parse_heading
from indexer.intent import PLAN_OPENING, announces_plan

_OTHER_TITLE = re.compile(r"其他需要报告|其他事项|其它需要报告")
_PLAN_TITLE = re.compile(r"下一步|下步|下一年|下年度|明年|今后|打算|展望|努力方向|初步安排|工作安排|工作计划|工作思路"
                         r"|谋划|(?:计划|安排|思路|重点)$")
_PROBLEM_TITLE = re.compile(r"问题|不足|差距|短板|薄弱|原因|困难|挑战")
# A problem word inside a deed heading ("解决群众急难愁盼问题") does not make a problem section.
_PROBLEM_STRONG = re.compile(r"存在的?(?:主要)?(?:问题|不足|困难)|不足|差距|短板|薄弱|原因|^问题|问题[与和及]")
# "2022年，我乡将…" opens the plans in reports without a 下一步 heading, unless 将 is the written 把.
_WE_WILL = re.compile(r"(?:20\d\d年[，,]?)?((?:我|全)(?:乡|镇|街道|县|区)?将.*)", re.S)
_PROBLEM_START = re.compile(r"(?:但|虽然|同时)?.{0,20}(?:存在的?(?:问题|不足)|还存在|仍存在|不足之处)")
_RECTIFIED_TITLE = re.compile(r"整改(?:落实)?(?:工作)?(?:情况|成效|结果)$")
_PROBLEM_CAUSE = re.compile(r"存在|不足|原因|差距|短板")
_SIGNATURE = re.compile(r".{2,30}(?:人民政府|办事处|委员会|党委|政府)|.{0,20}[0-9〇零一二三四五六七八九十]{1,4}年"
                        r"[0-9一二三四五六七八九十]{1,2}月[0-9一二三四五六七八九十]{1,3}日")
_SENTENCE_PUNCT = re.compile(r"[。！？；]")


@dataclass
class _Open:
    heading: Heading
    role: str | None  # role named by this heading's title; None = no opinion; "mixed" = problems and plans


def structure(raw: RawDocument, paragraphs: list[Paragraph]) -> list[Paragraph]:
    """Annotate `paragraphs` in place (heading, section_path, role, page, chunkable) and return them."""
    stack: list[_Open] = []
    seen_numbered = False
    plan_started = False  # inside a mixed or role-less section, once plans begin, the rest are plans
    preamble_seen = False
    for paragraph in paragraphs:
        paragraph.page = raw.page_at(paragraph.char_start)
        paragraph.page_end = raw.page_at(paragraph.char_end - 1)
        heading = _heading_of(paragraph, raw)
        if heading is not None and (heading.number is not None or seen_numbered):
            seen_numbered = seen_numbered or heading.number is not None
            _place(stack, heading)
            paragraph.heading = heading
            plan_started = False
        elif heading is not None:  # unnumbered heading before the outline starts: a title line
            paragraph.chunkable = False
        paragraph.section_path = tuple(entry.heading.title for entry in stack)
        section_role = _section_role(stack)
        if section_role in (None, "mixed") and paragraph.heading is None:
            plan_started = plan_started or _starts_plans(paragraph.text)
        paragraph.role = _paragraph_role(section_role, paragraph, plan_started, bool(stack) or preamble_seen)
        if not stack and paragraph.heading is None:
            if _is_title_line(paragraph) and not paragraph.table_row:
                paragraph.chunkable = False
            else:
                preamble_seen = True  # the first body paragraph before the outline is the preamble
    _mark_signature(paragraphs)
    return paragraphs


def _starts_plans(text: str) -> bool:
    we_will = _WE_WILL.match(text)
    return announces_plan(we_will.group(1)) if we_will else bool(PLAN_OPENING.match(text))


def _heading_of(paragraph: Paragraph, raw: RawDocument) -> Heading | None:
    if paragraph.numbered_item or paragraph.table_row:
        return None
    parsed = parse_heading(paragraph.text)
    if parsed is not None:
        return parsed[0]
    styled = paragraph.char_start in raw.heading_starts or _starts_with_markdown_heading(raw, paragraph)
    if styled and len(paragraph.text) <= 60:
        return Heading(style="styled", number=None, title=paragraph.text.rstrip("。"))
    return None


def _starts_with_markdown_heading(raw: RawDocument, paragraph: Paragraph) -> bool:
    line_start = raw.text.rfind("\n", 0, paragraph.char_start) + 1
    return raw.text[line_start:paragraph.char_start].lstrip(" \t\u3000").startswith("#")


def _place(stack: list[_Open], heading: Heading) -> None:
    """Put `heading` into the open outline: a sibling of an open heading of its style, else a child.

    Levels come from the order in which styles appear, not from a fixed ranking, because reports
    disagree (one uses 1、 above （一）, another （一） above 1、). A heading whose number continues a
    list of the same bracket family is a sibling too: "（1）（2）（三）（四）" is one list.
    """
    position = _sibling_position(stack, heading)
    if position is not None:
        del stack[position:]
    stack.append(_Open(heading, _title_role(heading.title)))
    heading.level = len(stack)


def _sibling_position(stack: list[_Open], heading: Heading) -> int | None:
    for position in range(len(stack) - 1, -1, -1):
        if stack[position].heading.style == heading.style:
            return position
    for position in range(len(stack) - 1, -1, -1):
        open_heading = stack[position].heading
        if (FAMILY.get(open_heading.style) == FAMILY.get(heading.style) and open_heading.number is not None
                and heading.number == open_heading.number + 1):
            return position
    if heading.number is None and stack and stack[-1].heading.number is None:
        return len(stack) - 1
    return None


def _title_role(title: str) -> str | None:
    if _OTHER_TITLE.search(title):
        return ROLE_OTHER
    if _RECTIFIED_TITLE.search(title) and not _PROBLEM_CAUSE.search(title):
        return ROLE_DONE  # "（三）问题整改情况": what was put right
    plan = bool(_PLAN_TITLE.search(title))
    problem = bool(_PROBLEM_STRONG.search(title)) or (bool(_PROBLEM_TITLE.search(title)) and len(title) <= 12)
    if plan and problem:
        return "mixed"
    if plan:
        return ROLE_PLAN
    if problem:
        return ROLE_PROBLEM
    return None


def _section_role(stack: list[_Open]) -> str | None:
    """The outermost heading that names a role decides: sub-headings under 下一步 are plans. One exception:
    a rectification sub-heading under the problems section ("存在的不足和整改情况" › "整改情况") reports deeds."""
    roles = [entry.role for entry in stack if entry.role is not None]
    if not roles:
        return None
    if roles[0] == ROLE_PROBLEM and ROLE_DONE in roles[1:]:
        return ROLE_DONE
    return roles[0]


def _paragraph_role(section_role: str | None, paragraph: Paragraph, plan_started: bool, in_section: bool) -> str:
    if section_role == "mixed":
        return ROLE_PLAN if plan_started else ROLE_PROBLEM
    if section_role is not None:
        return section_role
    if plan_started:
        return ROLE_PLAN
    if paragraph.heading is None and _PROBLEM_START.match(paragraph.text):
        return ROLE_PROBLEM
    return ROLE_DONE if in_section else ROLE_OTHER


def _is_title_line(paragraph: Paragraph) -> bool:
    """Title lines and addressees before the outline: short and without a full sentence."""
    text = paragraph.text
    return len(text) <= 40 and not _SENTENCE_PUNCT.search(text)


def _mark_signature(paragraphs: list[Paragraph]) -> None:
    """The issuing office and date at the end of a report are not content."""
    for paragraph in reversed(paragraphs):
        if len(paragraph.text) <= 40 and _SIGNATURE.fullmatch(paragraph.text.rstrip("。")):
            paragraph.chunkable = False
            paragraph.role = ROLE_OTHER
        else:
            break
