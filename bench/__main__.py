"""`python -m bench`: indexing throughput and search latency, memory and disk at growing corpus sizes.

    python -m bench [--sizes 1000,10000,100000,1000000] [--json] [--out DIR]
                    [--indexing-chunks 3000] [--kinds flat,hnsw,ivf] [--questions N] [--rounds 2]
    python -m bench --startup [--runs 3] [--corpus DIR] [--index DIR] [--against OTHER_CHECKOUT]
                    [--store milvus:PATH.db | milvus://HOST:PORT]   (adds the Milvus store next to FAISS)

`--startup` times each command-line verb instead (bench/startup.py), into startup.json/.md.

Each size runs in fresh child processes (`--one-size N --stage prepare|query`): one builds and saves
the index with every vector index kind, then one per kind loads it into a real Searcher and times the
queries, so peak RSS and caches of one size or kind never leak into another.
"""
from __future__ import annotations

import argparse
import json
import pickle
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.indexes import KINDS, index_dir, milvus_spec
from bench.queries import MODES

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "bench" / "out"
DEFAULT_SIZES = "1000,10000,100000,1000000"
NOISY_CORES = 0.15  # other processes' CPU use while timing above which a query run is repeated


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="comma-separated chunk counts")
    parser.add_argument("--json", action="store_true", help="print results as JSON instead of a Markdown table")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where results.json/.md and latency.png go")
    parser.add_argument("--indexing-chunks", type=int, default=3000,
                        help="chunks for the end-to-end indexing throughput run (0 skips it)")
    parser.add_argument("--kinds", default=",".join(k for k in KINDS if k != "milvus"),
                        help="vector index kinds: flat,numpy,hnsw,ivf (milvus: with --store)")
    parser.add_argument("--questions", type=int, default=0, help="use only the first N questions (0: all)")
    parser.add_argument("--rounds", type=int, default=2, help="timed passes over the questions per mode")
    parser.add_argument("--torch-threads", type=int, default=0,
                        help="torch threads for query encoding (0: as the app sets them, one per usable core)")
    parser.add_argument("--retries", type=int, default=2,
                        help="repeat a size's query run when other processes used the CPU meanwhile")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--store", help="also measure this Milvus store (milvus:PATH.db or milvus://HOST:PORT), "
                                        "under its own aliases bench_n<size>")
    parser.add_argument("--workdir", type=Path, help="scratch folder (default: a new temporary folder)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--startup", action="store_true", help="time each CLI verb's start-up instead")
    parser.add_argument("--runs", type=int, default=3, help="--startup: runs per verb (median reported)")
    parser.add_argument("--corpus", type=Path, default=ROOT / "data" / "samples", help="--startup: corpus")
    parser.add_argument("--index", type=Path, help="--startup: an index of --corpus (default: built first)")
    parser.add_argument("--against", type=Path, help="--startup: another checkout to time in alternation")
    parser.add_argument("--one-size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--stage", choices=("prepare", "query"), help=argparse.SUPPRESS)
    parser.add_argument("--kind", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    kinds = [k for k in args.kinds.split(",") if k]
    unknown = set(kinds) - set(KINDS)
    if unknown or "flat" not in kinds:
        parser.error(f"--kinds must include flat and may add numpy, hnsw, ivf (got {args.kinds})")
    if args.store and "milvus" not in kinds:
        kinds.append("milvus")
    if "milvus" in kinds and not args.store:
        parser.error("--kinds milvus needs --store milvus:PATH.db or milvus://HOST:PORT")
    args.kinds = kinds
    if args.startup:
        return _startup(args)
    if args.one_size:
        return _child(args)
    return _run(args)


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _run(args) -> int:
    from bench.corpus import build_pool
    from bench.measure import indexing_throughput, machine_info
    from bench.report import markdown, rows_for_size, write_outputs
    from indexer.analyzer import get_analyzer
    from indexer.embed import Embedder

    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip())
    workdir = Path(tempfile.mkdtemp(prefix="bench-", dir=args.workdir))
    try:
        machine = machine_info()
        _log(f"scratch folder {workdir}")
        pool = build_pool(get_analyzer())
        embedder = Embedder(precision="fp32")
        pool_vectors = _pool_vectors(pool, embedder)
        with open(workdir / "pool.pkl", "wb") as handle:
            pickle.dump(pool, handle)
        np.save(workdir / "pool_vectors.npy", pool_vectors)
        _log(f"sentence pool: {len(pool)} sentences from {len(pool.reports)} reports")
        indexing = None
        if args.indexing_chunks > 0:
            _log(f"indexing throughput over ≥ {args.indexing_chunks} chunks (fp32, then fast path)")
            measured = indexing_throughput(pool, workdir, args.indexing_chunks, embedder, args.seed)
            indexing = {"chunks_per_s_fp32": round(measured["fp32"]["chunks_per_s"], 2),
                        "chunks_per_s_fast": round(measured["fast"]["chunks_per_s"], 2), **measured}
            _log(f"indexing: fp32 {indexing['chunks_per_s_fp32']} chunks/s, "
                 f"fast ({measured['fast']['precision']}) {indexing['chunks_per_s_fast']} chunks/s")
        del embedder
        rows, sizes_info = [], []
        results = {"results": rows, "indexing": indexing, "machine": machine, "sizes": sizes_info}
        for n in sizes:
            _log(f"{n:,} chunks: building {', '.join(args.kinds)}")
            prepared = _child_run(args, workdir, n, "prepare")
            sizes_info.append(prepared)
            queries = {}
            for kind in args.kinds:
                queries[kind] = _quietest_query_run(args, workdir, n, kind)
            rows.extend(rows_for_size(prepared, queries))
            prepared["queries"] = {kind: {key: q[key] for key in ("load_s", "rss_mb", "precision", "torch_threads",
                                                                  "gate_waited_s", "attempts")}
                                   | {"sweep": (q["recall"] or {}).get("sweep", [])} for kind, q in queries.items()}
            shutil.rmtree(workdir / f"n{n}", ignore_errors=True)
            write_outputs(results, args.out)  # after every size, so a long run can be watched
        print(json.dumps(results, ensure_ascii=False, indent=1) if args.json else markdown(results))
        _log(f"wrote {args.out}/results.json, results.md, latency.png")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def _startup(args) -> int:
    from bench.startup import markdown, measure_startup, write_startup

    result = measure_startup(args.corpus, args.index, max(1, args.runs), args.against, log=_log)
    write_startup(result, args.out)
    print(json.dumps(result, ensure_ascii=False, indent=1) if args.json else markdown(result))
    _log(f"wrote {args.out}/startup.json, startup.md")
    return 0


