"""Clean extracted text into paragraphs, keeping a map back to raw character offsets.

Cleaning only ever deletes characters (conversion artifacts, markdown markers, indentation, spaces that
PDF conversion put between Chinese characters) and joins lines that a page break or a PDF line wrap split
in the middle of a sentence. Because nothing is inserted or replaced, every cleaned character has exactly
one raw position, and a chunk's span always points at the text it claims.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from indexer.document import OffsetMap, Paragraph, RawDocument
from indexer.headings import is_title_only, parse_heading

# Whole lines that carry no content.
_DROP_LINE = re.compile(
    r"[（(]此页无正文[)）]"
    r"|[-—–_*=·.]{3,}"  # markdown rules and separator lines
    r"|[-—–]\s*\d{1,4}\s*[-—–]"  # page numbers: "- 3 -"
    r"|第\s*\d{1,4}\s*页(?:\s*[，,/]?\s*共\s*\d{1,4}\s*页)?"
    r"|\d{1,4}\s*/\s*\d{1,4}"
)
# Artifacts inside a line.
_DROP_INLINE = re.compile(r"\[bookmark:[^\]]*\]|\*\*|__|[\u200b-\u200d\u2060\ufeff\u00ad]")
_MARKDOWN_HEADING = re.compile(r"#{1,6}[ \t]+|#{1,6}(?=[^#\s])")
_SPACE = " \t\u3000\u00a0\u2002\u2003\u2009\u202f\x0b\x0c"

# A paragraph ending with one of these is complete; anything else may continue on the next line.
_COMPLETE_END = set("。！？!?；;：:…”’」』》】）)")
_CONTINUES_END = set("，,、（(“‘《【-—")
_JOIN_MIN_LENGTH = 25  # shorter unfinished lines are titles, addressees or signatures
# A heading-like line left unfinished at a page end is kept as a heading only when its title is compact:
# no clause mark and at most this long. Of 173 title-only heading lines in the sample and seed corpora,
# 58 are compact; the others (77 with a clause comma, up to 47 characters) read like the start of an item.
_ORPHAN_TITLE_MAX = 15
_TITLE_END = re.compile(r"(?:报告|汇报|总结|通知|请示|意见|纪要)$")


@dataclass
class _Line:
    text: str
    origin: OffsetMap
    heading: bool  # markdown or styled heading: never joined to what follows
    gap_before: bool  # a blank line precedes it
    numbered_item: bool = False  # a heading-like line that ran on over a page end
    table_row: bool = False  # read from a table row by the loader: a paragraph of its own


def clean(raw: RawDocument) -> list[Paragraph]:
    """Paragraphs of `raw` in reading order, each with its offset map into `raw.text`."""
    paragraphs: list[_Line] = []
    for line in _lines(raw):
        previous = paragraphs[-1] if paragraphs else None
        # A short first line is the report's title or addressee, whatever its punctuation.
        first_line_title = len(paragraphs) == 1 and len(previous.text) <= 60 if previous else False
        if previous is not None and not first_line_title and _runs_over_page_end(previous, line, raw):
            paragraphs[-1] = _join(previous, line)
            paragraphs[-1].numbered_item = previous.numbered_item or is_title_only(previous.text)
        elif previous is not None and not first_line_title and _continues(previous, line, raw):
            paragraphs[-1] = _join(previous, line)
        else:
            paragraphs.append(line)
    return [Paragraph(text=p.text, origin=p.origin, numbered_item=p.numbered_item, table_row=p.table_row)
            for p in paragraphs]


def _lines(raw: RawDocument):
    text = raw.text
    gap = False
    position = 0
    while position <= len(text):
        end = text.find("\n", position)
        if end < 0:
            end = len(text)
        line = _clean_line(text, position, end, raw)
        if line is None:
            gap = gap or not text[position:end].strip(_SPACE)
        else:
            line.gap_before = gap
            gap = False
            yield line
        position = end + 1


def _clean_line(text: str, start: int, end: int, raw: RawDocument) -> _Line | None:
    while start < end and text[start] in _SPACE:
        start += 1
    while end > start and text[end - 1] in _SPACE + "\r":
        end -= 1
    if start >= end:
        return None
    segment = text[start:end]
    heading = start in raw.heading_starts
    table_row = start in raw.table_rows
    keep = [True] * len(segment)
    if raw.kind == "md" or segment.startswith("#"):
        match = _MARKDOWN_HEADING.match(segment)
        if match:
            heading = True
            keep[:match.end()] = [False] * match.end()
    for match in _DROP_INLINE.finditer(segment):
        keep[match.start():match.end()] = [False] * (match.end() - match.start())
    if not table_row:  # the loader wrote the row's spaces ("场次 14") and tidied its cells already
        _drop_spaces_between_chinese(segment, keep)
    chars, origin = _collect(segment, keep, start)
    if not chars or _DROP_LINE.fullmatch(chars):
        return None
    return _Line(text=chars, origin=origin, heading=heading, gap_before=False, table_row=table_row)


def _drop_spaces_between_chinese(segment: str, keep: list[bool]) -> None:
    """PDF and Word conversion scatter spaces: "原州区彭堡镇 2021 年度". Keep spaces between Latin words."""
    i = 0
    n = len(segment)
    while i < n:
        if segment[i] not in _SPACE or not keep[i]:
            i += 1
            continue
        j = i
        while j < n and segment[j] in _SPACE:
            j += 1
        before = _last_kept(segment, keep, i)
        after = segment[j] if j < n else ""
        if before == "" or after == "" or _is_wide(before) or _is_wide(after):
            keep[i:j] = [False] * (j - i)
        i = j


def _last_kept(segment: str, keep: list[bool], i: int) -> str:
    while i > 0:
        i -= 1
        if keep[i]:
            return segment[i]
    return ""


def _is_wide(char: str) -> bool:
    code = ord(char)
    return (0x2E80 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF
            or 0x3000 <= code <= 0x303F or 0x2000 <= code <= 0x206F or 0x20000 <= code <= 0x2FFFF)


def _collect(segment: str, keep: list[bool], base: int) -> tuple[str, OffsetMap]:
    chars: list[str] = []
    starts: list[int] = []
    raws: list[int] = []
    previous_raw = -2
    for index, (char, kept) in enumerate(zip(segment, keep)):
        if not kept:
            continue
        raw_pos = base + index
        if raw_pos != previous_raw + 1:
            starts.append(len(chars))
            raws.append(raw_pos)
        chars.append(char)
        previous_raw = raw_pos
    return "".join(chars), OffsetMap(starts, raws)


def _runs_over_page_end(previous: _Line, line: _Line, raw: RawDocument) -> bool:
    """Whether a PDF page ends inside `previous` and `line` on the next page carries it on.

    A line that does not end a sentence at a page end continues, even when it starts like a heading: a
    numbered item ("（一）镇政府聘请专职法律顾问2名，对重大行政决策") cut at the foot of the page. Only a short title
    without a clause ("（二）深入开展普法宣传") is taken for a heading left alone at the foot of the page.
    """
    if raw.kind != "pdf" or previous.heading or line.heading or previous.text[-1] in _COMPLETE_END:
        return False
    if raw.page_at(previous.origin.to_raw(len(previous.text) - 1)) == raw.page_at(line.origin.to_raw(0)):
        return False
    if parse_heading(line.text) is not None or len(previous.text) < 10 or _is_document_title(previous.text):
        return False
    parsed = parse_heading(previous.text)
    if parsed is None:
        return True
    title = parsed[0].title
    return len(title) > _ORPHAN_TITLE_MAX or any(mark in title for mark in "，,；;")


def _continues(previous: _Line, line: _Line, raw: RawDocument) -> bool:
    """Whether `line` is the rest of `previous`, split by a page break or a line wrap."""
    if previous.heading or line.heading or previous.table_row or line.table_row or is_title_only(previous.text):
        return False
    if _is_document_title(previous.text):
        return False
    if parse_heading(line.text) is not None:
        return False
    last = previous.text[-1]
    if last in _COMPLETE_END:
        return False
    if last in _CONTINUES_END:
        return True
    # Text files keep one paragraph a line, so only a long unfinished paragraph continues there;
    # PDF text breaks at every visual line.
    return len(previous.text) >= _JOIN_MIN_LENGTH or (raw.kind == "pdf" and not line.gap_before
                                                      and len(previous.text) >= 10)


def _is_document_title(text: str) -> bool:
    return len(text) <= 60 and bool(_TITLE_END.search(text))


def _join(first: _Line, second: _Line) -> _Line:
    offset = len(first.text)
    starts = first.origin.starts + [s + offset for s in second.origin.starts]
    raws = first.origin.raws + second.origin.raws
    return _Line(first.text + second.text, OffsetMap(starts, raws), first.heading, first.gap_before,
                 first.numbered_item)
