"""Cut a structured document into paragraph chunks of roughly 100–350 characters.

A chunk is a paragraph, a run of short paragraphs of one section, or a piece of a long paragraph cut at
sentence ends, preferably where an enumeration (一是…二是…, 1.…2.…) begins. Heading lines are carried into
the chunk that follows them. Every chunk keeps its raw-text span, page, section path and role.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from indexer.document import Chunk, Paragraph, RawDocument

CHUNKER_VERSION = 2  # 2: page ends, table rows read with their header, items over page ends
MIN_CHARS = 100
MAX_CHARS = 350

_SENTENCE = re.compile(r"[^。！？!?；;]*(?:[。！？!?；;]+[”’」』）)]*|$)")
_ENUMERATION = re.compile(r"(?:[一二三四五六七八九十]+是|第[一二三四五六七八九十]+[，,、]|其[一二三四五六七八九十][，,、]"
                          r"|\d{1,2}[.．、](?!\d)|[（(][一二三四五六七八九十\d]{1,2}[)）])")


@dataclass
class _Piece:
    """A run of cleaned text from one paragraph: paragraph.text[start:end]."""

    paragraph: Paragraph
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.paragraph.text[self.start:self.end]


def chunk_paragraphs(doc_id: str, raw: RawDocument, paragraphs: list[Paragraph]) -> list[Chunk]:
    groups: list[list[_Piece]] = []
    pending_headings: list[_Piece] = []
    previous: Paragraph | None = None
    for paragraph in paragraphs:
        if not paragraph.chunkable:
            continue
        whole = _Piece(paragraph, 0, len(paragraph.text))
        if _is_heading_line(paragraph):
            pending_headings.append(whole)
            continue
        pieces = _split_long(paragraph)
        if pending_headings:
            groups.append(pending_headings + [pieces[0]])
            groups.extend([piece] for piece in pieces[1:])
            pending_headings = []
        elif groups and previous is not None and _can_merge(groups[-1], paragraph, previous) and len(pieces) == 1:
            groups[-1].append(pieces[0])
        else:
            groups.extend([piece] for piece in pieces)
        previous = paragraph
    if pending_headings and sum(len(p.text) for p in pending_headings) >= 8:
        groups.append(pending_headings)
    return [_make_chunk(doc_id, seq, group, raw) for seq, group in enumerate(groups)]


def _is_heading_line(paragraph: Paragraph) -> bool:
    return paragraph.heading is not None and len(paragraph.text) <= 60 and not re.search(
        r"[。！？；]", paragraph.text[:-1])


def _can_merge(group: list[_Piece], paragraph: Paragraph, previous: Paragraph) -> bool:
    """Short paragraphs of one section join the chunk before them while it is short too."""
    size = sum(len(piece.text) + 1 for piece in group)
    return (previous.section_path == paragraph.section_path and previous.role == paragraph.role
            and (size < MIN_CHARS or len(paragraph.text) < MIN_CHARS)
            and size + len(paragraph.text) <= MAX_CHARS)


def _split_long(paragraph: Paragraph) -> list[_Piece]:
    text = paragraph.text
    if len(text) <= MAX_CHARS:
        return [_Piece(paragraph, 0, len(text))]
    target = len(text) / math.ceil(len(text) / MAX_CHARS)
    pieces: list[_Piece] = []
    start = 0
    for sentence_start, sentence_end in _sentences(text):
        size = sentence_start - start
        starts_item = bool(_ENUMERATION.match(text, sentence_start))
        if size > 0 and (size + (sentence_end - sentence_start) > MAX_CHARS or size >= target
                         or (starts_item and size >= MIN_CHARS)):
            pieces.append(_Piece(paragraph, start, sentence_start))
            start = sentence_start
    pieces.append(_Piece(paragraph, start, len(text)))
    return _merge_small([piece for part in pieces for piece in _hard_split(part)])


def _merge_small(pieces: list[_Piece]) -> list[_Piece]:
    """A short piece left over at a cut joins its neighbour when both fit in one chunk."""
    merged: list[_Piece] = []
    for piece in pieces:
        last = merged[-1] if merged else None
        if (last is not None and min(last.end - last.start, piece.end - piece.start) < MIN_CHARS
                and piece.end - last.start <= MAX_CHARS):
            merged[-1] = _Piece(piece.paragraph, last.start, piece.end)
        else:
            merged.append(piece)
    return merged


def _sentences(text: str):
    position = 0
    while position < len(text):
        match = _SENTENCE.match(text, position)
        end = match.end() if match and match.end() > position else len(text)
        yield position, end
        position = end


def _hard_split(piece: _Piece) -> list[_Piece]:
    """A single sentence longer than the limit is cut at commas, or at the limit as a last resort."""
    if piece.end - piece.start <= MAX_CHARS:
        return [piece]
    text = piece.paragraph.text
    parts = []
    start = piece.start
    while piece.end - start > MAX_CHARS:
        window = text[start:start + MAX_CHARS]
        cut = max(window.rfind("，"), window.rfind(","), window.rfind("、"))
        end = start + (cut + 1 if cut >= MIN_CHARS else MAX_CHARS)
        parts.append(_Piece(piece.paragraph, start, end))
        start = end
    parts.append(_Piece(piece.paragraph, start, piece.end))
    return parts


def _make_chunk(doc_id: str, seq: int, group: list[_Piece], raw: RawDocument) -> Chunk:
    content = next((piece for piece in group if not _is_heading_line(piece.paragraph)), group[0])
    first, last = group[0], group[-1]
    char_start = first.paragraph.origin.to_raw(first.start)
    char_end = last.paragraph.origin.to_raw(last.end - 1) + 1
    return Chunk(
        id=f"{doc_id}-{seq:04d}",
        doc_id=doc_id,
        seq=seq,
        text="\n".join(piece.text for piece in group),
        section_path=content.paragraph.section_path,
        role=content.paragraph.role,
        page=raw.page_at(char_start),
        char_start=char_start,
        char_end=char_end,
        page_end=raw.page_at(char_end - 1),
    )
