"""年度核查: a checklist of questions asked of every report, as a township × item matrix.

A checklist is a CSV with columns `id,question` (UTF-8 with or without BOM, or GBK, as Excel and WPS save it)
or a .txt with one question per line. run_checklist asks each item once over all reports (Searcher.ask) and
reads each township's cell from that answer, so a cell is exactly what `ask` says of that township, unless a
person's review (search.reviews) overrides it. Reviews of an item also teach its answer here (search.exemplars);
plain `ask` does not read them.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from search.exemplars import Exemplars
from search.reviews import ReviewStore, document_hashes, township_name

DEFAULT_CHECKLIST = Path(__file__).resolve().parent.parent / "data" / "checklist.csv"
MAX_ITEMS = 200
STATUSES = ("done", "planned", "mentioned", "candidate", "none")


class ChecklistError(ValueError):
    """A checklist file that cannot be read; the message is for users."""


@dataclass
class Item:
    id: str
    question: str


@dataclass
class Checklist:
    name: str
    items: list[Item]

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == str(item_id).strip():
                return item
        raise ChecklistError(f"核查清单“{self.name}”中没有编号为 {item_id} 的项目"
                             f"（可用编号：{'、'.join(i.id for i in self.items[:30])}）。")


def load_checklist(path: Path | str | None = None) -> Checklist:
    path = Path(path) if path else DEFAULT_CHECKLIST
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ChecklistError(f"无法读取核查清单 {path}：{error.strerror or error}") from error
    return parse_checklist(data, path.name)


def parse_checklist(data: bytes, name: str) -> Checklist:
    """From the bytes of a .csv (id,question) or .txt (one question a line) file."""
    text = _decode(data, name)
    if name.lower().endswith(".txt"):
        questions = [line.strip() for line in text.splitlines() if line.strip()]
        items = [Item(str(number), q) for number, q in enumerate(questions, start=1)]
    else:
        items = _csv_items(text, name)
    if not items:
        raise ChecklistError(f"核查清单 {name} 中没有问题。")
    if len(items) > MAX_ITEMS:
        raise ChecklistError(f"核查清单 {name} 有 {len(items)} 项，最多 {MAX_ITEMS} 项。")
    seen = set()
    for item in items:
        if item.id in seen:
            raise ChecklistError(f"核查清单 {name} 中编号 {item.id} 重复。")
        seen.add(item.id)
    return Checklist(name, items)


def _decode(data: bytes, name: str) -> str:
    if b"\x00" in data[:4096]:
        raise ChecklistError(f"{name} 不是文本文件：核查清单应为 CSV（id,question 两列）或每行一个问题的 TXT。")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ChecklistError(f"无法识别 {name} 的编码：请另存为 UTF-8 或 GBK 编码的 CSV。")


def _csv_items(text: str, name: str) -> list[Item]:
    rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
    if not rows:
        return []
    header = [cell.strip().lower() for cell in rows[0]]
    if "id" not in header or "question" not in header:
        raise ChecklistError(f"核查清单 {name} 的第一行应为列名 id,question（现在是：{','.join(rows[0])}）。")
    id_column, question_column = header.index("id"), header.index("question")
    items = []
    for line, row in enumerate(rows[1:], start=2):
        item_id = row[id_column].strip() if id_column < len(row) else ""
        question = row[question_column].strip() if question_column < len(row) else ""
        if not question:
            raise ChecklistError(f"核查清单 {name} 第 {line} 行没有问题（question 列为空）。")
        if not item_id:
            raise ChecklistError(f"核查清单 {name} 第 {line} 行没有编号（id 列为空）。")
        items.append(Item(item_id, question))
    return items


@dataclass
class Cell:
    indicator: str
    township: str
    county: str | None
    year: int | None
    status: str  # done | planned | mentioned | candidate | none
    weak: bool = False
    review: str | None = None  # confirmed | rejected | stale
    evidence: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return dict(self.__dict__)


@dataclass
class Matrix:
    checklist: Checklist
    townships: list[dict]  # name, county, year
    cells: list[Cell]
    seconds: float = 0.0
    answers: dict = field(default_factory=dict, repr=False)  # item id -> its Answer, to apply new reviews

    def refresh_item(self, searcher, item_id: str, reviews: ReviewStore) -> None:
        """Cells of one item again after a review, from the answer already given (no new search)."""
        item = self.checklist.item(item_id)
        item_reviews = {(r.township, r.year): r for r in reviews.reviews(item.question)}
        fresh = item_cells(item_id, self.answers[item_id], self.townships, item_reviews, document_hashes(searcher),
                           {d.source: d.doc_id for d in searcher.documents()})
        by_key = {(c.township, c.year): c for c in fresh}
        self.cells = [by_key[(c.township, c.year)] if c.indicator == item_id else c for c in self.cells]

    def cell(self, indicator: str, township: str, year: int | None) -> Cell | None:
        return next((c for c in self.cells if (c.indicator, c.township, c.year) == (indicator, township, year)),
                    None)

    def to_json(self) -> dict:
        return {"checklist": {"name": self.checklist.name, "items": len(self.checklist.items)},
                "indicators": [{"id": i.id, "question": i.question} for i in self.checklist.items],
                "townships": self.townships, "cells": [c.to_json() for c in self.cells]}


def run_checklist(searcher, checklist: Checklist, filters=None, reviews: ReviewStore | None = None,
                  progress=None) -> Matrix:
    """Every item over every report matching `filters`. `progress(done, total, item)` after each item."""
    import time

    started = time.perf_counter()
    searcher = searcher.pinned()  # one index version for the whole table, whatever a build publishes meanwhile
    townships = _townships(searcher, filters)
    hashes = document_hashes(searcher)
    doc_ids = {d.source: d.doc_id for d in searcher.documents()}
    cells, answers = [], {}
    for number, item in enumerate(checklist.items, start=1):
        exemplars = Exemplars.for_question(reviews, item.question)
        answer = answers[item.id] = searcher.ask(item.question, filters=filters, exemplars=exemplars)
        item_reviews = {(r.township, r.year): r for r in (reviews.reviews(item.question) if reviews else [])}
        cells.extend(item_cells(item.id, answer, townships, item_reviews, hashes, doc_ids))
        if progress:
            progress(number, len(checklist.items), item)
    return Matrix(checklist, townships, cells, round(time.perf_counter() - started, 2), answers)


def item_cells(item_id: str, answer, townships: list[dict], reviews: dict, hashes: dict,
               doc_ids: dict | None = None) -> list[Cell]:
    """One cell per township: its entry in the answer, else its near candidate, else none; then its review."""
    listed = {(t.name, t.year): t for t in answer.townships}
    near = {(t.name, t.year): t for t in answer.near}
    cells = []
    for township in townships:
        key = (township["name"], township["year"])
        found = listed.get(key) or near.get(key)
        cell = Cell(item_id, township["name"], township["county"], township["year"],
                    found.status if found else "none", bool(found and found.weak),
                    evidence=[evidence_json(e) for e in found.evidence] if found else [])
        review = reviews.get(key)
        if review is not None:
            cell.review = review.state(hashes.get(key, set()))
            if cell.review == "confirmed":
                cell.status, cell.weak = "done", False
                cell.evidence = [{"id": None, "doc_id": (doc_ids or {}).get(review.source), "source": review.source,
                                  "sentence": review.sentence, "char_start": review.char_start,
                                  "char_end": review.char_end}]
            elif cell.review == "rejected":
                cell.status, cell.weak, cell.evidence = "none", False, []
        cells.append(cell)
    return cells


def evidence_json(evidence) -> dict:
    return {"id": evidence.id, "doc_id": evidence.doc_id, "source": evidence.source, "sentence": evidence.sentence,
            "char_start": evidence.char_start, "char_end": evidence.char_end}


def _townships(searcher, filters) -> list[dict]:
    """The (township, year) rows of the matrix: every indexed report matching the filters."""
    columns = searcher.columns
    mask = columns.mask(filters)
    wanted_docs = None if mask is None else {columns.doc_ids[i] for i in set(columns.row_doc[mask].tolist())}
    rows = {}
    for document in searcher.documents():
        if wanted_docs is not None and document.doc_id not in wanted_docs:
            continue
        key = (township_name(document), document.year)
        rows.setdefault(key, {"name": key[0], "county": document.county, "year": document.year})
    return sorted(rows.values(), key=lambda t: (t["county"] or "", t["name"], t["year"] or 0))
