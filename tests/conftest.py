"""Shared pytest fixtures.

The embedding fixtures build the default model once into the normal cache (`RULEOFLAW_CACHE` or
~/.cache/ruleoflaw-search), so only the first run pays for the rebuild; tests using them carry the
`model` marker and can be skipped with `-m "not model"`.
"""
from __future__ import annotations

import pytest


@pytest.fixture(scope="session", autouse=True)
def no_user_folders(tmp_path_factory):
    """No test reads or writes the user's corpus, index or reviews: the user folder of every test is a fresh
    temporary one, and CORPUS_DIR/INDEX_DIR set in the calling shell are ignored. The model cache stays."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RULEOFLAW_HOME", str(tmp_path_factory.mktemp("user-home")))
        patch.delenv("CORPUS_DIR", raising=False)
        patch.delenv("INDEX_DIR", raising=False)
        yield


@pytest.fixture(scope="session")
def default_model_dir():
    from indexer.e5model import ensure_default_model

    return ensure_default_model()


@pytest.fixture(scope="session")
def embedder(default_model_dir):
    from indexer.embed import Embedder

    return Embedder(precision="fp32")


ROOT = __import__("pathlib").Path(__file__).resolve().parent.parent
SAMPLE_CORPUS = ROOT / "data" / "samples"  # read-only: tests copy it before changing anything


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory, embedder):
    """An index of the bundled sample corpus, built once with the real model (read-only for tests)."""
    from indexer import build_index

    index = tmp_path_factory.mktemp("sample-index")
    build_index([SAMPLE_CORPUS], index, embedder=embedder)
    return index


@pytest.fixture(scope="session")
def sample_searcher(sample_index, embedder):
    from search import Searcher

    return Searcher.load(sample_index, embedder=embedder)


@pytest.fixture(scope="session")
def hash_index(tmp_path_factory):
    """An index of the sample corpus built with the hashing stand-in model: fast, no transformer (read-only)."""
    from indexer import build_index
    from tests.fakes import HashEmbedder

    index = tmp_path_factory.mktemp("hash-index")
    build_index([SAMPLE_CORPUS], index, embedder=HashEmbedder())
    return index


@pytest.fixture(scope="session")
def hash_searcher(hash_index):
    from search import Searcher
    from tests.fakes import HashEmbedder

    return Searcher.load(hash_index, embedder=HashEmbedder())


MORE_CORPUS = ROOT / "tests" / "data" / "more"


@pytest.fixture(scope="session")
def more_searcher(tmp_path_factory, embedder):
    """Samples plus the 54 report openings of tests/data/more, indexed once with the real model."""
    from indexer import build_index
    from search import Searcher

    index = tmp_path_factory.mktemp("more-index")
    build_index([SAMPLE_CORPUS, MORE_CORPUS], index, embedder=embedder)
    return Searcher.load(index, embedder=embedder)
