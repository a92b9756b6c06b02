"""Where the query's terms occur in a passage: merged character spans for the UI and the CLI."""
from __future__ import annotations

from indexer.analyzer import Analyzer, fold

_CONTEXT = 8  # characters of context around a candidate, enough for jieba to segment it as in full text


def highlight_spans(analyzer: Analyzer, text: str, query_terms: dict[str, float]) -> tuple[list[list[int]], list[str]]:
    """Spans [start, end) in `text` of tokens that are query terms, merged where they overlap or touch,
    and the distinct matched terms. Single characters are not marked: they match everywhere.

    A match is what the analyzer's own tokens say, as at indexing time; to keep this cheap on long
    passages only short windows around literal occurrences of the terms are tokenised.
    """
    folded = fold(text)
    candidates = []
    for term in query_terms:
        if len(term) < 2:
            continue
        start = folded.find(term)
        while start >= 0:
            candidates.append((start, start + len(term)))
            start = folded.find(term, start + 1)
    if not candidates:
        return [], []
    tokens = set()
    for window_start, window_end in merge_spans([[max(0, s - _CONTEXT), min(len(text), e + _CONTEXT)]
                                                 for s, e in candidates]):
        for token in analyzer.tokens(text[window_start:window_end]):
            tokens.add((token.start + window_start, token.end + window_start, token.term))
    spans, matched = [], []
    for start, end, term in sorted(tokens):
        if term in query_terms and len(term) >= 2:
            spans.append([start, end])
            if term not in matched:
                matched.append(term)
    return merge_spans(spans), matched


def merge_spans(spans: list[list[int]]) -> list[list[int]]:
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def mark(text: str, spans: list[list[int]], before: str = "【", after: str = "】") -> str:
    """Plain-text marking for terminals: "聘请【法律顾问】"."""
    pieces = []
    position = 0
    for start, end in spans:
        pieces.append(text[position:start])
        pieces.append(before + text[start:end] + after)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)