def _pool_vectors(pool, embedder) -> np.ndarray:
    """Passage embeddings of the pool sentences, cached beside the model (same model + pool: same file)."""
    import hashlib

    from indexer.e5model import default_cache_dir

    digest = hashlib.sha256("\n".join([embedder.name, embedder.precision, *pool.originals]).encode()).hexdigest()
    path = default_cache_dir() / "bench" / f"pool-{digest[:16]}.npy"
    if path.exists():
        embedder.encode_passages(pool.originals[:32])  # still warm the model up for the throughput run
        return np.load(path)
    vectors = embedder.encode_passages(pool.originals)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def _quietest_query_run(args, workdir: Path, n: int, kind: str) -> dict:
    """Time the queries again (up to --retries times) while other processes took CPU; keep the quietest."""
    best = None
    for attempt in range(1 + max(0, args.retries)):
        _log(f"{n:,} chunks: querying with {kind}" + (f" (again, attempt {attempt + 1})" if attempt else ""))
        result = _child_run(args, workdir, n, "query", kind)
        result["noise"] = max(m["other_cpu_cores"] for m in result["latency"].values())
        result["attempts"] = attempt + 1
        if best is None or result["noise"] < best["noise"]:
            best = result
        if best["noise"] <= NOISY_CORES:
            break
        _log(f"other processes used {result['noise']:.2f} cores while the queries were timed")
    return best


def _child_run(args, workdir: Path, n: int, stage: str, kind: str | None = None) -> dict:
    command = [sys.executable, "-m", "bench", "--one-size", str(n), "--stage", stage, "--workdir", str(workdir),
               "--kinds", ",".join(args.kinds), "--questions", str(args.questions), "--rounds", str(args.rounds),
               "--seed", str(args.seed), "--torch-threads", str(args.torch_threads)]
    if kind:
        command += ["--kind", kind]
    if args.store:
        command += ["--store", args.store]
    # The child's stdout goes to our stderr: with --json our stdout must hold the JSON only.
    subprocess.run(command, check=True, cwd=ROOT, stdout=sys.stderr)
    return json.loads(_child_result(workdir, n, stage, kind).read_text(encoding="utf-8"))


def _child_result(workdir: Path, n: int, stage: str, kind: str | None) -> Path:
    return workdir / f"result-{n}-{stage}-{kind or 'all'}.json"


def _child(args) -> int:
    from bench.measure import peak_rss_mb
    from bench.queries import query_stage
    from bench.questions import benchmark_questions

    workdir, n = args.workdir, args.one_size
    if args.stage == "prepare":
        from bench.indexes import prepare
        from indexer.analyzer import get_analyzer

        with open(workdir / "pool.pkl", "rb") as handle:
            pool = pickle.load(handle)
        result = prepare(workdir, n, pool, np.load(workdir / "pool_vectors.npy"), get_analyzer(), args.kinds,
                         args.seed, args.store)
        result["rss_mb"] = peak_rss_mb()
    else:
        modes = MODES if args.kind in ("flat", "milvus") else tuple(m for m in MODES if m != "bm25")
        store = milvus_spec(args.store, n) if args.kind == "milvus" else "faiss"
        result = query_stage(index_dir(workdir, n, args.kind), args.kind,
                             benchmark_questions(args.questions or None), args.rounds, modes,
                             args.torch_threads, store)
    _child_result(workdir, n, args.stage, args.kind).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
