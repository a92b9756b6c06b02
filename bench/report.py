"""Result rows from the per-size measurements, and their outputs: results.json, results.md, latency.png."""
from __future__ import annotations

import json
from pathlib import Path

TARGET_HYBRID_P50_MS = (100_000, 100.0)  # hybrid p50 ≤ 100 ms at 100k chunks
TARGET_HYBRID_P95_MS = (1_000_000, 250.0)  # hybrid p95 ≤ 250 ms at 1M chunks
TARGET_CHUNKS_PER_S = 150.0
BUILD_KEY = {"flat": "flat_build_s", "numpy": "numpy_build_s", "hnsw": "hnsw_build_s", "ivf": "ivf_build_s",
             "milvus": "milvus_build_s"}


def rows_for_size(prepared: dict, queries: dict[str, dict]) -> list[dict]:
    """One row per (mode, index): bm25 once (its cost does not depend on the vector index), dense and
    hybrid per vector index kind. build_s and disk_mb count what that mode needs: the BM25 matrix, the
    vectors (+ approximate index), or both plus the chunk table for hybrid (= the whole index folder)."""
    n, timings = prepared["chunks"], prepared["timings"]
    rows = []
    for kind, measured in queries.items():
        parts = prepared["parts_mb"][kind]
        for mode, latency in measured["latency"].items():
            if kind == "milvus":  # one collection holds vectors, keyword weights and fields: one build, one disk
                index, build, disk, recall = f"milvus-{mode}", timings["milvus_build_s"], sum(v for v in parts.values() if v is not None), None
            elif mode == "bm25":
                index, build, disk, recall = "bm25", timings["bm25_build_s"], parts["bm25"], None
            elif mode == "dense":
                index, build, disk = kind, timings[BUILD_KEY[kind]], parts["vectors"] + parts["ann"]
                recall = measured["recall"]["dense"] if measured["recall"] else None
            else:
                index, build, disk = kind, timings["bm25_build_s"] + timings[BUILD_KEY[kind]], sum(parts.values())
                recall = measured["recall"]["hybrid"] if measured["recall"] else None
            rows.append({"chunks": n, "mode": mode, "index": index, "query_p50_ms": round(latency["p50_ms"], 2),
                         "query_p95_ms": round(latency["p95_ms"], 2), "build_s": round(build, 2),
                         "disk_mb": round(disk, 1), "rss_mb": round(measured["rss_mb"], 1),
                         "recall_at_10": None if recall is None else round(recall, 4),
                         "stages_ms": {k: round(v, 2) for k, v in latency["stages_ms"].items()},
                         "other_cpu_cores": round(latency["other_cpu_cores"], 2),
                         "quiet_share": round(latency.get("quiet_share", 1.0), 2)})
    return rows


def _fmt(value, digits=1) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"


