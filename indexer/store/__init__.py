"""The index store: a chunk table (SQLite), dense vectors (FAISS) and BM25 postings, versioned on disk.

Each part is a small module with its own save/load, so another vector engine could replace FAISS without
touching the rest.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from indexer.store.bm25 import Bm25Index
from indexer.store.chunks import (ChunkRecord, ChunkTable, DocumentRecord, ParagraphRecord, TABLE_FILE,
                                  write_table)
from indexer.store.layout import (REBUILD_HINT, IndexDamaged, IndexLocked, IndexMissing, IndexProblem,
                                  build_lock, current_token, current_version, new_version_folder, publish,
                                  read_manifest, remove_old_versions)
from indexer.store.vectors import VectorIndex

__all__ = [
    "Bm25Index", "ChunkRecord", "ChunkTable", "DocumentRecord", "ParagraphRecord", "VectorIndex", "IndexDamaged",
    "IndexLocked", "IndexMissing", "IndexProblem", "StoredIndex", "build_lock", "current_token", "open_index",
    "write_version", "REBUILD_HINT",
]


@dataclass
class StoredIndex:
    folder: Path
    manifest: dict
    table: ChunkTable
    vectors: VectorIndex
    bm25: Bm25Index

    def close(self) -> None:
        self.table.close()


def open_index(index_dir: Path) -> StoredIndex:
    """Load the current version; every failure becomes IndexMissing/IndexDamaged with a message naming the fix.

    A build may publish a newer version (and prune old ones) while we read; if loading fails and CURRENT
    has moved on meanwhile, the newer version is loaded instead.
    """
    for _ in range(3):
        token = current_token(index_dir)
        try:
            return _open_version(index_dir)
        except IndexDamaged:
            if current_token(index_dir) == token:
                raise
    return _open_version(index_dir)


def _open_version(index_dir: Path) -> StoredIndex:
    folder = current_version(index_dir)
    manifest = read_manifest(folder)
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
    return StoredIndex(folder, manifest, table, vectors, bm25)


def write_version(index_dir: Path, manifest: dict, documents: list[DocumentRecord],
                  paragraphs: list[ParagraphRecord], chunks: list[ChunkRecord], skipped: list[tuple[str, str]],
                  vectors: VectorIndex, bm25: Bm25Index) -> Path:
    """Write all parts into a new version folder and publish it atomically; returns the published folder."""
    folder = new_version_folder(index_dir)
    write_table(folder / TABLE_FILE, documents, paragraphs, chunks, skipped)
    vectors.save(folder)
    bm25.save(folder)
    manifest = dict(manifest, chunks=len(chunks), documents=len(documents), dimension=vectors.dimension,
                    vector_index=vectors.kind)
    published = publish(index_dir, folder, manifest)
    remove_old_versions(index_dir)
    return published
