"""Build or update the index: scan → load → text stages → embed → store, incrementally.

Files whose content (and sidecar metadata row) did not change since the current version are taken over
with their chunks and vectors; changed files are processed again, and any chunk whose embedding input is
unchanged keeps its vector. Removed files are dropped. The new version is published atomically, so an
interrupted or failed build leaves the previous index in service.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from indexer.analyzer import get_analyzer
from indexer.chunk import CHUNKER_VERSION
from indexer.document import Document
from indexer.load import LoadError, load_file
from indexer.metadata import SIDECAR_NAME, read_sidecar, sidecar_row
from indexer.pipeline import index_terms, passage_text, process
from indexer.scan import scan_corpus
from indexer.store import (Bm25Index, ChunkRecord, DocumentRecord, IndexProblem, ParagraphRecord, StoredIndex,
                           StoreError, StoreSpec, build_lock, open_index, resolve_store, write_version)

Progress = Callable[[str, int, int], None]  # (stage, done, total)

MAX_TEXT_BYTES = 10 * 1024 * 1024  # a single report is tens of KB; larger text files are bundles or junk
MAX_BINARY_BYTES = 200 * 1024 * 1024


@dataclass
class BuildReport:
    index_dir: Path
    model: str
    documents: int = 0
    chunks: int = 0
    embedded: int = 0
    reused_files: int = 0
    processed_files: int = 0
    removed_files: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    embed_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def chunks_per_second(self) -> float:
        return self.embedded / self.seconds if self.seconds and self.embedded else 0.0


@dataclass
class _Entry:
    """One indexed document of the new version, either processed now or taken over."""

    document: DocumentRecord
    paragraphs: list[ParagraphRecord]
    chunks: list[ChunkRecord]
    vectors: list[np.ndarray | int | None]  # int: row of the same passage in the previous version; None: to embed
    passages: list[str]
    sidecar_key: str


def build_index(corpus_dirs: list[Path], index_dir: Path, model: str | None = None, rebuild: bool = False,
                progress: Progress | None = None, embedder=None, store: StoreSpec | str | None = None) -> BuildReport:
    """Build or update the index at `index_dir` from the files under `corpus_dirs`, its vectors and keyword
    postings in `store` (indexer/store/spec.py; default: RULEOFLAW_STORE, else the store the index is in, else
    FAISS files).

    Raises IndexLocked if another build is running. Problems with single files never raise: they end up in
    the report's `skipped` and `warnings`.
    """
    started = time.perf_counter()
    progress = progress or (lambda stage, done, total: None)
    with build_lock(index_dir):
        spec = resolve_store(index_dir, store)
        if spec.is_milvus:
            _refuse_another_folders_alias(index_dir, spec)
        previous = None if rebuild else _open_previous(index_dir, spec)
        model_name = model or (previous.manifest["model"] if previous else None)
        if embedder is None:
            from indexer.embed import Embedder
            embedder = Embedder(model_name)
        report = BuildReport(index_dir=index_dir, model=embedder.name)
        if previous and previous.manifest.get("model") != embedder.name:
            report.notes.append(f"模型已从 {previous.manifest.get('model')} 改为 {embedder.name}：全部重新编码")
            previous = None
        if previous and previous.manifest.get("chunker_version") != CHUNKER_VERSION:
            previous = None
        analyzer = get_analyzer()
        entries = _collect(corpus_dirs, previous, analyzer, report, progress)
        if previous:
            _fetch_reused(entries, previous)
        embed_started = time.perf_counter()
        _embed_missing(entries, embedder, report, progress)
        report.embed_seconds = time.perf_counter() - embed_started
        previous_sources = set(previous.manifest.get("files", {})) if previous else set()
        report.removed_files = len(previous_sources - {e.document.source for e in entries})
        if previous:
            previous.close()
        _store(index_dir, entries, report, embedder, analyzer.version, spec)
    report.seconds = time.perf_counter() - started
    return report


def _refuse_another_folders_alias(index_dir: Path, spec: StoreSpec) -> None:
    """A Milvus alias served from another index folder is someone's index: building here would move the alias
    away from it and drop its collections."""
    from indexer.store import milvus_collection
    from indexer.store.layout import finished_versions

    served = milvus_collection.served_collection(spec)
    if served is None:
        return
    try:
        milvus_collection.version_of(spec, served, finished_versions(Path(index_dir)))
    except IndexProblem:
        raise StoreError(f"Milvus 别名 {spec.alias} 正在为另一个索引目录服务（集合 {served}），没有在 {index_dir} 上"
                         f"建立索引，以免覆盖它。请用那个索引目录建立，或设置 RULEOFLAW_MILVUS_ALIAS 换一个别名。") from None


def _open_previous(index_dir: Path, spec: StoreSpec) -> StoredIndex | None:
    try:
        return open_index(index_dir, spec)
    except IndexProblem:
        return None  # nothing usable to take over: build from scratch


def _collect(corpus_dirs: list[Path], previous: StoredIndex | None, analyzer, report: BuildReport,
             progress: Progress) -> list[_Entry]:
    files: list[tuple[Path, Path, str]] = []  # (path, root, source prefix)
    sidecars: dict[str, dict] = {}
    for root in corpus_dirs:
        prefix = f"{root.name}/" if len(corpus_dirs) > 1 else ""
        if not root.is_dir():
            report.skipped.append((str(root), "语料目录不存在"))
            continue
        found, skipped = scan_corpus(root)
        report.skipped.extend((prefix + s.source, s.reason) for s in skipped)
        files.extend((path, root, prefix) for path in found)
        try:
            sidecars[str(root)] = read_sidecar(root)
        except (ValueError, OSError, UnicodeDecodeError) as error:
            report.skipped.append((prefix + SIDECAR_NAME, f"元数据文件无法读取，已忽略：{error}"))
            sidecars[str(root)] = {}
    known = previous.manifest.get("files", {}) if previous else {}
    vector_of_passage = _previous_passages(previous) if previous else {}
    seen_hashes: dict[str, str] = {}
    entries: list[_Entry] = []
    for done, (path, root, prefix) in enumerate(files, start=1):
        progress("files", done - 1, len(files))
        entry = _entry_for(path, root, prefix, sidecars[str(root)], known, previous, vector_of_passage,
                           seen_hashes, analyzer, report)
        if entry is not None:
            entries.append(entry)
    progress("files", len(files), len(files))
    return entries


def _entry_for(path, root, prefix, sidecar, known, previous, vector_of_passage, seen_hashes, analyzer,
               report: BuildReport) -> _Entry | None:
    relative = path.relative_to(root).as_posix()
    source = prefix + relative
    try:
        size = path.stat().st_size
        limit = MAX_TEXT_BYTES if path.suffix.lower() in (".txt", ".md") else MAX_BINARY_BYTES
        if size > limit:
            report.skipped.append((source, f"文件过大（{size / 1048576:.1f} MB，上限 {limit // 1048576} MB），"
                                           f"不像单份报告；如是多份报告合并，请拆分后再放入"))
            return None
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as error:
        report.skipped.append((source, f"无法读取文件：{error.strerror or error}"))
        return None
    if digest in seen_hashes:
        report.skipped.append((source, f"与 {seen_hashes[digest]} 内容完全相同（重复文件），已跳过"))
        return None
    seen_hashes[digest] = source
    row = sidecar_row(sidecar, relative)
    row_key = json.dumps(row or {}, sort_keys=True, ensure_ascii=False)
    old = known.get(source)
    if old and old.get("sha256") == digest and old.get("sidecar") == row_key:
        entry = _take_over(previous, old["doc_id"], row_key, analyzer)
        if entry is not None:
            report.reused_files += 1
            report.warnings.extend((source, w) for w in entry.document.warnings)
            return entry
    try:
        raw = load_file(path, root)
    except LoadError as error:
        report.skipped.append((source, error.reason))
        return None
    raw.source = source
    document = process(raw, row)
    report.processed_files += 1
    report.warnings.extend((source, w) for w in document.warnings)
    return _new_entry(document, digest, size, row_key, analyzer, vector_of_passage, previous)


def _previous_passages(previous: StoredIndex) -> dict[str, int]:
    """Row of each embedding input in the previous version, to keep vectors of unchanged chunks."""
    rows = {}
    for chunk in previous.table.chunks():
        rows.setdefault(_passage_key(passage_text(chunk)), chunk.row)
    return rows


def _passage_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def _take_over(previous: StoredIndex, doc_id: str, sidecar_key: str, analyzer) -> _Entry | None:
    document = previous.table.document(doc_id)
    if document is None:
        return None
    chunks = previous.table.chunks(doc_id=doc_id, with_terms=True)
    if previous.manifest.get("analyzer_version") != analyzer.version:
        for chunk in chunks:  # the dictionary changed: re-tokenise, but keep the vectors
            chunk.terms = index_terms(analyzer, chunk)
    vectors = [c.row for c in chunks]
    return _Entry(document, previous.table.paragraphs(doc_id), chunks, vectors, [passage_text(c) for c in chunks],
                  sidecar_key)


def _new_entry(document: Document, digest: str, size: int, sidecar_key: str, analyzer, vector_of_passage,
               previous: StoredIndex | None) -> _Entry:
    meta = document.metadata
    raw = document.raw
    record = DocumentRecord(
        doc_id=document.doc_id, source=document.source, path=str(raw.path.resolve()), kind=raw.kind,
        encoding=raw.encoding, sha256=digest, size=size, pages=len(raw.page_starts), title=meta.title,
        township=meta.township, county=meta.county, year=meta.year, signed=meta.signed,
        overridden=list(meta.overridden), warnings=document.warnings, chunks=len(document.chunks), text=raw.text)
    paragraphs = [
        ParagraphRecord(document.doc_id, seq, p.char_start, p.char_end, p.heading.level if p.heading else 0,
                        p.heading.title if p.heading else None, list(p.section_path), p.role, p.page,
                        p.page_end)
        for seq, p in enumerate(document.paragraphs)]
    chunks, vectors, passages = [], [], []
    for chunk in document.chunks:
        passage = passage_text(chunk)
        row = vector_of_passage.get(_passage_key(passage))
        vectors.append(row if previous is not None else None)
        passages.append(passage)
        chunks.append(ChunkRecord(chunk.id, chunk.doc_id, chunk.seq, chunk.text, list(chunk.section_path),
                                  chunk.role, chunk.page, chunk.char_start, chunk.char_end,
                                  index_terms(analyzer, chunk), page_end=chunk.page_end))
    return _Entry(record, paragraphs, chunks, vectors, passages, sidecar_key)


def _fetch_reused(entries: list[_Entry], previous: StoredIndex) -> None:
    """Replace rows of the previous version by their vectors, in one request to the store."""
    wanted = sorted({v for e in entries for v in e.vectors if isinstance(v, int)})
    if not wanted:
        return
    found = dict(zip(wanted, previous.retrieval.vectors(wanted)))
    for entry in entries:
        entry.vectors = [found[v] if isinstance(v, int) else v for v in entry.vectors]


def _embed_missing(entries: list[_Entry], embedder, report: BuildReport, progress: Progress) -> None:
    todo = [(entry, i) for entry in entries for i, v in enumerate(entry.vectors) if v is None]
    if not todo:
        return
    texts = [entry.passages[i] for entry, i in todo]
    vectors = embedder.encode_passages(texts, progress=lambda done, total: progress("embed", done, total))
    for (entry, i), vector in zip(todo, vectors):
        entry.vectors[i] = vector
    report.embedded = len(todo)


def _store(index_dir: Path, entries: list[_Entry], report: BuildReport, embedder, analyzer_version: str,
           spec: StoreSpec) -> None:
    chunks = [c for e in entries for c in e.chunks]
    matrix = (np.vstack([v for e in entries for v in e.vectors]).astype(np.float32) if chunks
              else np.zeros((0, embedder.dimension), dtype=np.float32))
    manifest = {
        "model": embedder.name,
        "chunker_version": CHUNKER_VERSION,
        "analyzer_version": analyzer_version,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "files": {e.document.source: {"sha256": e.document.sha256, "doc_id": e.document.doc_id,
                                      "sidecar": e.sidecar_key} for e in entries},
    }
    write_version(index_dir, manifest, [e.document for e in entries], [p for e in entries for p in e.paragraphs],
                  chunks, report.skipped, matrix, Bm25Index.build([c.terms for c in chunks]), spec)
    report.documents = len(entries)
    report.chunks = len(chunks)