def markdown(results: dict) -> str:
    machine, indexing = results["machine"], results.get("indexing")
    lines = ["# Scale benchmark", "",
             f"Machine: {machine.get('nproc')} CPUs ({machine.get('cpu')}), {machine.get('ram_gb')} GB RAM, "
             f"bf16 flags: {', '.join(machine.get('bf16') or []) or 'none'}; torch {machine.get('torch')} "
             f"({machine.get('torch_threads')} threads), faiss {machine.get('faiss')}. "
             f"Load average at start: {machine.get('load_avg')}.", ""]
    if indexing:
        lines += ["## Indexing throughput (indexer.build_index, end to end)", "",
                  "| precision | chunks | files | seconds | embed s | chunks/s | other CPU load |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for label in ("fp32", "fast"):
            r = indexing[label]
            lines.append(f"| {label} ({r['precision']}) | {r['chunks']} | {indexing['files']} | {r['seconds']:.1f} | "
                         f"{r['embed_seconds']:.1f} | {r['chunks_per_s']:.1f} | {r['other_cpu_cores']:.2f} |")
        lines += ["", f"Target ≥ {TARGET_CHUNKS_PER_S:.0f} chunks/s: "
                      f"{'met' if indexing['chunks_per_s_fast'] >= TARGET_CHUNKS_PER_S else 'MISSED'} "
                      f"({indexing['chunks_per_s_fast']:.1f} chunks/s on the fast path).", ""]
    lines += ["## Search (warm, one question at a time, top-10, query encoding included)", "",
              "| chunks | mode | index | p50 ms | p95 ms | build s | disk MB | RSS MB | recall@10 | other CPU | quiet |",
              "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results["results"]:
        lines.append(f"| {r['chunks']:,} | {r['mode']} | {r['index']} | {_fmt(r['query_p50_ms'])} | "
                     f"{_fmt(r['query_p95_ms'])} | {_fmt(r['build_s'])} | {_fmt(r['disk_mb'])} | {_fmt(r['rss_mb'], 0)} | "
                     f"{_fmt(r['recall_at_10'], 3)} | {r.get('other_cpu_cores', 0):.2f} | "
                     f"{r.get('quiet_share', 1.0):.0%} |")
    lines += ["", "## Where the time goes (mean ms per query)", "",
              "| chunks | mode | index | terms | bm25 | encode | vectors | hits | other |",
              "|---:|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in results["results"]:
        s = r.get("stages_ms", {})
        lines.append(f"| {r['chunks']:,} | {r['mode']} | {r['index']} | " + " | ".join(
            _fmt(s.get(k), 2) for k in ("terms", "bm25", "encode", "vectors", "hits", "other")) + " |")
    lines += ["", *_targets(results["results"]), "", *_sweeps(results.get("sizes", [])), "",
              *_size_notes(results.get("sizes", [])), "", NOTES]
    return "\n".join(lines) + "\n"


def _store_kind(n: int) -> str | None:
    """The vector index kind indexer.store picks for n chunks (None if the store no longer says)."""
    from indexer.store import vectors

    threshold = getattr(vectors, "APPROXIMATE_THRESHOLD", None)
    return None if threshold is None else ("ivf" if n > threshold else "flat")


def _targets(rows: list[dict]) -> list[str]:
    out = ["## Targets", ""]
    for (n, limit), key, label in ((TARGET_HYBRID_P50_MS, "query_p50_ms", "p50"),
                                   (TARGET_HYBRID_P95_MS, "query_p95_ms", "p95")):
        found = [r for r in rows if r["chunks"] == n and r["mode"] == "hybrid"]
        for r in found:
            verdict = "met" if r[key] <= limit else "MISSED"
            default = " (the store's choice at this size)" if r["index"] == _store_kind(n) else ""
            out.append(f"- hybrid {label} ≤ {limit:.0f} ms at {n:,} chunks with {r['index']}{default}: "
                       f"{r[key]:.1f} ms, {verdict}")
        if not found:
            out.append(f"- hybrid {label} ≤ {limit:.0f} ms at {n:,} chunks: size not measured in this run")
    return out


def _sweeps(sizes: list[dict]) -> list[str]:
    out = ["## Approximate indexes: recall against search time (dense search for 100 candidates, no encoding)", "",
           "| chunks | index | setting | recall@10 | within 0.01 cos | search p50 ms | search p95 ms |",
           "|---:|---|---|---:|---:|---:|---:|"]
    for size in sizes:
        for kind, measured in size.get("queries", {}).items():
            for s in measured.get("sweep", []):
                out.append(f"| {size['chunks']:,} | {kind} | {s['param']}={s['value']} | {s['recall_at_10']:.3f} | "
                           f"{s['recall_within_0.01']:.3f} | {s['search_p50_ms']:.2f} | {s['search_p95_ms']:.2f} |")
    return out


def _size_notes(sizes: list[dict]) -> list[str]:
    out = ["## Per size (build side)", "",
           "| chunks | documents | generate s | BM25 build s | flat s | HNSW s | IVF s | write s | build RSS MB | "
           "table MB | bm25 MB | vectors MB | HNSW MB | IVF MB |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for s in sizes:
        t, parts = s["timings"], s["parts_mb"]
        flat = parts.get("flat", {})
        out.append(f"| {s['chunks']:,} | {s['documents']:,} | {_fmt(t.get('generate_s'))} | {_fmt(t.get('bm25_build_s'))} | "
                   f"{_fmt(t.get('flat_build_s'), 2)} | {_fmt(t.get('hnsw_build_s'))} | {_fmt(t.get('ivf_build_s'))} | "
                   f"{_fmt(t.get('write_s'))} | {_fmt(s['rss_mb'], 0)} | {_fmt(flat.get('table'))} | "
                   f"{_fmt(flat.get('bm25'))} | {_fmt(flat.get('vectors'))} | "
                   f"{_fmt(parts.get('hnsw', {}).get('ann'))} | {_fmt(parts.get('ivf', {}).get('ann'))} |")
    return out


NOTES = """## How this was measured

- Synthetic chunks: sentences of the sample reports (data/samples, tests/data/more), township names and years
  as slots, 2–5 sentences per chunk (a run from one report section, a quarter swapped for any sentence),
  documents of 8–30 chunks with made-up townships and years. Terms come from a pool tokenised once with
  the real analyzer (BM25 is a bag of words, so composing token lists equals tokenising the text).
- Vectors: each pool sentence embedded once with the real model (fp32); a chunk's vector is the normalised
  sum of its sentences' vectors plus Gaussian noise (σ = 0.01 per dimension), so neighbourhoods are those of
  real text, with many near-duplicates as in a corpus of similar reports.
- Indexes are built and saved with indexer.store (write_version, VectorIndex, Bm25Index); queries go
  through a real search.Searcher loaded with open_index, one fresh process per size and index kind (RSS is
  that process's peak, before the recall check), with the Searcher's query-vector cache off so that every
  query is encoded. flat, hnsw and ivf are the store's own kinds and parameters; numpy is a proposed
  change: the flat version searched with one numpy (BLAS, all cores) matrix-vector product instead of
  faiss.IndexFlatIP (one core per query), without faiss's second copy of the vectors.
- recall@10: dense = overlap of the index's top-10 with exact search; hybrid = overlap of the hybrid top-10
  with the hybrid top-10 when the dense side is exact.
- The machine may be shared. Before each timed query the benchmark waits (up to 5 s, 5 min per process)
  until other processes use < 0.3 cores; "quiet" is the share of queries that got such a moment, and
  "other CPU" the cores other processes used while the timed queries ran. Rows with low "quiet" or high
  "other CPU" measured the neighbours as much as the search.
"""


def plot(results: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series: dict[tuple[str, str], list[dict]] = {}
    for r in results["results"]:
        series.setdefault((r["mode"], r["index"]), []).append(r)
    figure, axes = plt.subplots(1, 2, figsize=(12, 4.8), sharey=True)
    for ax, key, title in ((axes[0], "query_p50_ms", "p50"), (axes[1], "query_p95_ms", "p95")):
        for (mode, index), rows in sorted(series.items()):
            rows = sorted(rows, key=lambda r: r["chunks"])
            label = mode if mode == "bm25" else f"{mode} ({index})"
            ax.plot([r["chunks"] for r in rows], [r[key] for r in rows], marker="o",
                    linestyle="-" if mode == "hybrid" else "--" if mode == "dense" else ":", label=label)
        target = TARGET_HYBRID_P50_MS if title == "p50" else TARGET_HYBRID_P95_MS
        ax.plot([target[0]], [target[1]], marker="*", markersize=14, color="red", linestyle="none",
                label="hybrid target")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("chunks")
        ax.set_title(f"query latency {title} (ms)")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("ms")
    axes[1].legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def write_outputs(results: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "results.md").write_text(markdown(results), encoding="utf-8")
    plot(results, out / "latency.png")
