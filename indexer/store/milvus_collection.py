"""One index version as a Milvus collection, and the alias that tells every reader which version to serve.

A build writes a new collection `<alias>__<version>` (one row per chunk, keyed by its row in the version),
indexes and loads it, and only then points the alias at it: `alter_alias` is the commit. A build killed
before that leaves the alias on the collection it served; the half-written collection is dropped by the
next build. Collections of versions older than the ones kept on disk are dropped after the switch.

Keyword search runs in Milvus on a sparse vector per chunk holding its final BM25 weights
(idf · tf·(k1+1) / (tf + k1·(1 − b + b·len/avglen)), computed from our own jieba terms with the domain
dictionary) searched by inner product with the query's term weights: the score is exactly the BM25 score
of the FAISS store. Why not Milvus' own BM25 function: see docs/milvus.md (Milvus Lite 3.2.2 computes its
statistics per segment, and its analyser is not ours).
"""
from __future__ import annotations

import json
import threading

import numpy as np

from indexer.store.bm25 import Bm25Index
from indexer.store.chunks import ChunkRecord, DocumentRecord
from indexer.store.layout import IndexDamaged, IndexMissing
from indexer.store.spec import StoreSpec, client_options

INSERT_BATCH = 1000
TEXT_BYTES = 65535
NAME_BYTES = 1024
FILTER_FIELDS = ("doc_id", "source", "township", "county", "year", "role")
# Milvus refuses an empty sparse vector; a chunk without keyword terms (a table of figures) gets this one
# dimension, which no query ever asks for, so it still scores 0.
NO_TERMS = {2**31: 1.0}

_clients: dict[tuple, object] = {}
_clients_lock = threading.Lock()


def client(spec: StoreSpec):
    """One MilvusClient per store per process (Milvus Lite starts its engine on the first one)."""
    key = tuple(sorted(client_options(spec).items()))
    with _clients_lock:
        if key not in _clients:
            try:
                from pymilvus import MilvusClient
            except ImportError as error:
                raise IndexMissing("未安装 pymilvus / milvus-lite：请运行 bash scripts/install.sh。") from error
            try:
                _clients[key] = MilvusClient(**client_options(spec))
            except Exception as error:  # connection refused, bad credentials, locked file …
                raise IndexMissing(f"无法连接 Milvus（{spec.describe()}）：{type(error).__name__}: {error}") from error
        return _clients[key]


def collection_name(spec: StoreSpec, version: str) -> str:
    return f"{spec.alias}__{version.replace('-', '_')}"


def served_collection(spec: StoreSpec) -> str | None:
    """The collection the alias points at, or None before the first build."""
    milvus = client(spec)
    if spec.alias not in milvus.list_aliases().get("aliases", []):
        return None
    return milvus.describe_alias(spec.alias)["collection_name"]


def write_collection(spec: StoreSpec, version: str, documents: list[DocumentRecord], chunks: list[ChunkRecord],
                     vectors: np.ndarray, bm25: Bm25Index) -> str:
    """A new, loaded collection holding every chunk of a version; not yet served."""
    from pymilvus import DataType
    milvus = client(spec)
    name = collection_name(spec, version)
    if milvus.has_collection(name):
        milvus.drop_collection(name)
    schema = milvus.create_schema(auto_id=False, description="rule-of-law report chunks")
    schema.add_field("row", DataType.INT64, is_primary=True)
    schema.add_field("chunk_id", DataType.VARCHAR, max_length=NAME_BYTES)
    for field in ("doc_id", "source", "township", "county", "role"):
        schema.add_field(field, DataType.VARCHAR, max_length=NAME_BYTES)
    schema.add_field("year", DataType.INT64)
    schema.add_field("section_path", DataType.VARCHAR, max_length=TEXT_BYTES)
    for field in ("page", "char_start", "char_end"):
        schema.add_field(field, DataType.INT64)
    schema.add_field("text", DataType.VARCHAR, max_length=TEXT_BYTES)
    schema.add_field("vector", DataType.FLOAT_VECTOR, dim=int(vectors.shape[1]))
    schema.add_field("keywords", DataType.SPARSE_FLOAT_VECTOR)
    index = milvus.prepare_index_params()
    # Exact inner product on normalised vectors = the FAISS store's cosine; a cluster would use HNSW or IVF
    # here (docs/milvus.md) and trade a little recall for speed.
    index.add_index("vector", index_type="FLAT", metric_type="IP")
    index.add_index("keywords", index_type="SPARSE_INVERTED_INDEX", metric_type="IP")
    for field in FILTER_FIELDS:
        index.add_index(field, index_type="INVERTED")
    milvus.create_collection(name, schema=schema, index_params=index, consistency_level="Strong")
    by_id = {d.doc_id: d for d in documents}
    weights = bm25.weights.T.tocsr()  # chunk × term
    for start in range(0, len(chunks), INSERT_BATCH):
        batch = chunks[start:start + INSERT_BATCH]  # a chunk's row is its position, as in the chunk table
        milvus.insert(name, [_row(c, by_id[c.doc_id], vectors[row], weights, row)
                             for row, c in enumerate(batch, start=start)])
    milvus.flush(name)
    milvus.load_collection(name)
    written = int(milvus.get_collection_stats(name).get("row_count", -1))
    if written != len(chunks):  # never serve a collection that lost rows
        raise IndexDamaged(f"写入 Milvus 的段落数不符（{written}/{len(chunks)}），原索引仍在使用。请重新运行建索引。")
    return name


