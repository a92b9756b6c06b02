"""Where the user's data lives: outside the clone, never in the bundled samples folder."""
from __future__ import annotations

import subprocess
from pathlib import Path

from indexer import paths

ROOT = Path(__file__).resolve().parent.parent


def test_user_folders_default_outside_the_clone(monkeypatch, tmp_path):
    monkeypatch.delenv("RULEOFLAW_HOME", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert paths.default_corpus() == tmp_path / "xdg" / "ruleoflaw-search" / "corpus"
    assert paths.default_index() == tmp_path / "xdg" / "ruleoflaw-search" / "index"
    monkeypatch.delenv("XDG_DATA_HOME")
    for folder in (paths.default_corpus(), paths.default_index()):
        assert not folder.resolve().is_relative_to(ROOT)


def test_environment_overrides_each_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("RULEOFLAW_HOME", str(tmp_path / "home"))
    assert paths.default_corpus() == tmp_path / "home" / "corpus"
    monkeypatch.setenv("CORPUS_DIR", str(tmp_path / "mine"))
    monkeypatch.setenv("INDEX_DIR", str(tmp_path / "idx"))
    assert (paths.default_corpus(), paths.default_index()) == (tmp_path / "mine", tmp_path / "idx")


def test_seeding_copies_the_samples_once_and_never_into_an_existing_folder(tmp_path):
    corpus = tmp_path / "corpus"
    assert paths.seed_corpus(corpus)
    assert sorted(p.name for p in corpus.iterdir()) == sorted(p.name for p in paths.SAMPLES_DIR.iterdir())
    (corpus / "000_06cb966835ece50d.txt").unlink()  # the user removed a sample: it stays removed
    assert not paths.seed_corpus(corpus)
    assert not (corpus / "000_06cb966835ece50d.txt").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    assert not paths.seed_corpus(empty) and not any(empty.iterdir())


def test_the_samples_folder_is_recognised_and_holds_only_tracked_files():
    assert paths.is_samples_folder(paths.SAMPLES_DIR) and not paths.is_samples_folder(ROOT / "data")
    tracked = subprocess.run(["git", "ls-files", "data/samples"], cwd=ROOT, capture_output=True, text=True)
    if tracked.returncode != 0 or not tracked.stdout:
        return  # not a git checkout (an unpacked release): nothing to compare with
    on_disk = sorted(p.relative_to(ROOT).as_posix() for p in paths.SAMPLES_DIR.rglob("*") if p.is_file())
    assert on_disk == sorted(tracked.stdout.split())
