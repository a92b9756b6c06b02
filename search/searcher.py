"""The search facade: `Searcher.load(index_dir)` once, then `query`, `ask` and `similar`."""
from __future__ import annotations

import copy
import re
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from indexer.analyzer import get_analyzer
from indexer.embed import Statement
from indexer.store import (EVERYTHING, DocumentRecord, IndexProblem, Scope, StoredIndex, StoreSpec, open_index,
                           served_token)
from search.filters import FilterColumns, Filters, expression
from search.fuse import FUSIONS, Ranking
from search.highlight import highlight_spans
from search.relevance import question_alternatives, rate

MODES = ("hybrid", "dense", "bm25")
MAX_QUERY_CHARS = 500
CANDIDATES = 100  # per retriever, before fusion
QUERY_CACHE_SIZE = 256
STATEMENT_CACHE_SIZE = 2048  # with token vectors: about 25 kB each
_HAS_WORD = re.compile(r"[0-9A-Za-z\u4e00-\u9fff\u3400-\u4dbf]")


class QueryError(ValueError):
    """A question that cannot be searched; the message says why, for users."""


class ModelMismatch(IndexProblem):
    pass


@dataclass
class Hit:
    rank: int
    id: str
    score: float
    text: str
    source: str
    doc_id: str
    title: str | None
    township: str | None
    county: str | None
    year: int | None
    section_path: list[str]
    role: str
    page: int
    char_start: int
    char_end: int
    highlights: list[list[int]] = field(default_factory=list)
    matched_terms: list[str] = field(default_factory=list)
    row: int = -1
    page_end: int = 0  # last page of the text; 0 = `page`
    # How much of the question the passage says, 0–1, comparable across questions and modes (search.relevance);
    # None where there is no question (similar passages).
    relevance: float | None = None

    def __post_init__(self):
        self.page_end = self.page_end or self.page

    @property
    def section(self) -> str:
        return " > ".join(self.section_path)

    def to_json(self) -> dict:
        data = asdict(self)
        data.pop("row")
        data["section"] = self.section
        return data


def check_question(text: str) -> str:
    """The question stripped, or QueryError for empty, over-long or wordless input."""
    if text is None or not str(text).strip():
        raise QueryError("请输入要查询的问题。")
    text = str(text).strip()
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"问题太长（{len(text)} 字），请控制在 {MAX_QUERY_CHARS} 字以内。")
    if not _HAS_WORD.search(text):
        raise QueryError("问题里没有可检索的文字（只有标点或符号），请换个说法。")
    return text


@dataclass(frozen=True)
class _Version:
    """Everything read from one published index version."""

    stored: StoredIndex
    documents: dict[str, DocumentRecord]
    columns: FilterColumns


