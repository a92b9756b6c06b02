"""Search measurements on a real `search.Searcher`: latency per mode with a stage breakdown, and recall of
the approximate vector indexes against exact search."""
from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from bench.measure import QuietGate, machine_busy_s, own_cpu_s, peak_rss_mb, percentile
from search.searcher import CANDIDATES  # what Searcher.rank asks the vector index for

MODES = ("bm25", "dense", "hybrid")
TOP_K = 10


class StageClock:
    """Wall time spent inside chosen methods of live objects, without touching their code."""

    def __init__(self):
        self.totals: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def wrap(self, owner, attribute: str, stage: str) -> None:
        original = getattr(owner, attribute)

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.totals[stage] += time.perf_counter() - started
                self.calls[stage] += 1

        setattr(owner, attribute, timed)


def instrument(searcher) -> StageClock:
    """Time the stages of `Searcher.query`; whatever is left over is candidate union, cosines and fusion."""
    clock = StageClock()
    clock.wrap(searcher.analyzer, "query_terms", "terms")
    clock.wrap(searcher.retrieval, "keyword_top", "bm25")
    clock.wrap(searcher.embedder, "encode_query", "encode")
    clock.wrap(searcher.retrieval, "dense_top", "vectors")
    clock.wrap(searcher, "hits", "hits")
    return clock


def query_latency(searcher, clock: StageClock, questions: list[str], mode: str, rounds: int,
                  gate: QuietGate | None = None) -> dict:
    """Warm, one question at a time, top-10 through the real `Searcher.query`, encoding included."""
    clock.totals.clear()
    clock.calls.clear()
    gate = gate or QuietGate(budget_s=0)
    quiet, total = gate.quiet, gate.total
    samples, other_s = [], 0.0
    for _ in range(rounds):
        for question in questions:
            gate.wait()
            busy, own = machine_busy_s(), own_cpu_s()
            started = time.perf_counter()
            searcher.query(question, top_k=TOP_K, mode=mode)
            samples.append(time.perf_counter() - started)
            other_s += max(0.0, (machine_busy_s() - busy) - (own_cpu_s() - own))
    if mode != "bm25" and clock.calls["encode"] < len(samples):
        raise RuntimeError("query vectors came from a cache: encoding time would be missing from the latency")
    stages = {stage: 1000 * total_s / len(samples) for stage, total_s in clock.totals.items()}
    stages["other"] = max(0.0, 1000 * float(np.mean(samples)) - sum(stages.values()))
    return {"p50_ms": 1000 * percentile(samples, 50), "p95_ms": 1000 * percentile(samples, 95),
            "mean_ms": 1000 * float(np.mean(samples)), "queries": len(samples), "stages_ms": stages,
            "other_cpu_cores": other_s / sum(samples),
            "quiet_share": (gate.quiet - quiet) / max(1, gate.total - total)}


class NumpyFlat:
    """Stands in for faiss.IndexFlatIP: exact inner product as one numpy matrix-vector product.

    The ground truth for recall, and the `numpy` kind: BLAS uses every core for one query, faiss's flat
    search one core per query, and no second copy of the vectors is kept.
    """

    def __init__(self, vectors: np.ndarray):
        self.vectors = vectors

    def search(self, query: np.ndarray, k: int, params=None):
        scores = self.vectors @ query[0]
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return scores[top][None, :], top[None, :].astype(np.int64)


def recall_at_10(searcher, questions: list[str]) -> dict:
    """Dense recall@10 of the loaded vector index against exact search (searched as the Searcher does,
    100 candidates, top 10 kept), and the share of hybrid top-10 results that stay the same when the
    dense side is exact."""
    vectors = searcher.retrieval.vector_index
    exact = NumpyFlat(vectors.vectors)
    query_vectors = searcher.embedder.encode_queries(questions)
    dense, hybrid = [], []
    for question, query_vector in zip(questions, query_vectors):
        _, approximate_rows = vectors.search(query_vector, CANDIDATES)
        _, exact_rows = exact.search(query_vector[None, :], TOP_K)
        dense.append(len(np.intersect1d(approximate_rows[:TOP_K], exact_rows[0])) / TOP_K)
        terms = searcher.analyzer.query_terms(question)
        approximate_hybrid = searcher.rank(question, terms, TOP_K, "hybrid", None).top(TOP_K).rows
        real_index, vectors.index = vectors.index, exact
        try:
            exact_hybrid = searcher.rank(question, terms, TOP_K, "hybrid", None).top(TOP_K).rows
        finally:
            vectors.index = real_index
        hybrid.append(len(np.intersect1d(approximate_hybrid, exact_hybrid)) / max(1, len(exact_hybrid)))
    return {"dense": float(np.mean(dense)), "hybrid": float(np.mean(hybrid)),
            "sweep": parameter_sweep(vectors, query_vectors)}


