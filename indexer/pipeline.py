"""The text stages for one file, in order: clean → structure → metadata → chunk.

Loading comes before (indexer.load) and embedding and storing after (indexer.build); everything here is
pure text processing that a test can run without a model.
"""
from __future__ import annotations

import hashlib

from indexer.analyzer import Analyzer
from indexer.chunk import chunk_paragraphs
from indexer.clean import clean
from indexer.document import Chunk, Document, RawDocument
from indexer.metadata import apply_sidecar, extract_metadata
from indexer.structure import structure


def document_id(source: str) -> str:
    """Stable id of a document: the same source path always gets the same id."""
    return "d" + hashlib.sha1(source.encode("utf-8")).hexdigest()[:10]


def process(raw: RawDocument, sidecar_row: dict[str, str] | None = None) -> Document:
    doc_id = document_id(raw.source)
    paragraphs = structure(raw, clean(raw))
    metadata = apply_sidecar(extract_metadata(paragraphs), sidecar_row)
    document = Document(doc_id=doc_id, raw=raw, paragraphs=paragraphs, metadata=metadata,
                        warnings=list(raw.warnings))
    document.chunks = chunk_paragraphs(doc_id, raw, paragraphs)
    if not document.chunks:
        document.warnings.append("没有找到可检索的正文段落")
    if metadata.township is None:
        document.warnings.append("未识别出乡镇（街道）名称：可在语料目录的 metadata.csv 中补充")
    if metadata.year is None:
        document.warnings.append("未识别出报告年度：可在语料目录的 metadata.csv 中补充")
    return document


def passage_text(chunk: Chunk) -> str:
    """What the embedding model reads: the chunk, led by its section heading when the text lacks it.

    Section headings are strong evidence for the paragraphs under them ("（三）深入推进乡政府法律顾问制度的
    落实" above a paragraph that says only "聘用…1名").
    """
    heading = chunk.section_path[-1] if chunk.section_path else ""
    if heading and heading not in chunk.text:
        return f"{heading}\n{chunk.text}"
    return chunk.text


def index_terms(analyzer: Analyzer, chunk: Chunk) -> list[str]:
    """BM25 terms of a chunk: its own words plus those of its section headings."""
    return analyzer.terms(chunk.text) + analyzer.terms(" ".join(t for t in chunk.section_path if t not in chunk.text))
