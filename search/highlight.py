"""Where the query's terms occur in a passage: merged character spans for the UI and the CLI."""
from __future__ import annotations

from indexer.analyzer import Analyzer


def highlight_spans(analyzer: Analyzer, text: str, query_terms: dict[str, float]) -> tuple[list[list[int]], list[str]]:
    """Spans [start, end) in `text` of tokens that are query terms, merged where they overlap or touch,
    and the distinct matched terms. Single characters are not marked: they match everywhere."""
    spans: list[list[int]] = []
    matched: list[str] = []
    for token in analyzer.tokens(text):
        if token.term in query_terms and len(token.term) >= 2:
            spans.append([token.start, token.end])
            if token.term not in matched:
                matched.append(token.term)
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
