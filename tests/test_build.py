import shutil
from pathlib import Path

import pytest

from indexer import build_index, list_index
from indexer.store import IndexLocked, build_lock, current_token, open_index
from tests.fakes import HashEmbedder

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "data" / "samples"
FIXTURES = ROOT / "tests" / "data" / "load"


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    return folder


def _build(corpus, index, embedder=None, **options):
    return build_index([corpus], index, embedder=embedder or HashEmbedder(), **options)


def test_build_indexes_the_sample_corpus_with_metadata(corpus, tmp_path):
    report = _build(corpus, tmp_path / "index")
    assert report.documents == 5 and report.chunks == report.embedded > 50
    listing = list_index(tmp_path / "index")
    townships = {d["source"]: d["township"] for d in listing["documents"]}
    assert townships["003_1c944b72cf063491.txt"] == "大桥瑶族乡"
    assert listing["skipped"] == []


def test_second_build_reembeds_only_new_or_changed_files_and_drops_removed_ones(corpus, tmp_path):
    index = tmp_path / "index"
    _build(corpus, index)
    unchanged = _build(corpus, index, embedder=(embedder := HashEmbedder()))
    assert unchanged.reused_files == 5 and embedder.encoded == 0
    changed = corpus / "003_1c944b72cf063491.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n五、其他\n本乡新增一段关于普法宣传的内容，共发放宣传资料200份。\n",
                       encoding="utf-8")
    (corpus / "000_06cb966835ece50d.txt").unlink()
    shutil.copy(FIXTURES / "report_gbk.txt", corpus / "new_gbk.txt")
    report = _build(corpus, index, embedder=(embedder := HashEmbedder()))
    assert report.reused_files == 3 and report.processed_files == 2 and report.removed_files == 1
    new_chunks = open_index(index).table.chunks(doc_id=list_index(index)["documents"][-1]["doc_id"])
    assert 0 < embedder.encoded <= len(new_chunks) + 2  # new file, plus the changed file's new chunk
    sources = [d["source"] for d in list_index(index)["documents"]]
    assert "000_06cb966835ece50d.txt" not in sources and "new_gbk.txt" in sources


def test_bad_files_are_skipped_with_reasons_and_good_ones_indexed(corpus, tmp_path):
    for name in ("junk.txt", "empty.txt", "truncated.pdf", "encrypted.pdf", "corrupt.docx", "scanned_only.pdf"):
        shutil.copy(FIXTURES / name, corpus / name)
    (corpus / "旧格式 (1).doc").write_bytes(b"\xd0\xcf\x11\xe0 old word")
    shutil.copy(corpus / "001_d39ef96161d7b447.txt", corpus / "副本 001.txt")
    shutil.copy(FIXTURES / "scanned_page.pdf", corpus / "scanned_page.pdf")
    report = _build(corpus, tmp_path / "index")
    skipped = dict(report.skipped)
    assert report.documents == 6  # five samples and the PDF with one readable page
    assert "OCR" in skipped["scanned_only.pdf"] and "加密" in skipped["encrypted.pdf"]
    assert "损坏" in skipped["truncated.pdf"] and "损坏" in skipped["corrupt.docx"]
    assert "不是文本文件" in skipped["junk.txt"] and "为空" in skipped["empty.txt"]
    assert ".docx" in skipped["旧格式 (1).doc"]
    assert "重复" in skipped["副本 001.txt"] or "重复" in skipped["001_d39ef96161d7b447.txt"]
    listing = list_index(tmp_path / "index")
    scanned = next(d for d in listing["documents"] if d["source"] == "scanned_page.pdf")
    assert any("OCR" in w for w in scanned["warnings"])
    assert {s["source"] for s in listing["skipped"]} == set(skipped)


def test_oversized_text_files_are_skipped_not_loaded(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr("indexer.build.MAX_TEXT_BYTES", 1000)
    report = _build(corpus, tmp_path / "index")
    assert report.documents == 0 and all("过大" in reason for _, reason in report.skipped)


def test_sidecar_metadata_overrides_without_reembedding(corpus, tmp_path):
    index = tmp_path / "index"
    _build(corpus, index)
    with (corpus / "metadata.csv").open("a", encoding="utf-8") as sidecar:  # the samples ship one row already
        sidecar.write("003_1c944b72cf063491.txt,,江华瑶族自治县,,\n")
    report = _build(corpus, index, embedder=(embedder := HashEmbedder()))
    assert embedder.encoded == 0 and report.processed_files == 1
    document = next(d for d in list_index(index)["documents"] if d["source"].startswith("003"))
    assert document["county"] == "江华瑶族自治县" and document["township"] == "大桥瑶族乡"


class _FailingEmbedder(HashEmbedder):
    def encode_passages(self, texts, batch_size=32, progress=None):
        raise RuntimeError("model crashed")


def test_a_failed_build_leaves_the_previous_index_in_service(corpus, tmp_path):
    index = tmp_path / "index"
    _build(corpus, index)
    token = current_token(index)
    (corpus / "extra.txt").write_text("某镇2021年度报告\n一、主要做法\n开展普法宣传10次。", encoding="utf-8")
    with pytest.raises(RuntimeError):
        _build(corpus, index, embedder=_FailingEmbedder())
    assert current_token(index) == token
    assert open_index(index).manifest["documents"] == 5


def test_a_build_while_another_runs_is_refused(corpus, tmp_path):
    with build_lock(tmp_path / "index"):
        with pytest.raises(IndexLocked):
            _build(corpus, tmp_path / "index")


def test_changing_the_model_reembeds_everything(corpus, tmp_path):
    index = tmp_path / "index"
    _build(corpus, index)

    class Other(HashEmbedder):
        name = "test/other"

    report = _build(corpus, index, embedder=(embedder := Other()))
    assert embedder.encoded == report.chunks and report.notes
    assert open_index(index).manifest["model"] == "test/other"
