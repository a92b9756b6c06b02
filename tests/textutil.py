"""Helpers for tests of the text stages."""
from __future__ import annotations

from pathlib import Path

from indexer.document import RawDocument


def raw(text: str, kind: str = "txt", source: str = "test.txt", **extra) -> RawDocument:
    return RawDocument(source=source, path=Path(source), text=text, kind=kind, **extra)


def is_subsequence(short: str, long: str) -> bool:
    characters = iter(long)
    return all(c in characters for c in short)
