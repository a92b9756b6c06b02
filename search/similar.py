"""Paragraphs that describe the same practice in other townships.

The source chunk is its own query: its vector for the dense side and its distinctive terms for BM25,
fused like any search. Chunks of the source township (or, when the township is unknown, of the source
document) are left out, and each other township contributes at most two paragraphs.
"""
from __future__ import annotations

from collections import Counter

import numpy as np

from indexer.store import Scope
from search.filters import literal
from search.fuse import score_mix
from search.searcher import CANDIDATES, Hit

PER_TOWNSHIP = 2
KEY_TERMS = 12


def similar_passages(searcher, chunk_id: str, other_townships: bool = True, top_k: int = 10) -> list[Hit]:
    row = searcher.stored.table.row_of(chunk_id)
    if row is None:
        raise KeyError(chunk_id)
    record = searcher.stored.table.chunks(rows=[row], with_terms=True)[0]
    source_doc = searcher.document_info(record.doc_id)
    retrieval = searcher.retrieval
    vector = retrieval.vectors([row])[0]
    terms = _key_terms(searcher, record.terms)
    scope = _elsewhere(searcher, source_doc, row, other_townships)
    if not scope.mask.any():
        return []
    _, keyword_rows = retrieval.keyword_top(terms, CANDIDATES, scope)
    _, dense_rows = retrieval.dense_top(vector, CANDIDATES, scope)
    rows = np.union1d(dense_rows, keyword_rows)
    fused = score_mix(rows, retrieval.keyword_scores(terms, rows), retrieval.cosines(vector, rows))
    hits = searcher.hits(fused.top(top_k * 4), terms)
    per_place: Counter = Counter()
    chosen = []
    for hit in hits:
        place = hit.township or hit.doc_id
        if per_place[place] >= PER_TOWNSHIP:
            continue
        per_place[place] += 1
        chosen.append(hit)
        if len(chosen) == top_k:
            break
    for rank, hit in enumerate(chosen, start=1):
        hit.rank = rank
    return chosen


def _key_terms(searcher, terms: list[str]) -> dict[str, float]:
    """The chunk's most distinctive terms (tf × idf, longer words first among equals), so that boilerplate
    does not drive the match: 法律顾问 rather than its parts 法律 and 顾问."""
    counts = Counter(t for t in terms if len(t) >= 2)
    scored = {t: c * (searcher.retrieval.idf(t) or 0.0) * (1 + 0.25 * (len(t) - 2)) for t, c in counts.items()}
    top = sorted(scored, key=scored.get, reverse=True)[:KEY_TERMS]
    return {t: 1.0 for t in top if scored[t] > 0}


def _elsewhere(searcher, source_doc, row: int, other_townships: bool) -> Scope:
    """Every chunk but the source one; with `other_townships`, only those of other townships (of other
    documents when the source's township is unknown)."""
    columns = searcher.columns
    if not other_townships:
        allowed = np.ones(len(columns.row_doc), dtype=bool)
        rule = f"row != {int(row)}"
    elif source_doc.township:
        allowed = (columns.township != source_doc.township)[columns.row_doc]
        rule = f"township != {literal(source_doc.township)}"
    else:
        allowed = np.array([doc_id != source_doc.doc_id for doc_id in columns.doc_ids], dtype=bool)[columns.row_doc]
        rule = f"doc_id != {literal(source_doc.doc_id)}"
    allowed = allowed.copy() if len(columns.row_doc) else np.zeros(0, dtype=bool)
    if len(allowed):
        allowed[row] = False
    return Scope(allowed, rule if rule.startswith("row") else f"({rule}) and row != {int(row)}")
