"""The chunk table: documents, their paragraphs and chunks, and skipped files, in one SQLite file.

Chunk rows are numbered 0..n-1 in the order of the vector and BM25 matrices, so a row number found by
either retriever is the key here. The table is written once per index version and then only read.
"""
from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

TABLE_FILE = "chunks.sqlite"

_SCHEMA = """
CREATE TABLE documents (
    doc_id TEXT PRIMARY KEY, source TEXT NOT NULL, path TEXT, kind TEXT, encoding TEXT,
    sha256 TEXT, size INTEGER, pages INTEGER, title TEXT, township TEXT, county TEXT, year INTEGER,
    signed TEXT, overridden TEXT, warnings TEXT, chunks INTEGER, text TEXT
);
CREATE TABLE paragraphs (
    doc_id TEXT, seq INTEGER, char_start INTEGER, char_end INTEGER, level INTEGER, heading TEXT,
    section_path TEXT, role TEXT, page INTEGER, page_end INTEGER, PRIMARY KEY (doc_id, seq)
);
CREATE TABLE chunks (
    row INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL, seq INTEGER, text TEXT,
    section_path TEXT, role TEXT, page INTEGER, char_start INTEGER, char_end INTEGER, terms TEXT, page_end INTEGER
);
CREATE INDEX chunks_doc ON chunks (doc_id);
CREATE TABLE skipped (source TEXT PRIMARY KEY, reason TEXT);
"""


@dataclass
class DocumentRecord:
    doc_id: str
    source: str
    path: str
    kind: str
    encoding: str | None
    sha256: str
    size: int
    pages: int
    title: str | None
    township: str | None
    county: str | None
    year: int | None
    signed: str | None
    overridden: list[str]
    warnings: list[str]
    chunks: int
    text: str


@dataclass
class ParagraphRecord:
    doc_id: str
    seq: int
    char_start: int
    char_end: int
    level: int  # heading level, 0 for body paragraphs
    heading: str | None
    section_path: list[str]
    role: str
    page: int
    page_end: int = 0  # page of the last character; 0 (tables written before it was kept) = `page`

    def __post_init__(self):
        self.page_end = self.page_end or self.page


@dataclass
class ChunkRecord:
    id: str
    doc_id: str
    seq: int
    text: str
    section_path: list[str]
    role: str
    page: int
    char_start: int
    char_end: int
    terms: list[str] = field(default_factory=list)
    row: int = -1
    page_end: int = 0  # page of the last character; 0 (tables written before it was kept) = `page`

    def __post_init__(self):
        self.page_end = self.page_end or self.page


def write_table(path: Path, documents: list[DocumentRecord], paragraphs: list[ParagraphRecord],
                chunks: list[ChunkRecord], skipped: list[tuple[str, str]]) -> None:
    connection = sqlite3.connect(path)
    try:
        connection.executescript(_SCHEMA)
        connection.executemany(
            "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [(d.doc_id, d.source, d.path, d.kind, d.encoding, d.sha256, d.size, d.pages, d.title, d.township,
              d.county, d.year, d.signed, json.dumps(d.overridden), json.dumps(d.warnings, ensure_ascii=False),
              d.chunks, d.text) for d in documents])
        connection.executemany(
            "INSERT INTO paragraphs VALUES (?,?,?,?,?,?,?,?,?,?)",
            [(p.doc_id, p.seq, p.char_start, p.char_end, p.level, p.heading,
              json.dumps(p.section_path, ensure_ascii=False), p.role, p.page, p.page_end) for p in paragraphs])
        connection.executemany(
            "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            [(row, c.id, c.doc_id, c.seq, c.text, json.dumps(c.section_path, ensure_ascii=False), c.role, c.page,
              c.char_start, c.char_end, " ".join(c.terms), c.page_end) for row, c in enumerate(chunks)])
        connection.executemany("INSERT INTO skipped VALUES (?,?)", skipped)
        connection.commit()
    finally:
        connection.close()


