"""Sentences of a passage, with their spans in the passage and in the source text."""
from __future__ import annotations

import re

_SENTENCE = re.compile(r"[^。！？!?；;\n]+[。！？!?；;]*[”’」』）)]*")
_SPACE = re.compile(r"\s+")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Spans [start, end) of the sentences of `text`, leading and trailing whitespace excluded."""
    spans = []
    for match in _SENTENCE.finditer(text):
        start, end = match.start(), match.end()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def locate(source_text: str, sentence: str, start: int, end: int) -> tuple[int, int]:
    """Span of `sentence` inside source_text[start:end] (a chunk's span). Cleaning may have removed
    whitespace and artifacts between characters, so the sentence is found by its ends, not as a whole."""
    window = source_text[start:end]
    compact = _SPACE.sub("", sentence)
    for size in (12, 8, 4, 2, 1):
        head, tail = compact[:size], compact[-size:]
        first = window.find(head)
        if first < 0:
            continue
        last = window.find(tail, first + max(len(compact) - size - 5, 0))
        if last < 0:
            last = window.find(tail, first)
        if last >= 0:
            return start + first, start + last + len(tail)
    return start, end
