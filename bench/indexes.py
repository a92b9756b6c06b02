"""Build and save the index of one synthetic size with the real store modules, once per vector index kind.

`flat` is written with `indexer.store.write_version` exactly as a build would. `hnsw` and `ivf` are the
store's own `VectorIndex(kind=...)`, saved with `VectorIndex.save` in version folders that hard-link the
chunk table and BM25 files of the flat version. `numpy` is a proposed change rather than an index: the
flat version searched with one numpy matrix-vector product instead of faiss.IndexFlatIP (bench.queries).
"""
from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np

from bench.corpus import SentencePool, chunk_vectors, make_corpus
from indexer.chunk import CHUNKER_VERSION
from indexer.e5model import DEFAULT_MODEL
from indexer.store import Bm25Index, VectorIndex, current_version, write_version
from indexer.store.bm25 import MATRIX_FILE, VOCAB_FILE
from indexer.store.chunks import TABLE_FILE
from indexer.store.layout import MANIFEST_FILE, new_version_folder, publish, read_manifest
from indexer.store.vectors import ANN_FILES, VECTORS_FILE

KINDS = ("flat", "numpy", "hnsw", "ivf", "milvus")


def milvus_spec(store: str, n: int):
    """The bench's own alias per size, so that a served index in the same Milvus stays as it is."""
    from dataclasses import replace

    from indexer.store import parse_store
    return replace(parse_store(store), alias=f"bench_n{n}")


def index_dir(workdir: Path, n: int, kind: str) -> Path:
    return workdir / f"n{n}" / ("flat" if kind == "numpy" else kind)


def prepare(workdir: Path, n: int, pool: SentencePool, pool_vectors: np.ndarray, analyzer,
            kinds=KINDS, seed: int = 0, store: str | None = None) -> dict:
    """Generate N chunks, build and save every index kind; returns timings and sizes (no model needed)."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    corpus = make_corpus(pool, n, analyzer, seed)
    timings["generate_s"] = time.perf_counter() - started
    started = time.perf_counter()
    vectors = chunk_vectors(pool_vectors, corpus.sentence_rows, seed)
    timings["vectors_s"] = time.perf_counter() - started
    started = time.perf_counter()
    bm25 = Bm25Index.build([c.terms for c in corpus.chunks])
    timings["bm25_build_s"] = time.perf_counter() - started
    started = time.perf_counter()
    flat = VectorIndex(vectors, kind="flat")
    timings["flat_build_s"] = time.perf_counter() - started
    manifest = {"model": DEFAULT_MODEL, "chunker_version": CHUNKER_VERSION, "analyzer_version": analyzer.version,
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "files": {}, "synthetic": True}
    started = time.perf_counter()
    flat_folder = write_version(index_dir(workdir, n, "flat"), manifest, corpus.documents, corpus.paragraphs,
                                corpus.chunks, [], flat, bm25)
    timings["write_s"] = time.perf_counter() - started
    if "milvus" in kinds:
        spec = milvus_spec(store, n)
        _drop_bench_collections(spec)
        started = time.perf_counter()
        write_version(index_dir(workdir, n, "milvus"), manifest, corpus.documents, corpus.paragraphs, corpus.chunks,
                      [], vectors, bm25, spec)
        timings["milvus_build_s"] = time.perf_counter() - started
    documents = len(corpus.documents)
    del corpus, flat, bm25  # free the chunk texts and terms before the big vector builds
    for kind in kinds:
        if kind == "milvus":
            continue
        if kind == "numpy":
            timings["numpy_build_s"] = 0.0  # nothing beyond the vectors themselves
        elif kind != "flat":
            started = time.perf_counter()
            approximate = VectorIndex(vectors, kind=kind)
            timings[f"{kind}_build_s"] = time.perf_counter() - started
            if kind == "ivf":
                timings["ivf_lists"], timings["ivf_probes"] = approximate.index.nlist, approximate.index.nprobe
            _save_variant(flat_folder, index_dir(workdir, n, kind), approximate)
            del approximate
    parts = {kind: part_sizes(current_version(index_dir(workdir, n, kind))) for kind in kinds}
    if "milvus" in kinds:
        parts["milvus"] = dict(parts["milvus"], milvus=_milvus_disk_mb(milvus_spec(store, n)))
    return {"chunks": n, "documents": documents, "timings": timings, "parts_mb": parts}


def _save_variant(flat_folder: Path, target: Path, vectors: VectorIndex) -> Path:
    """A version folder sharing the flat version's chunk table and BM25 files (hard links), own vectors."""
    target.mkdir(parents=True, exist_ok=True)
    folder = new_version_folder(target)
    for name in (TABLE_FILE, MATRIX_FILE, VOCAB_FILE):
        os.link(flat_folder / name, folder / name)
    vectors.save(folder)
    manifest = {k: v for k, v in read_manifest(flat_folder).items() if k != "format"}
    manifest["vector_index"] = vectors.kind
    return publish(target, folder, manifest)


def _drop_bench_collections(spec) -> None:
    """Collections of earlier sizes: a Milvus Lite file holds every collection it was given."""
    from indexer.store.milvus_collection import client
    milvus = client(spec)
    for alias in milvus.list_aliases().get("aliases", []):
        if alias.startswith("bench_n"):
            milvus.drop_alias(alias)
    for name in milvus.list_collections():
        if name.startswith("bench_n"):
            milvus.drop_collection(name)


def _milvus_disk_mb(spec) -> float | None:
    """Size of a Milvus Lite file (a folder); None for a server, whose disk is not ours to see."""
    path = Path(spec.uri)
    if not spec.is_lite or not path.exists():
        return None
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files) / 2 ** 20


def part_sizes(folder: Path) -> dict[str, float]:
    """Megabytes per part of a saved version: table, bm25, vectors (npy), ann (the approximate index)."""
    def size(*names):
        return sum((folder / name).stat().st_size for name in names if (folder / name).exists()) / 2 ** 20

    return {"table": size(TABLE_FILE, MANIFEST_FILE), "bm25": size(MATRIX_FILE, VOCAB_FILE),
            "vectors": size(VECTORS_FILE), "ann": size(*ANN_FILES.values())}
