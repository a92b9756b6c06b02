"""Plain data passed between the indexing stages: load → clean → structure → metadata → chunk.

All character offsets (`char_start`, `char_end`, `offsets`, `page_starts`) refer to `RawDocument.text`,
the text exactly as extracted from the source file, so a citation can always be shown in place.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path

ROLE_DONE = "做法成效"
ROLE_PROBLEM = "问题不足"
ROLE_PLAN = "下一步计划"
ROLE_OTHER = "其他"
ROLES = (ROLE_DONE, ROLE_PROBLEM, ROLE_PLAN, ROLE_OTHER)


@dataclass
class RawDocument:
    """A source file as extracted, before any cleaning."""

    source: str  # path relative to the corpus folder, with forward slashes
    path: Path
    text: str
    kind: str  # "txt" | "md" | "pdf" | "docx"
    encoding: str | None = None
    page_starts: list[int] = field(default_factory=lambda: [0])  # offset where page i+1 begins
    heading_starts: dict[int, int] = field(default_factory=dict)  # docx: paragraph offset -> style level
    table_rows: set[int] = field(default_factory=set)  # docx: offset of each line read from a table row
    warnings: list[str] = field(default_factory=list)

    def page_at(self, offset: int) -> int:
        """1-based page number holding `offset`."""
        return max(1, bisect.bisect_right(self.page_starts, offset))


@dataclass
class Heading:
    style: str  # numbering style, e.g. "cn、", "(cn)", "num、", "(num)", "md"
    number: int | None
    title: str  # heading text without its number, e.g. "加强组织领导，健全组织机构"
    level: int = 0  # depth in the document's outline, 1 = top


class OffsetMap:
    """Maps positions in a cleaned string back to the raw text.

    Cleaning only deletes characters, so the map is a few runs of consecutive positions: run i starts at
    cleaned position `starts[i]` and raw position `raws[i]`. Runs keep memory small on large files, where a
    list with one int per character would not.
    """

    __slots__ = ("starts", "raws")

    def __init__(self, starts: list[int], raws: list[int]):
        self.starts = starts
        self.raws = raws

    def to_raw(self, pos: int) -> int:
        run = bisect.bisect_right(self.starts, pos) - 1
        return self.raws[run] + pos - self.starts[run]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Raw span of the cleaned slice [start, end) (end > start)."""
        return self.to_raw(start), self.to_raw(end - 1) + 1


@dataclass
class Paragraph:
    """A cleaned paragraph and where each of its characters came from."""

    text: str
    origin: OffsetMap
    heading: Heading | None = None
    section_path: tuple[str, ...] = ()
    role: str = ROLE_OTHER
    page: int = 1
    page_end: int = 1  # page of the last character: a paragraph can run over a page end
    chunkable: bool = True  # False for title lines, addressees and signatures
    numbered_item: bool = False  # a numbered line that ran on over a page end: body text, not a heading
    table_row: bool = False  # a line read from a table row: body text, never a heading

    @property
    def char_start(self) -> int:
        return self.origin.to_raw(0)

    @property
    def char_end(self) -> int:
        return self.origin.to_raw(len(self.text) - 1) + 1


@dataclass
class Metadata:
    title: str | None = None
    township: str | None = None
    county: str | None = None
    year: int | None = None
    signed: str | None = None  # signing date as ISO yyyy-mm-dd when present
    overridden: tuple[str, ...] = ()  # fields taken from the sidecar metadata.csv


@dataclass
class Chunk:
    id: str
    doc_id: str
    seq: int
    text: str
    section_path: tuple[str, ...]
    role: str
    page: int
    char_start: int
    char_end: int
    page_end: int  # page of the last character: a chunk can run over a page end


@dataclass
class Document:
    doc_id: str
    raw: RawDocument
    paragraphs: list[Paragraph]
    metadata: Metadata
    chunks: list[Chunk] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def source(self) -> str:
        return self.raw.source
