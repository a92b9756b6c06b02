"""The scale benchmark (`python -m bench`): synthetic data without the model, and a tiny end-to-end run."""
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
ROW_KEYS = {"chunks", "mode", "index", "query_p50_ms", "query_p95_ms", "build_s", "disk_mb", "rss_mb", "recall_at_10"}


@pytest.fixture(scope="module")
def pool():
    from bench.corpus import build_pool
    from indexer.analyzer import get_analyzer

    return build_pool(get_analyzer())


def test_synthetic_corpus_fills_townships_and_years_into_text_and_terms(pool):
    from bench.corpus import SLOT_TOWNSHIP, SLOT_YEAR, make_corpus
    from indexer.analyzer import get_analyzer

    corpus = make_corpus(pool, 500, get_analyzer(), seed=1)
    assert len(corpus.chunks) == 500 and corpus.sentence_rows.shape == (500, len(pool))
    assert len({c.id for c in corpus.chunks}) == 500
    assert sum(d.chunks for d in corpus.documents) == 500
    for chunk in corpus.chunks:
        assert SLOT_TOWNSHIP not in chunk.text and SLOT_YEAR not in chunk.text and chunk.terms
    by_doc = {d.doc_id: d for d in corpus.documents}
    named = [c for c in corpus.chunks if by_doc[c.doc_id].township in c.text]
    assert named, "some chunks mention their township"
    for chunk in named[:20]:
        township = by_doc[chunk.doc_id].township
        assert set(get_analyzer().terms(township)) <= set(chunk.terms)
    # Terms composed from the pre-tokenised pool are (almost) what indexing would make of the chunk's text
    analyzer, overlaps = get_analyzer(), []
    for chunk in corpus.chunks:
        real = Counter(analyzer.terms(chunk.text) + analyzer.terms(
            " ".join(h for h in chunk.section_path if h not in chunk.text)))
        composed = Counter(chunk.terms)
        overlaps.append(sum((real & composed).values()) / sum((real | composed).values()))
    assert np.mean(overlaps) > 0.97


def test_chunk_vectors_are_unit_length_and_close_to_their_sentences(pool):
    from bench.corpus import chunk_vectors, make_corpus
    from indexer.analyzer import get_analyzer

    corpus = make_corpus(pool, 300, get_analyzer(), seed=2)
    rng = np.random.default_rng(0)
    sentence_vectors = rng.standard_normal((len(pool), 32)).astype(np.float32)
    sentence_vectors /= np.linalg.norm(sentence_vectors, axis=1, keepdims=True)
    vectors = chunk_vectors(sentence_vectors, corpus.sentence_rows, noise=0.01)
    assert vectors.shape == (300, 32) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    first = int(corpus.sentence_rows[0].indices[0])
    assert float(vectors[0] @ sentence_vectors[first]) > 0.3


@pytest.mark.model
@pytest.mark.slow
def test_bench_runs_end_to_end_at_a_small_size(tmp_path):
    out = tmp_path / "out"
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--sizes", "1000", "--json", "--out", str(out), "--indexing-chunks", "40",
         "--kinds", "flat,ivf", "--questions", "8", "--rounds", "1", "--workdir", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert completed.returncode == 0, completed.stderr[-4000:]
    results = json.loads(completed.stdout)
    assert json.loads((out / "results.json").read_text(encoding="utf-8")) == results
    assert (out / "latency.png").stat().st_size > 1000
    assert "| 1,000 | hybrid | ivf |" in (out / "results.md").read_text(encoding="utf-8")

    rows = results["results"]
    assert {(r["mode"], r["index"]) for r in rows} == {
        ("bm25", "bm25"), ("dense", "flat"), ("hybrid", "flat"), ("dense", "ivf"), ("hybrid", "ivf")}
    for row in rows:
        assert ROW_KEYS <= set(row)
        assert row["chunks"] == 1000
        assert 0 < row["query_p50_ms"] <= row["query_p95_ms"] < 60_000
        assert row["build_s"] >= 0 and row["disk_mb"] > 0
        assert 100 < row["rss_mb"] < 20_000
        if row["index"] in ("bm25", "flat"):
            assert row["recall_at_10"] is None
        else:
            assert 0.9 <= row["recall_at_10"] <= 1.0  # IVF probing 16 of 25 lists is practically exact
    indexing = results["indexing"]
    assert indexing["chunks"] >= 40
    assert indexing["chunks_per_s_fp32"] > 0 and indexing["chunks_per_s_fast"] > 0
    assert results["machine"]["nproc"] >= 1


@pytest.mark.model
def test_startup_times_each_verb_in_fresh_processes(sample_index, tmp_path):
    """`python -m bench --startup`: medians per verb for this checkout and, alternating, another one."""
    import shutil

    from bench.startup import QUESTION, markdown, measure_startup, verbs, write_startup
    from tests.conftest import SAMPLE_CORPUS

    index = tmp_path / "index"
    shutil.copytree(sample_index, index)  # builds publish new versions: keep the session's index as it is
    assert set(verbs(index, SAMPLE_CORPUS, "x")) >= {"indexer list", "indexer build (no change)", "search ask",
                                                     "search query (hybrid)", "search query --mode bm25"}
    quick = ["indexer list", "search query --mode bm25", "search similar"]
    result = measure_startup(SAMPLE_CORPUS, index, runs=2, against=ROOT, only=quick, log=lambda message: None)
    assert list(result["verbs"]) == quick and result["question"] == QUESTION
    for row in result["verbs"].values():
        for label in ("now", "against"):
            assert len(row[label]["walls"]) == 2 and row[label]["wall_s"] > 0 and row[label]["cpu_s"] > 0
            walls = row[label]["walls"]
            assert abs(row[label]["wall_s"] - round(sum(walls) / 2, 2)) <= 0.011  # median of two
    write_startup(result, tmp_path / "out")
    saved = json.loads((tmp_path / "out" / "startup.json").read_text(encoding="utf-8"))
    assert saved["verbs"].keys() == result["verbs"].keys()
    table = (tmp_path / "out" / "startup.md").read_text(encoding="utf-8")
    assert table == markdown(result) and "`search similar`" in table and "(against)" in table
