"""The index store: a chunk table (SQLite) and a retrieval engine, versioned.

The chunk table, documents, paragraphs and manifest always live in the index folder. Vectors and keyword
postings live either there too (FAISS files, the default) or in a Milvus collection (`--store milvus:…`);
search code reaches them only through `StoredIndex.retrieval` (indexer/store/retrieval.py).
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from indexer.store.bm25 import Bm25Index
from indexer.store.chunks import (ChunkRecord, ChunkTable, DocumentRecord, ParagraphRecord, TABLE_FILE,
                                  write_table)
from indexer.store.layout import (REBUILD_HINT, VERSIONS_DIR, IndexDamaged, IndexLocked, IndexMissing,
                                  IndexProblem, build_lock, current_token, current_version, finish,
                                  finished_versions, new_version_folder, point_current, publish, read_manifest,
                                  remove_old_versions)
from indexer.store.retrieval import EVERYTHING, FaissRetrieval, Scope
from indexer.store.spec import DEFAULT_ALIAS, STORE_ENV, StoreError, StoreSpec, parse_store
from indexer.store.vectors import VectorIndex

__all__ = [
    "Bm25Index", "ChunkRecord", "ChunkTable", "DocumentRecord", "ParagraphRecord", "VectorIndex", "IndexDamaged",
    "IndexLocked", "IndexMissing", "IndexProblem", "StoredIndex", "build_lock", "current_token", "open_index",
    "write_version", "REBUILD_HINT", "EVERYTHING", "Scope", "StoreError", "StoreSpec", "parse_store",
    "resolve_store", "served_token",
]


@dataclass
class StoredIndex:
    folder: Path
    manifest: dict
    table: ChunkTable
    retrieval: FaissRetrieval  # or MilvusRetrieval: the methods listed in indexer/store/retrieval.py
    spec: StoreSpec = field(default_factory=lambda: StoreSpec("faiss"))

    @property
    def token(self) -> str:
        """The version's name; `served_token` returns the same for the version readers should use."""
        return self.folder.name

    def close(self) -> None:
        self.retrieval.close()
        self.table.close()


def resolve_store(index_dir: Path, store: StoreSpec | str | None = None) -> StoreSpec:
    """The store to read: the one named (`--store`, then RULEOFLAW_STORE), else the one the current version
    was built with, so that commands after `indexer build --store milvus:…` need no option."""
    if isinstance(store, StoreSpec):
        return store
    if store is not None or os.environ.get(STORE_ENV, "").strip():
        return parse_store(store)
    try:
        built_in = read_manifest(current_version(Path(index_dir))).get("store")
    except IndexProblem:
        built_in = None
    if not built_in:
        return parse_store("faiss")
    return replace(parse_store(built_in["spec"]), alias=built_in.get("alias", DEFAULT_ALIAS))


def served_token(index_dir: Path, store: StoreSpec | str | None = None) -> str | None:
    """A cheap value that changes whenever a new version is served (for readers to poll)."""
    spec = resolve_store(index_dir, store)
    if not spec.is_milvus:
        return current_token(index_dir)
    from indexer.store import milvus_collection
    served = milvus_collection.served_collection(spec)
    if served is None:
        return None
    for version in finished_versions(Path(index_dir)):
        if milvus_collection.collection_name(spec, version) == served:
            return version
    return served


def open_index(index_dir: Path, store: StoreSpec | str | None = None) -> StoredIndex:
    """Load the version being served; every failure becomes IndexMissing/IndexDamaged with a message naming
    the fix.

    A build may publish a newer version (and prune old ones) while we read; if loading fails and the served
    version has moved on meanwhile, the newer version is loaded instead.
    """
    spec = resolve_store(index_dir, store)
    for _ in range(3):
        token = served_token(index_dir, spec)
        try:
            return _open_version(index_dir, spec)
        except IndexDamaged:
            if served_token(index_dir, spec) == token:
                raise
    return _open_version(index_dir, spec)


