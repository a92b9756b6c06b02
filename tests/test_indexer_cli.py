"""python -m indexer build/list on a small corpus with the hash stand-in model."""
import json
import shutil
from pathlib import Path

import pytest

from indexer.__main__ import main
from tests.fakes import HashEmbedder

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def fast_model(monkeypatch):
    monkeypatch.setattr("indexer.embed.Embedder", lambda *args, **kwargs: HashEmbedder())


def test_build_then_list(capsys, tmp_path):
    corpus = tmp_path / "报告 (2021)"
    shutil.copytree(ROOT / "data" / "samples", corpus)
    (corpus / "旧文件.wps").write_bytes(b"\xd0\xcf\x11\xe0")
    assert main(["build", str(corpus), "--index", str(tmp_path / "index")]) == 0
    out = capsys.readouterr().out
    assert "索引完成：5 份报告" in out and "旧文件.wps" in out
    assert main(["list", "--index", str(tmp_path / "index"), "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    assert len(listing["documents"]) == 5
    assert set(listing["documents"][0]) >= {"source", "title", "township", "county", "year", "chunks", "warnings"}
    assert listing["skipped"][0]["source"] == "旧文件.wps" and ".docx" in listing["skipped"][0]["reason"]
    assert main(["list", "--index", str(tmp_path / "index")]) == 0
    assert "大桥瑶族乡" in capsys.readouterr().out


def test_build_with_nothing_indexable_exits_1(capsys, tmp_path):
    (tmp_path / "empty").mkdir()
    assert main(["build", str(tmp_path / "empty"), "--index", str(tmp_path / "index")]) == 1


def test_list_without_an_index_names_the_fix(capsys, tmp_path):
    assert main(["list", "--index", str(tmp_path / "none")]) == 2
    assert "python -m indexer build" in capsys.readouterr().err
