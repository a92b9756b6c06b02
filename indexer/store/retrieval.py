"""What search asks of a store, whichever engine holds the vectors and the keyword postings.

Chunks are addressed by their row in the published version (the order of the chunk table). Two
implementations: `FaissRetrieval` (the default; vectors.npy + FAISS and our BM25 matrix, in this process)
and `MilvusRetrieval` (indexer/store/milvus_search.py; the same rows in a Milvus collection). Search code
(Searcher, answers, similar passages) uses only these methods, so it works the same on either:

    len(store)                                 number of chunks
    keyword_top(terms, k, scope)               best k rows by BM25 with their scores
    dense_top(vector, k, scope)                best k rows by cosine with their scores
    keyword_scores(terms, rows)                exact BM25 scores of the given rows
    cosines(vector, rows)                      exact cosines of the given rows
    vectors(rows)                              stored vectors of the given rows (similar passages, builds)
    idf(term)                                  inverse document frequency, None for unknown terms
    close()

A `Scope` says which rows a search may return: a boolean mask for in-process engines and the same rule as
a boolean expression for engines that filter on their side.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from indexer.store.bm25 import Bm25Index
from indexer.store.vectors import VectorIndex


@dataclass(frozen=True)
class Scope:
    mask: np.ndarray | None = None  # boolean over rows; None: every row
    expression: str | None = None  # the same rule in Milvus' filter language; None: every row

    @property
    def everything(self) -> bool:
        return self.mask is None


EVERYTHING = Scope()


class FaissRetrieval:
    """Vectors in FAISS and BM25 weights in a sparse matrix, both loaded into this process."""

    def __init__(self, vectors: VectorIndex, bm25: Bm25Index):
        self.vector_index = vectors
        self.bm25 = bm25
        self._last_keyword: tuple[tuple, np.ndarray] | None = None  # (terms, scores) of the latest query

    def __len__(self) -> int:
        return len(self.vector_index)

    @property
    def dimension(self) -> int:
        return self.vector_index.dimension

    def _keyword_all(self, terms: dict[str, float]) -> np.ndarray:
        # A search asks for the top rows and then for the scores of the fused candidates: one product
        # serves both (a tuple swap is atomic, so threads sharing this store at worst compute twice).
        key = tuple(sorted(terms.items()))
        last = self._last_keyword
        if last is not None and last[0] == key:
            return last[1]
        scores = self.bm25.scores(terms) if terms else np.zeros(len(self), np.float32)
        self._last_keyword = (key, scores)
        return scores

    def keyword_top(self, terms: dict[str, float], k: int, scope: Scope = EVERYTHING):
        scores = self._keyword_all(terms)
        if scope.mask is not None:
            scores = np.where(scope.mask, scores, 0.0).astype(np.float32)
        rows = top_rows(scores, k)
        return scores[rows], rows

    def dense_top(self, vector: np.ndarray, k: int, scope: Scope = EVERYTHING):
        return self.vector_index.search(vector, k, scope.mask)

    def keyword_scores(self, terms: dict[str, float], rows: np.ndarray) -> np.ndarray:
        return self._keyword_all(terms)[np.asarray(rows, dtype=np.int64)]

    def cosines(self, vector: np.ndarray, rows: np.ndarray) -> np.ndarray:
        return self.vector_index.vectors[np.asarray(rows, dtype=np.int64)] @ vector.astype(np.float32)

    def vectors(self, rows) -> np.ndarray:
        return self.vector_index.vectors[np.asarray(rows, dtype=np.int64)]

    def idf(self, term: str) -> float | None:
        return self.bm25.idf(term)

    def close(self) -> None:
        pass


def top_rows(scores: np.ndarray, k: int) -> np.ndarray:
    """Rows with a positive score, best first, at most k."""
    candidates = np.flatnonzero(scores > 0)
    if len(candidates) > k:
        candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
    return candidates[np.argsort(-scores[candidates], kind="stable")].astype(np.int64)