def _open_version(index_dir: Path, spec: StoreSpec) -> StoredIndex:
    if spec.is_milvus:
        return _open_milvus(index_dir, spec)
    folder = current_version(index_dir)
    manifest = read_manifest(folder)
    if manifest.get("store"):
        raise IndexDamaged(f"该索引的向量存放在 {manifest['store']['spec']}，不在索引目录里。"
                           f"请加 --store {manifest['store']['spec']}（或设置 {STORE_ENV}），"
                           f"或运行 {REBUILD_HINT} --store faiss 重建为本地文件。")
    try:
        table = ChunkTable(folder / TABLE_FILE)
        vectors = VectorIndex.load(folder, manifest.get("vector_index", "flat"))
        bm25 = Bm25Index.load(folder)
    except Exception as error:  # any unreadable part means the same thing to the user
        raise IndexDamaged(f"索引文件损坏或不完整（{type(error).__name__}: {error}）。请运行 {REBUILD_HINT} 重建。") from error
    expected = manifest.get("chunks")
    if len(vectors) != expected or len(bm25) != expected or vectors.dimension != manifest.get("dimension"):
        table.close()
        raise IndexDamaged(f"索引各部分不一致（清单 {expected} 段，向量 {len(vectors)}，关键词 {len(bm25)}）。"
                           f"请运行 {REBUILD_HINT} 重建。")
    return StoredIndex(folder, manifest, table, FaissRetrieval(vectors, bm25), spec)


def _open_milvus(index_dir: Path, spec: StoreSpec) -> StoredIndex:
    from indexer.store import milvus_collection
    from indexer.store.milvus_search import KeywordVocabulary, MilvusRetrieval
    served = milvus_collection.served_collection(spec)
    if served is None:
        raise IndexMissing(f"Milvus（{spec.describe()}）里还没有索引。请先运行 python -m indexer build "
                           f"--store {spec.describe()} 建立索引。")
    version = milvus_collection.version_of(spec, served, finished_versions(Path(index_dir)))
    folder = Path(index_dir) / VERSIONS_DIR / version
    manifest = read_manifest(folder)
    try:
        table = ChunkTable(folder / TABLE_FILE)
        vocabulary = KeywordVocabulary.load(folder)
    except Exception as error:
        raise IndexDamaged(f"索引文件损坏或不完整（{type(error).__name__}: {error}）。请运行 {REBUILD_HINT} 重建。") from error
    milvus_collection.ensure_loaded(spec, served)
    retrieval = MilvusRetrieval(spec, milvus_collection.client(spec), served, vocabulary, manifest["chunks"],
                                manifest["dimension"])
    return StoredIndex(folder, manifest, table, retrieval, spec)


def write_version(index_dir: Path, manifest: dict, documents: list[DocumentRecord],
                  paragraphs: list[ParagraphRecord], chunks: list[ChunkRecord], skipped: list[tuple[str, str]],
                  vectors: VectorIndex | np.ndarray, bm25: Bm25Index, store: StoreSpec | str | None = None) -> Path:
    """Write all parts of a new version and serve it atomically; returns the published folder."""
    spec = store if isinstance(store, StoreSpec) else parse_store(store)
    matrix = vectors.vectors if isinstance(vectors, VectorIndex) else np.asarray(vectors, dtype=np.float32)
    folder = new_version_folder(index_dir)
    write_table(folder / TABLE_FILE, documents, paragraphs, chunks, skipped)
    manifest = dict(manifest, chunks=len(chunks), documents=len(documents), dimension=int(matrix.shape[1]))
    if not spec.is_milvus:
        if not isinstance(vectors, VectorIndex):
            vectors = VectorIndex(matrix)
        vectors.save(folder)
        bm25.save(folder)
        published = publish(index_dir, folder, dict(manifest, vector_index=vectors.kind))
        remove_old_versions(index_dir)
        return published
    from indexer.store import milvus_collection
    from indexer.store.milvus_search import KeywordVocabulary
    KeywordVocabulary.of(bm25).save(folder)
    version = folder.with_suffix("").name
    collection = milvus_collection.write_collection(spec, version, documents, chunks, matrix, bm25)
    final = finish(folder, dict(manifest, vector_index="milvus",
                                store={"spec": spec.describe(), "alias": spec.alias, "collection": collection}))
    milvus_collection.serve(spec, collection)  # the commit: readers switch here
    point_current(index_dir, final)
    milvus_collection.drop_unused(spec, remove_old_versions(index_dir))
    return final
