"""The Milvus store (Milvus Lite, embedded) against the FAISS files: same rows, same scores, same answers.

One Milvus Lite file per module (its engine starts once); each test uses its own alias, as separate
indexes sharing one server would.
"""
import shutil
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest

from indexer import build_index, list_index
from indexer.store import StoreError, StoreSpec, open_index, parse_store, served_token
from indexer.store import milvus_collection
from search import Filters, Searcher
from tests.fakes import HashEmbedder

pytest.importorskip("pymilvus")
pytest.importorskip("milvus_lite")

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
QUESTIONS = ["法律顾问", "普法宣传工作怎么开展的", "行政执法公示制度", "存在的问题和不足", "2022年工作计划"]


@pytest.fixture(scope="module")
def lite_file(tmp_path_factory):
    return tmp_path_factory.mktemp("milvus") / "store.db"


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(SAMPLES, folder)
    return folder


def _spec(lite_file, alias):
    return StoreSpec("milvus", str(lite_file), alias)


@pytest.fixture(scope="module")
def pair(tmp_path_factory, lite_file):
    """The samples indexed twice with the same stand-in model: FAISS files and Milvus Lite."""
    folder = tmp_path_factory.mktemp("pair")
    build_index([SAMPLES], folder / "faiss", embedder=HashEmbedder(), store="faiss")
    spec = _spec(lite_file, "pair")
    build_index([SAMPLES], folder / "milvus", embedder=HashEmbedder(), store=spec)
    return (Searcher.load(folder / "faiss", embedder=HashEmbedder(), store="faiss"),
            Searcher.load(folder / "milvus", embedder=HashEmbedder(), store=spec))


def _same_hits(expected, got):
    assert [h.id for h in got] == [h.id for h in expected]
    assert np.allclose([h.score for h in got], [h.score for h in expected], atol=2e-4)


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_milvus_returns_the_faiss_ranking_in_every_mode(pair, mode):
    faiss_searcher, milvus_searcher = pair
    assert len(milvus_searcher.retrieval) == len(faiss_searcher.retrieval) > 50
    for question in QUESTIONS:
        _same_hits(faiss_searcher.query(question, mode=mode), milvus_searcher.query(question, mode=mode))


def test_filters_become_milvus_expressions_with_the_same_rows(pair):
    faiss_searcher, milvus_searcher = pair
    documents = faiss_searcher.documents()
    township = next(d.township for d in documents if d.township)
    year = next(d.year for d in documents if d.year)
    for filters in (Filters(townships=[township[:2]]), Filters(year_from=year, year_to=year),
                    Filters(roles=["problem", "plan"]), Filters(sources=[documents[0].source]),
                    Filters(townships=["没有这个乡"])):
        expected = faiss_searcher.query("法治建设", filters=filters)
        got = milvus_searcher.query("法治建设", filters=filters)
        _same_hits(expected, got)
        allowed = faiss_searcher.columns.mask(filters)
        assert all(allowed[h.row] for h in got)


def test_ask_and_similar_work_unchanged_on_milvus(pair):
    faiss_searcher, milvus_searcher = pair
    question = "哪些乡镇聘请了法律顾问"
    assert milvus_searcher.ask(question).to_json() == faiss_searcher.ask(question).to_json()
    chunk_id = faiss_searcher.query("法律顾问")[0].id
    expected = [h.id for h in faiss_searcher.similar(chunk_id)]
    assert expected and [h.id for h in milvus_searcher.similar(chunk_id)] == expected


def test_commands_after_a_milvus_build_find_the_store_by_themselves(pair, lite_file):
    index_dir = pair[1].index_dir
    assert open_index(index_dir).spec == _spec(lite_file, "pair")
    assert len(list_index(index_dir)["documents"]) == 5
    with pytest.raises(Exception, match="--store"):
        open_index(index_dir, "faiss")


def test_incremental_build_reembeds_only_changed_files_and_switches_the_alias(corpus, tmp_path, lite_file):
    spec = _spec(lite_file, "incremental")
    index = tmp_path / "index"
    first = build_index([corpus], index, embedder=HashEmbedder(), store=spec)
    served = milvus_collection.served_collection(spec)
    same = build_index([corpus], index, embedder=(embedder := HashEmbedder()))  # store found from the index
    assert same.reused_files == 5 and embedder.encoded == 0
    changed = corpus / "003_1c944b72cf063491.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n五、新增内容\n本乡新建了法治文化公园一座。\n",
                       encoding="utf-8")
    update = build_index([corpus], index, embedder=(embedder := HashEmbedder()), store=spec)
    assert update.reused_files == 4 and update.processed_files == 1
    assert 0 < embedder.encoded < first.chunks
    assert milvus_collection.served_collection(spec) != served
    mine = [c for c in milvus_collection.client(spec).list_collections() if c.startswith("incremental__")]
    assert len(mine) == 2  # the served one and its predecessor; the first build's collection is dropped
    searcher = Searcher.load(index, embedder=HashEmbedder())
    assert "法治文化公园" in searcher.query("法治文化公园", mode="bm25")[0].text


