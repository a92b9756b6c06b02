"""Indexer facade: build or update an index from folders of reports, and list what an index holds.

    from indexer import build_index, list_index
    report = build_index([default_corpus()], default_index())
"""
from __future__ import annotations

from pathlib import Path

from indexer.paths import SAMPLES_DIR, default_corpus, default_index
from indexer.store import IndexLocked, IndexProblem, open_index

__all__ = ["BuildReport", "build_index", "list_index", "IndexLocked", "IndexProblem", "SAMPLES_DIR",
           "default_corpus", "default_index"]


def __getattr__(name: str):
    # The build pipeline pulls in the document readers (pypdf, python-docx) and jieba's tagger: loaded only
    # when asked for, so that `indexer list` and the search side, which import this package, start fast.
    if name in ("BuildReport", "build_index"):
        from indexer import build

        return getattr(build, name)
    raise AttributeError(f"module 'indexer' has no attribute {name!r}")


def list_index(index_dir: Path, store=None) -> dict:
    """What `python -m indexer list --json` prints: documents with their metadata and warnings, skipped files."""
    stored = open_index(index_dir, store)
    try:
        documents = [
            {"source": d.source, "doc_id": d.doc_id, "title": d.title, "township": d.township, "county": d.county,
             "year": d.year, "signed": d.signed, "kind": d.kind, "pages": d.pages, "chunks": d.chunks,
             "warnings": d.warnings}
            for d in stored.table.documents()]
        skipped = [{"source": source, "reason": reason} for source, reason in stored.table.skipped()]
        return {"model": stored.manifest.get("model"), "documents": documents, "skipped": skipped}
    finally:
        stored.close()