class ChunkTable:
    """Read-only access, safe to share between threads (Streamlit runs sessions in threads)."""

    def __init__(self, path: Path):
        self._connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        self._lock = threading.Lock()
        # Tables written before page ends were kept have no page_end column; their rows read it as `page`.
        columns = {row[1] for row in self._query("PRAGMA table_info(chunks)")}
        self._page_end = "page_end" if "page_end" in columns else "0"

    def close(self) -> None:
        self._connection.close()

    def _query(self, sql: str, params=()) -> list[tuple]:
        with self._lock:
            return self._connection.execute(sql, params).fetchall()

    def documents(self, with_text: bool = False) -> list[DocumentRecord]:
        text = "text" if with_text else "''"
        rows = self._query(f"SELECT doc_id, source, path, kind, encoding, sha256, size, pages, title, township, "
                           f"county, year, signed, overridden, warnings, chunks, {text} FROM documents "
                           f"ORDER BY source")
        return [_document(row) for row in rows]

    def document(self, doc_id: str) -> DocumentRecord | None:
        rows = self._query("SELECT * FROM documents WHERE doc_id = ?", (doc_id,))
        return _document(rows[0]) if rows else None

    def paragraphs(self, doc_id: str) -> list[ParagraphRecord]:
        rows = self._query(f"SELECT doc_id, seq, char_start, char_end, level, heading, section_path, role, page, "
                           f"{self._page_end} FROM paragraphs WHERE doc_id = ? ORDER BY seq", (doc_id,))
        return [ParagraphRecord(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7], r[8], r[9]) for r in rows]

    def chunks(self, rows: list[int] | None = None, doc_id: str | None = None,
               with_terms: bool = False) -> list[ChunkRecord]:
        columns = "row, id, doc_id, seq, text, section_path, role, page, char_start, char_end, " + (
            "terms" if with_terms else "''") + f", {self._page_end}"
        if rows is not None:
            found = {}
            for start in range(0, len(rows), 500):
                part = [int(r) for r in rows[start:start + 500]]
                marks = ",".join("?" * len(part))
                for record in self._query(f"SELECT {columns} FROM chunks WHERE row IN ({marks})", part):
                    found[record[0]] = _chunk(record)
            return [found[int(r)] for r in rows if int(r) in found]
        if doc_id is not None:
            return [_chunk(r) for r in self._query(f"SELECT {columns} FROM chunks WHERE doc_id = ? ORDER BY seq",
                                                   (doc_id,))]
        return [_chunk(r) for r in self._query(f"SELECT {columns} FROM chunks ORDER BY row")]

    def row_of(self, chunk_id: str) -> int | None:
        rows = self._query("SELECT row FROM chunks WHERE id = ?", (chunk_id,))
        return rows[0][0] if rows else None

    def chunk_doc_ids(self) -> np.ndarray:
        """The document id of every chunk row, in row order (for filters)."""
        return np.array([r[0] for r in self._query("SELECT doc_id FROM chunks ORDER BY row")], dtype=object)

    def chunk_roles(self) -> np.ndarray:
        return np.array([r[0] for r in self._query("SELECT role FROM chunks ORDER BY row")], dtype=object)

    def skipped(self) -> list[tuple[str, str]]:
        return self._query("SELECT source, reason FROM skipped ORDER BY source")


def _document(row: tuple) -> DocumentRecord:
    return DocumentRecord(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9], row[10],
                          row[11], row[12], json.loads(row[13] or "[]"), json.loads(row[14] or "[]"), row[15],
                          row[16])


def _chunk(row: tuple) -> ChunkRecord:
    return ChunkRecord(id=row[1], doc_id=row[2], seq=row[3], text=row[4], section_path=json.loads(row[5]),
                       role=row[6], page=row[7], char_start=row[8], char_end=row[9],
                       terms=row[10].split() if row[10] else [], row=row[0], page_end=row[11])
