"""A person's decisions on township answers, kept in INDEX_DIR/reviews.sqlite.

The file sits beside `versions/`, outside every index version, so rebuilding the index keeps it. A review is
keyed by (question, township, year): the question normalised (question_key), so the same checklist item asked
again next year finds it. Its evidence is pinned to the document's content hash (DocumentRecord.sha256) and a
character span; when the indexed document of that township and year no longer has that hash the review is
`stale`: shown as such, never silently dropped or applied.
"""
from __future__ import annotations

import re
import sqlite3
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from search.sentences import split_sentences

REVIEWS_FILE = "reviews.sqlite"
DECISIONS = ("confirmed", "rejected")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS reviews (
    question_key TEXT NOT NULL, question TEXT NOT NULL, township TEXT NOT NULL,
    year INTEGER NOT NULL,  -- 0 when the report's year is unknown (NULL would break the key)
    decision TEXT NOT NULL CHECK (decision IN ('confirmed', 'rejected')),
    doc_sha256 TEXT, source TEXT, char_start INTEGER, char_end INTEGER, sentence TEXT,
    reviewer TEXT, reviewed_at TEXT NOT NULL,
    PRIMARY KEY (question_key, township, year)
)"""
_IGNORED = re.compile(r"[\s\W_]+")


class ReviewError(ValueError):
    """A review that cannot be recorded; the message is for users."""


def question_key(question: str) -> str:
    """The question as reviews are matched: NFKC, without whitespace and punctuation."""
    return _IGNORED.sub("", unicodedata.normalize("NFKC", question or ""))


@dataclass
class Review:
    question: str
    township: str
    year: int | None
    decision: str  # confirmed | rejected
    doc_sha256: str | None
    source: str | None
    char_start: int | None
    char_end: int | None
    sentence: str | None
    reviewer: str | None
    reviewed_at: str

    def state(self, hashes: set[str]) -> str:
        """confirmed | rejected while the document is the one reviewed, else stale. `hashes`: the content
        hashes of the indexed reports of this township and year."""
        return self.decision if self.doc_sha256 in hashes else "stale"

    def to_json(self) -> dict:
        return dict(self.__dict__)


class ReviewStore:
    def __init__(self, path: Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as connection:
            connection.execute(_SCHEMA)

    @classmethod
    def beside(cls, index_dir: Path) -> "ReviewStore":
        return cls(Path(index_dir) / REVIEWS_FILE)

    def _connect(self) -> sqlite3.Connection:
        # A connection per call: the app serves sessions from several threads.
        connection = sqlite3.connect(self.path, timeout=10)
        connection.execute("PRAGMA journal_mode=WAL")
        return connection

    def record(self, question: str, township: str, year: int | None, decision: str, *, doc_sha256=None,
               source=None, char_start=None, char_end=None, sentence=None, reviewer=None) -> Review:
        if decision not in DECISIONS:
            raise ReviewError(f"未知的核对结论：{decision}（可选：确认、否定）")
        if decision == "confirmed" and not (doc_sha256 and sentence):
            raise ReviewError("确认需要依据：请指明报告中的原文。")
        review = Review(question, township, year, decision, doc_sha256, source, char_start, char_end, sentence,
                        (reviewer or "").strip() or None, time.strftime("%Y-%m-%dT%H:%M:%S%z"))
        with self._connect() as connection:
            connection.execute(
                "INSERT OR REPLACE INTO reviews VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (question_key(question), question, township, year or 0, decision, doc_sha256, source, char_start,
                 char_end, sentence, review.reviewer, review.reviewed_at))
        return review

    def remove(self, question: str, township: str, year: int | None) -> bool:
        with self._connect() as connection:
            cursor = connection.execute("DELETE FROM reviews WHERE question_key = ? AND township = ? AND year = ?",
                                        (question_key(question), township, year or 0))
        return cursor.rowcount > 0

    def reviews(self, question: str | None = None) -> list[Review]:
        """All reviews, or those of one question, oldest first."""
        sql = ("SELECT question, township, year, decision, doc_sha256, source, char_start, char_end, sentence, "
               "reviewer, reviewed_at FROM reviews")
        args: tuple = ()
        if question is not None:
            sql += " WHERE question_key = ?"
            args = (question_key(question),)
        with self._connect() as connection:
            rows = connection.execute(sql + " ORDER BY reviewed_at, rowid", args).fetchall()
        return [Review(r[0], r[1], r[2] or None, *r[3:]) for r in rows]


def document_hashes(searcher) -> dict[tuple[str, int | None], set[str]]:
    """Content hashes of the indexed reports, by (township, year), for Review.state."""
    hashes: dict[tuple[str, int | None], set[str]] = {}
    for document in searcher.documents():
        hashes.setdefault((township_name(document), document.year), set()).add(document.sha256)
    return hashes


def township_name(document) -> str:
    """The township a report is filed under; the same fallback as search.answer uses for unknown ones."""
    return document.township or f"（未识别乡镇：{document.source}）"


def locate_snippet(text: str, snippet: str) -> tuple[int, int] | None:
    """Span of a verbatim snippet in a report, ignoring whitespace and full/half-width differences (cleaning
    and copying from a PDF change both); None when the report does not say it."""
    wanted = [c for c in unicodedata.normalize("NFKC", snippet) if not c.isspace()]
    if not wanted:
        return None
    positions, folded = [], []
    for position, char in enumerate(text):
        for part in unicodedata.normalize("NFKC", char):
            if not part.isspace():
                positions.append(position)
                folded.append(part)
    found = "".join(folded).find("".join(wanted))
    if found < 0:
        return None
    return positions[found], positions[found + len(wanted) - 1] + 1


def enclosing_sentences(text: str, start: int, end: int) -> tuple[int, int]:
    """The span [start, end) widened to whole sentences of the report."""
    spans = split_sentences(text)
    first = next((s for s, e in spans if s <= start < e), start)
    last = next((e for s, e in spans if s < end <= e), end)
    return min(first, start), max(last, end)
