"""Okapi BM25 over pre-tokenised chunks, stored as a sparse term × chunk matrix of final weights.

Each stored value is idf(t) · tf·(k1+1) / (tf + k1·(1 − b + b·len/avglen)), so a query is one sparse
matrix-vector product: built once at index time, loaded at search time, never rebuilt per query.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from scipy import sparse

from indexer.store.arrays import ARRAY_READ_LOCK

MATRIX_FILE = "bm25.npz"
VOCAB_FILE = "bm25_vocab.json"
K1 = 1.2
B = 0.75


class Bm25Index:
    def __init__(self, vocabulary: dict[str, int], weights: sparse.csr_matrix, n_docs: int):
        self.vocabulary = vocabulary
        self.weights = weights  # shape (n_terms, n_docs)
        self.n_docs = n_docs

    @classmethod
    def build(cls, documents: list[list[str]]) -> "Bm25Index":
        vocabulary: dict[str, int] = {}
        term_ids: list[int] = []
        doc_ids: list[int] = []
        lengths = np.zeros(len(documents), dtype=np.float32)
        for doc, terms in enumerate(documents):
            lengths[doc] = len(terms)
            for term in terms:
                term_ids.append(vocabulary.setdefault(term, len(vocabulary)))
                doc_ids.append(doc)
        n_docs = len(documents)
        counts = sparse.coo_matrix((np.ones(len(term_ids), np.float32), (term_ids, doc_ids)),
                                   shape=(len(vocabulary), n_docs)).tocsr()
        counts.sum_duplicates()
        document_frequency = np.diff(counts.indptr).astype(np.float32)
        idf = np.log1p((n_docs - document_frequency + 0.5) / (document_frequency + 0.5))
        average = float(lengths.mean()) if n_docs else 1.0
        tf = counts.data
        norm = K1 * (1 - B + B * lengths[counts.indices] / max(average, 1e-9))
        rows = np.repeat(np.arange(len(vocabulary)), np.diff(counts.indptr))
        counts.data = (idf[rows] * tf * (K1 + 1) / (tf + norm)).astype(np.float32)
        return cls(vocabulary, counts, n_docs)

    def __len__(self) -> int:
        return self.n_docs

    def idf(self, term: str) -> float | None:
        """Inverse document frequency of a term, None for terms no chunk contains."""
        term_id = self.vocabulary.get(term)
        if term_id is None:
            return None
        frequency = self.weights.indptr[term_id + 1] - self.weights.indptr[term_id]
        return float(np.log1p((self.n_docs - frequency + 0.5) / (frequency + 0.5)))

    def scores(self, query: dict[str, float]) -> np.ndarray:
        """BM25 score of every chunk for weighted query terms (unknown terms are ignored)."""
        ids = [self.vocabulary[t] for t in query if t in self.vocabulary]
        if not ids:
            return np.zeros(self.n_docs, dtype=np.float32)
        weights = np.array([query[t] for t in query if t in self.vocabulary], dtype=np.float32)
        return np.asarray(self.weights[ids].T @ weights, dtype=np.float32).ravel()

    def search(self, query: dict[str, float], k: int, allowed: np.ndarray | None = None):
        """Top-k (scores, rows) with a positive score; `allowed` is a boolean mask over rows."""
        scores = self.scores(query)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        candidates = np.flatnonzero(scores > 0)
        if len(candidates) > k:
            part = np.argpartition(-scores[candidates], k - 1)[:k]
            candidates = candidates[part]
        order = candidates[np.argsort(-scores[candidates], kind="stable")]
        return scores[order], order.astype(np.int64)

    def save(self, folder: Path) -> None:
        w = self.weights
        np.savez(folder / MATRIX_FILE, data=w.data, indices=w.indices, indptr=w.indptr,
                 shape=np.array(w.shape), n_docs=np.array(self.n_docs))
        terms = sorted(self.vocabulary, key=self.vocabulary.get)
        (folder / VOCAB_FILE).write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "Bm25Index":
        with ARRAY_READ_LOCK, np.load(folder / MATRIX_FILE) as data:
            shape = tuple(int(x) for x in data["shape"])
            weights = sparse.csr_matrix((data["data"], data["indices"], data["indptr"]), shape=shape)
            n_docs = int(data["n_docs"])
        terms = json.loads((folder / VOCAB_FILE).read_text(encoding="utf-8"))
        return cls({term: i for i, term in enumerate(terms)}, weights, n_docs)
