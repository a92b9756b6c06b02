"""Same answers from both stores? Top-10 overlap and search.eval metrics, FAISS files against Milvus.

    python -m bench.store_compare --store milvus:/tmp/compare.db [--json]

Indexes data/samples (with tests/data/eval/dev_questions.jsonl) and data/samples + tests/data/more (with
dev_questions_more.jsonl) once with the real model into FAISS files, copies each version unchanged into
the Milvus store (same rows, same vectors, same BM25 weights), and asks both the same questions in every
mode. Figures in docs/milvus.md.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = {
    "samples": ([ROOT / "data" / "samples"], ROOT / "tests" / "data" / "eval" / "dev_questions.jsonl"),
    "samples+more": ([ROOT / "data" / "samples", ROOT / "tests" / "data" / "more"],
                     ROOT / "tests" / "data" / "eval" / "dev_questions_more.jsonl"),
}
TOP_K = 10


def copy_to_store(source_dir: Path, target_dir: Path, spec) -> float:
    """Publish the served version of `source_dir` (FAISS files) into `spec`; returns seconds taken."""
    from indexer.store import open_index, write_version
    stored = open_index(source_dir, "faiss")
    table = stored.table
    documents = table.documents(with_text=True)
    paragraphs = [p for d in documents for p in table.paragraphs(d.doc_id)]
    chunks = table.chunks(with_terms=True)
    manifest = {k: v for k, v in stored.manifest.items()
                if k not in ("chunks", "documents", "dimension", "vector_index", "format")}
    started = time.perf_counter()
    write_version(target_dir, manifest, documents, paragraphs, chunks, table.skipped(),
                  stored.retrieval.vector_index.vectors, stored.retrieval.bm25, spec)
    return time.perf_counter() - started


def compare(first, second, questions, modes=("hybrid", "dense", "bm25")) -> dict:
    from search.eval import evaluate
    overlap = {}
    for mode in modes:
        shares = []
        for question in questions:
            a = [h.id for h in first.query(question.question, top_k=TOP_K, mode=mode)]
            b = [h.id for h in second.query(question.question, top_k=TOP_K, mode=mode)]
            shares.append(len(set(a) & set(b)) / max(1, len(a)))
        overlap[mode] = round(sum(shares) / len(shares), 4)
    same_answers = sum(first.ask(q.question).to_json() == second.ask(q.question).to_json()
                       for q in questions if q.type == "townships")
    first_metrics, _ = evaluate(first, questions, list(modes))
    second_metrics, _ = evaluate(second, questions, list(modes))
    differences = {group: {key: round(abs(value - second_metrics[group][key]), 4)
                           for key, value in values.items() if isinstance(value, float)}
                   for group, values in first_metrics.items()}
    return {"questions": len(questions), "overlap@10": overlap,
            "identical_township_answers": f"{same_answers}/{sum(q.type == 'townships' for q in questions)}",
            "largest_metric_difference": max((v for d in differences.values() for v in d.values()), default=0.0),
            "faiss": first_metrics, "milvus": second_metrics}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.store_compare", description="FAISS 与 Milvus 结果对比")
    parser.add_argument("--store", required=True, help="milvus:文件.db 或 milvus://主机:端口")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from indexer import build_index
    from indexer.embed import Embedder
    from indexer.store import parse_store
    from indexer.store.milvus_collection import remove_all
    from search import Searcher
    from search.eval import load_questions

    embedder = Embedder()
    results = {}
    with tempfile.TemporaryDirectory(prefix="store-compare-") as scratch:
        for name, (corpora, questions_file) in CORPORA.items():
            spec = replace(parse_store(args.store), alias=f"compare_{name.replace('+', '_')}")
            faiss_dir, milvus_dir = Path(scratch) / name / "faiss", Path(scratch) / name / "milvus"
            build_index(corpora, faiss_dir, embedder=embedder, store="faiss")
            seconds = copy_to_store(faiss_dir, milvus_dir, spec)
            try:
                first = Searcher.load(faiss_dir, embedder=embedder, store="faiss")
                second = Searcher.load(milvus_dir, embedder=embedder, store=spec)
                results[name] = dict(compare(first, second, load_questions(questions_file)),
                                     chunks=len(first.retrieval), milvus_write_s=round(seconds, 1))
            finally:
                remove_all(spec)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=1))
    else:
        for name, result in results.items():
            print(f"{name}: {result['chunks']} 段，{result['questions']} 题；top-10 重合 {result['overlap@10']}；"
                  f"乡镇答案完全相同 {result['identical_township_answers']}；"
                  f"评测指标最大差 {result['largest_metric_difference']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