def parameter_sweep(vectors, query_vectors: np.ndarray) -> list[dict]:
    """Recall@10 and search time of the approximate index at several settings (HNSW efSearch, IVF nprobe).

    `recall_within_0.01` also counts a result whose exact cosine is within 0.01 of the 10th best: the
    synthetic corpus has many near-duplicate chunks, among which the exact top-10 is decided by noise.
    """
    index = vectors.index
    if vectors.kind == "hnsw":
        original = index.hnsw.efSearch
        name, values = "efSearch", sorted({128, 256, 512, 1024, original})
    elif vectors.kind == "ivf":
        name, original = "nprobe", index.nprobe
        values = sorted({max(1, min(index.nlist, index.nlist // d)) for d in (64, 32, 16, 8, 4)} | {original})
    else:
        return []
    truth = []
    for query_vector in query_vectors:
        scores = vectors.vectors @ query_vector
        top = np.argpartition(-scores, TOP_K - 1)[:TOP_K]
        truth.append((scores, set(top.tolist()), float(scores[top].min())))
    rows = []
    for value in values:
        if name == "efSearch":
            index.hnsw.efSearch = value
        else:
            index.nprobe = value
        recall, tolerant, times = [], [], []
        for query_vector, (scores, best, tenth) in zip(query_vectors, truth):
            started = time.perf_counter()
            _, found = index.search(query_vector[None, :].astype(np.float32), CANDIDATES)
            times.append(time.perf_counter() - started)
            found = found[0][:TOP_K]
            recall.append(len(best.intersection(found.tolist())) / TOP_K)
            tolerant.append(float(np.mean(scores[found[found >= 0]] >= tenth - 0.01)))
        rows.append({"param": name, "value": int(value), "recall_at_10": float(np.mean(recall)),
                     "recall_within_0.01": float(np.mean(tolerant)), "search_p50_ms": 1000 * percentile(times, 50),
                     "search_p95_ms": 1000 * percentile(times, 95)})
    if name == "efSearch":
        index.hnsw.efSearch = original
    else:
        index.nprobe = original
    return rows


def query_stage(folder: Path, kind: str, questions: list[str], rounds: int, modes=MODES,
                torch_threads: int = 0, store=None) -> dict:
    """Load a real `search.Searcher` over a saved index and time each mode; recall for approximate kinds."""
    import torch

    import indexer.store.vectors as store_vectors
    import search.searcher as searcher_module
    from indexer.embed import Embedder
    from search import Searcher

    # Every timed question is encoded: the Searcher's cache of recent query vectors would turn the second
    # round (and every mode after the first) into cache hits.
    searcher_module.QUERY_CACHE_SIZE = 0
    if kind == "numpy":  # the proposed change: flat indexes searched in numpy, without a faiss copy
        faiss_build = store_vectors._build
        store_vectors._build = lambda v, k: NumpyFlat(v) if k == "flat" else faiss_build(v, k)
    started = time.perf_counter()
    embedder = Embedder()  # precision "auto", as the app and the CLI use it
    if torch_threads:
        torch.set_num_threads(torch_threads)
    searcher = Searcher.load(folder, embedder=embedder, store=store or "faiss")
    load_s = time.perf_counter() - started
    clock = instrument(searcher)
    for question in questions:  # warm-up: model kernels, page cache, SQLite
        for mode in modes:
            searcher.query(question, top_k=TOP_K, mode=mode)
    gate = QuietGate()
    latency = {mode: query_latency(searcher, clock, questions, mode, rounds, gate) for mode in modes}
    rss = peak_rss_mb()  # before the recall check, which holds extra score arrays
    recall = recall_at_10(searcher, questions) if kind not in ("flat", "numpy", "milvus") else None
    return {"kind": kind, "load_s": load_s, "rss_mb": rss, "precision": embedder.precision, "latency": latency,
            "recall": recall, "torch_threads": torch.get_num_threads(), "gate_waited_s": gate.waited_s}