def _row(chunk: ChunkRecord, document: DocumentRecord, vector: np.ndarray, weights, row: int) -> dict:
    start, end = weights.indptr[row], weights.indptr[row + 1]
    keywords = {int(t): float(w) for t, w in zip(weights.indices[start:end], weights.data[start:end]) if w > 0}
    return {"row": row, "chunk_id": chunk.id, "doc_id": chunk.doc_id, "source": document.source,
            "township": document.township or "", "county": document.county or "", "year": document.year or 0,
            "role": chunk.role, "section_path": json.dumps(chunk.section_path, ensure_ascii=False),
            "page": chunk.page, "char_start": chunk.char_start, "char_end": chunk.char_end, "text": chunk.text,
            "vector": vector.astype(np.float32).tolist(), "keywords": keywords or NO_TERMS}


def ensure_loaded(spec: StoreSpec, name: str) -> None:
    """Load a collection for search if it is not: Milvus Lite forgets what was loaded when its process ends,
    and a server may have released it."""
    milvus = client(spec)
    state = str(milvus.get_load_state(name).get("state", ""))
    if not state.endswith("Loaded"):
        milvus.load_collection(name)


def serve(spec: StoreSpec, name: str) -> None:
    """Point the alias at collection `name`: one atomic switch for every reader."""
    milvus = client(spec)
    if spec.alias in milvus.list_aliases(collection_name=name).get("aliases", []):
        return
    if served_collection(spec) is None:
        milvus.create_alias(name, spec.alias)
    else:
        milvus.alter_alias(name, spec.alias)


def drop_unused(spec: StoreSpec, keep_versions: set[str]) -> None:
    """Drop this alias' collections except the served one and those of `keep_versions`."""
    milvus = client(spec)
    served = served_collection(spec)
    keep = {collection_name(spec, v) for v in keep_versions} | {served}
    prefix = f"{spec.alias}__"
    for name in milvus.list_collections():
        if name.startswith(prefix) and name not in keep:
            milvus.drop_collection(name)


def remove_all(spec: StoreSpec) -> None:
    """Drop the alias and every collection of it (a scratch index, as `search.eval --corpus` builds)."""
    milvus = client(spec)
    if spec.alias in milvus.list_aliases().get("aliases", []):
        milvus.drop_alias(spec.alias)
    for name in milvus.list_collections():
        if name.startswith(f"{spec.alias}__"):
            milvus.drop_collection(name)


def version_of(spec: StoreSpec, name: str, versions: list[str]) -> str:
    """The version folder a served collection belongs to."""
    for version in versions:
        if collection_name(spec, version) == name:
            return version
    raise IndexDamaged(f"Milvus 别名 {spec.alias} 指向 {name}，但索引目录里没有这个版本。"
                       f"多台机器共用一个 Milvus 时，它们也要共用同一个索引目录（见 docs/milvus.md）。")