def test_a_build_from_another_folder_never_takes_over_a_served_alias(corpus, tmp_path, lite_file):
    spec = _spec(lite_file, "taken")
    build_index([corpus], tmp_path / "served", embedder=HashEmbedder(), store=spec)
    served = milvus_collection.served_collection(spec)
    with pytest.raises(StoreError, match="另一个索引目录"):
        build_index([corpus], tmp_path / "other", embedder=HashEmbedder(), store=spec, rebuild=True)
    assert milvus_collection.served_collection(spec) == served
    assert Searcher.load(tmp_path / "served", embedder=HashEmbedder()).query("法律顾问", mode="bm25")


def test_readers_keep_answering_while_a_build_switches_the_alias(corpus, tmp_path, lite_file):
    spec = _spec(lite_file, "switch")
    index = tmp_path / "index"
    build_index([corpus], index, embedder=HashEmbedder(), store=spec)
    searcher = Searcher.load(index, embedder=HashEmbedder(), store=spec)
    before = searcher.token
    errors, answered, done = [], [], threading.Event()

    def read():
        while not done.is_set():
            try:
                searcher.refresh()
                answered.append(len(searcher.query("行政执法", top_k=5)))
            except Exception as error:  # any failure during the switch is the bug this test is for
                errors.append(error)

    readers = [threading.Thread(target=read) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        (corpus / "003_1c944b72cf063491.txt").unlink()
        build_index([corpus], index, embedder=HashEmbedder(), store=spec)
        build_index([corpus], index, embedder=HashEmbedder(), store=spec, rebuild=True)
    finally:
        done.set()
        for reader in readers:
            reader.join()
    assert not errors and answered and all(n == 5 for n in answered), (errors, sorted(set(answered)), len(answered))
    searcher.refresh()
    assert searcher.token != before and searcher.token == served_token(index, spec)
    assert len(searcher.documents()) == 4


KILLED_BUILD = textwrap.dedent("""
    import os, sys
    sys.path.insert(0, {root!r})
    from indexer import build_index
    from indexer.store import StoreSpec, milvus_collection
    from tests.fakes import HashEmbedder

    spec = StoreSpec("milvus", {db!r}, "killed")
    if sys.argv[1] == "die":
        milvus_collection.INSERT_BATCH = 10
        original = milvus_collection.client(spec).insert
        calls = []
        def insert(*args, **kwargs):
            calls.append(1)
            if len(calls) == 3:
                os._exit(9)  # as a kill: no cleanup, no atexit
            return original(*args, **kwargs)
        milvus_collection.client(spec).insert = insert
    from pathlib import Path
    build_index([Path({corpus!r})], Path({index!r}), embedder=HashEmbedder(), store=spec, rebuild=sys.argv[1] == "die")
""")


def test_a_build_killed_midway_leaves_the_served_index_intact(corpus, tmp_path):
    # Its own Milvus Lite file: a Lite file is open in one process at a time.
    db, index = tmp_path / "killed.db", tmp_path / "index"
    script = tmp_path / "build.py"
    script.write_text(KILLED_BUILD.format(root=str(ROOT), db=str(db), corpus=str(corpus), index=str(index)))
    assert subprocess.run([sys.executable, str(script), "ok"], cwd=ROOT, timeout=300).returncode == 0
    killed = subprocess.run([sys.executable, str(script), "die"], cwd=ROOT, timeout=300)
    assert killed.returncode == 9
    spec = StoreSpec("milvus", str(db), "killed")
    searcher = Searcher.load(index, embedder=HashEmbedder(), store=spec)
    assert len(searcher.documents()) == 5 and searcher.query("法律顾问", top_k=3)
    leftovers = [c for c in milvus_collection.client(spec).list_collections()
                 if c != searcher.retrieval.collection]
    assert leftovers  # the half-written collection, never served
    build_index([corpus], index, embedder=HashEmbedder(), store=spec)
    names = milvus_collection.client(spec).list_collections()
    assert not set(leftovers) & set(names)


def test_store_settings_are_checked_with_messages_for_users(monkeypatch):
    assert parse_store("milvus://db.example:19530").uri == "http://db.example:19530"
    assert parse_store("milvus+https://db.example:443").describe() == "milvus+https://db.example:443"
    monkeypatch.setenv("RULEOFLAW_STORE", "milvus:/tmp/x.db")
    assert parse_store().uri == "/tmp/x.db"
    for bad in ("milvus:/tmp/x.sqlite", "milvus://no port", "qdrant://x:1"):
        with pytest.raises(StoreError):
            parse_store(bad)
    monkeypatch.setenv("MILVUS_USER", "reader")
    monkeypatch.setenv("MILVUS_PASSWORD", "secret")
    from indexer.store.spec import client_options
    assert client_options(parse_store("milvus://h:1")) == {"uri": "http://h:1", "user": "reader",
                                                           "password": "secret"}