class Searcher:
    def __init__(self, index_dir: Path, stored: StoredIndex, embedder=None):
        self.index_dir = Path(index_dir)
        self.analyzer = get_analyzer()
        self._embedder = embedder
        self._embedder_lock = threading.Lock()
        self._vectors: dict[str, np.ndarray] = {}  # recent query vectors, oldest first
        self._statements: dict[str, Statement] = {}  # recent sentences and their token vectors, oldest first
        self._vectors_lock = threading.Lock()
        self._install(stored)

    @classmethod
    def load(cls, index_dir: Path, model: str | None = None, embedder=None,
             store: StoreSpec | str | None = None) -> "Searcher":
        """Open the served index version. `model`, if given, must be the one that built the index; `store`
        names the engine (indexer/store/spec.py), by default RULEOFLAW_STORE or the one the index was built
        with."""
        stored = open_index(Path(index_dir), store)
        built_with = stored.manifest.get("model")
        asked = embedder.name if embedder is not None else model
        if asked is not None and not _same_model(asked, built_with):
            stored.close()
            raise ModelMismatch(f"该索引由模型 {built_with} 建立，不能用 {asked} 查询。"
                                f"请去掉 --model（自动使用 {built_with}），或用 python -m indexer build --rebuild "
                                f"--model {asked} 重建索引。")
        return cls(index_dir, stored, embedder)

    def _install(self, stored: StoredIndex) -> None:
        documents = stored.table.documents()
        columns = FilterColumns(stored.table.chunk_doc_ids(), stored.table.chunk_roles(), documents)
        # One assignment swaps everything a query reads, so a query running in another thread (Streamlit
        # sessions share this object) sees either the old version or the new one, never a mix.
        self._version = _Version(stored, {d.doc_id: d for d in documents}, columns)

    @property
    def stored(self) -> StoredIndex:
        return self._version.stored

    @property
    def columns(self) -> FilterColumns:
        return self._version.columns

    @property
    def _documents(self) -> dict[str, DocumentRecord]:
        return self._version.documents

    @property
    def manifest(self) -> dict:
        return self._version.stored.manifest

    @property
    def retrieval(self):
        """Vectors and keyword postings of the version in use (methods in indexer/store/retrieval.py)."""
        return self._version.stored.retrieval

    @property
    def token(self) -> str:
        return self._version.stored.token

    def refresh(self) -> bool:
        """Switch to a newer index version if a build has published one; True if it did.

        The old version is not closed here: a query in another thread may still be reading it; its SQLite
        connection closes when the last reference goes."""
        spec = self.stored.spec
        token = served_token(self.index_dir, spec)
        if token is None or token == self.token:
            return False
        self._install(open_index(self.index_dir, spec))
        return True

    @property
    def model_name(self) -> str:
        return self.manifest.get("model")

    @property
    def embedder(self):
        with self._embedder_lock:
            if self._embedder is None:
                from indexer.embed import Embedder
                self._embedder = Embedder(self.model_name)
            return self._embedder

    # --- retrieval -------------------------------------------------------------------------------------

    def query_vector(self, question: str) -> np.ndarray:
        """The question's embedding. Recent ones are kept: the app runs its page again on every click, and
        ask() needs the vector twice, while encoding is most of a query's time."""
        with self._vectors_lock:
            vector = self._vectors.get(question)
        if vector is None:
            vector = self.embedder.encode_query(question)
            with self._vectors_lock:
                self._vectors[question] = vector
                while len(self._vectors) > QUERY_CACHE_SIZE:
                    self._vectors.pop(next(iter(self._vectors)))
        return vector

    def statements(self, texts: list[str]) -> list[Statement]:
        """Sentences (or a question) to compare with a question, for answers; not in the index. They are encoded
        the way questions are (e5's "query: "), as e5 advises for comparing two statements rather than finding
        a passage for a query: on the labelled township questions this separates evidence slightly better.
        Each comes with its token vectors (search.token_match). Recent ones are kept like query vectors: the
        app asks the same question again on every click."""
        with self._vectors_lock:
            known = {t: self._statements[t] for t in texts if t in self._statements}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            known.update(zip(missing, self.embedder.encode_statements(missing)))
            with self._vectors_lock:
                self._statements.update((t, known[t]) for t in missing)
                while len(self._statements) > STATEMENT_CACHE_SIZE:
                    self._statements.pop(next(iter(self._statements)))
        return [known[t] for t in texts]

    def query(self, text: str, top_k: int = 10, mode: str = "hybrid", filters: Filters | None = None,
              fusion: str = "mix") -> list[Hit]:
        question = check_question(text)
        if mode not in MODES:
            raise QueryError(f"未知的检索模式：{mode}（可选：{'、'.join(MODES)}）")
        terms = self.analyzer.query_terms(question)
        version = self._version  # one version for ranking and reading the rows, though a refresh may swap it
        ranking = self.rank(question, terms, max(top_k, 1), mode, filters, fusion, version)
        hits = self.hits(ranking.top(top_k), terms, version)
        idf = version.stored.retrieval.idf
        rate(hits, question_alternatives(self.analyzer, question, idf), idf)
        return hits

    def scope(self, filters: Filters | None) -> Scope:
        """The rows `filters` allow: a mask for in-process search, an expression for Milvus."""
        return _scope(self.columns, filters)

    def rank(self, question: str, terms: dict[str, float], k: int, mode: str, filters: Filters | None,
             fusion: str = "mix", version: _Version | None = None) -> Ranking:
        version = version or self._version
        retrieval = version.stored.retrieval
        scope = _scope(version.columns, filters)
        if len(retrieval) == 0 or (scope.mask is not None and not scope.mask.any()):
            return Ranking.empty()
        if mode == "bm25":
            keyword_scores, keyword_rows = retrieval.keyword_top(terms, max(k, CANDIDATES), scope)
            return Ranking(keyword_rows, keyword_scores)
        query_vector = self.query_vector(question)
        dense_scores, dense_rows = retrieval.dense_top(query_vector, max(k, CANDIDATES), scope)
        if mode == "dense":
            return Ranking(dense_rows, dense_scores)
        _, keyword_rows = retrieval.keyword_top(terms, CANDIDATES, scope)
        # Every candidate gets both scores exactly (search/fuse.py), also those only one side proposed.
        rows = np.union1d(dense_rows, keyword_rows)
        return FUSIONS[fusion](rows, retrieval.keyword_scores(terms, rows), retrieval.cosines(query_vector, rows))

    def hits(self, ranking: Ranking, terms: dict[str, float], version: _Version | None = None) -> list[Hit]:
        version = version or self._version
        records = version.stored.table.chunks(rows=[int(r) for r in ranking.rows])
        hits = []
        for rank, (record, score) in enumerate(zip(records, ranking.scores), start=1):
            document = version.documents[record.doc_id]
            spans, matched = highlight_spans(self.analyzer, record.text, terms)
            hits.append(Hit(rank=rank, id=record.id, score=round(float(score), 4), text=record.text,
                            source=document.source, doc_id=record.doc_id, title=document.title,
                            township=document.township, county=document.county, year=document.year,
                            section_path=record.section_path, role=record.role, page=record.page,
                            char_start=record.char_start, char_end=record.char_end, highlights=spans,
                            matched_terms=matched, row=record.row, page_end=record.page_end))
        return hits

    def pinned(self) -> "Searcher":
        """This searcher held to the index version in use now, for a read of many steps (ask, similar): a
        refresh by another thread meanwhile swaps the original's version, not this one's, so rows found in one
        version are never read from another. Caches and the model are shared."""
        return copy.copy(self)

    def ask(self, question: str, filters: Filters | None = None, top_k: int = 10, exemplars=None):
        from search.answer import answer_question
        return answer_question(self.pinned(), question, filters, top_k, exemplars)

    def similar(self, chunk_id: str, other_townships: bool = True, top_k: int = 10) -> list[Hit]:
        from search.similar import similar_passages
        return similar_passages(self.pinned(), chunk_id, other_townships, top_k)

    # --- documents ---------------------------------------------------------------------------------------

    def documents(self) -> list[DocumentRecord]:
        return list(self._documents.values())

    def document_info(self, doc_id: str) -> DocumentRecord | None:
        """Metadata of an indexed document, without its text (kept in memory)."""
        return self._documents.get(doc_id)

    def document(self, doc_id: str) -> DocumentRecord | None:
        """The document with its full text, or None for ids not in the index."""
        if doc_id not in self._documents:
            return None
        return self.stored.table.document(doc_id)

    def paragraphs(self, doc_id: str):
        return self.stored.table.paragraphs(doc_id) if doc_id in self._documents else []

    def chunks_of(self, doc_id: str):
        return self.stored.table.chunks(doc_id=doc_id) if doc_id in self._documents else []

    def chunk(self, chunk_id: str):
        row = self.stored.table.row_of(chunk_id)
        return None if row is None else self.stored.table.chunks(rows=[row])[0]



def _scope(columns: FilterColumns, filters: Filters | None) -> Scope:
    if filters is None or filters.is_empty():
        return EVERYTHING
    return Scope(columns.mask(filters), expression(filters))


def _same_model(asked: str, built_with: str | None) -> bool:
    from indexer.embed import canonical_model_name
    return canonical_model_name(asked) == built_with
