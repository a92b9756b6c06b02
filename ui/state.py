"""Configuration from the environment, and the one Searcher all sessions share.

The Searcher is loaded once per index folder (st.cache_resource) and asked to `refresh()` on every run,
so an index rebuilt by an upload or by the command line is picked up without restarting the app.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from indexer.paths import default_corpus, default_index, seed_corpus
from indexer.store import IndexMissing, IndexProblem
from search import Searcher
from ui import jobs
from ui.render import notice

APP_TITLE = "法治政府建设报告 检索与问答"


@dataclass(frozen=True)
class Config:
    corpus_dir: Path
    index_dir: Path


def config() -> Config:
    """The user's corpus and index folders (indexer.paths), made absolute: they key the shared caches and bound
    file downloads."""
    return Config(default_corpus().resolve(), default_index().resolve())


# Test hook: tests running the app in-process set this to an already loaded model (or a stand-in), so the
# app neither loads the model again nor needs it at all.
embedder_override = None


def new_embedder():
    """The model for a build without a Searcher to borrow from (first start, rebuild of a damaged index)."""
    if embedder_override is not None:
        return embedder_override
    from indexer.embed import Embedder
    return Embedder()


def builder_embedder(searcher: Searcher):
    """The model for an update: the Searcher's own, so the index keeps one model and memory holds one copy."""
    return lambda: searcher.embedder


@st.cache_resource(show_spinner="正在打开索引…")
def _open(index_dir: str, _embedder=None) -> Searcher:
    # The model loads lazily on the first query, so opening a deep link to a report stays fast.
    return Searcher.load(Path(index_dir), embedder=_embedder or embedder_override)


def get_searcher(cfg: Config) -> Searcher | None:
    """The shared Searcher on the newest index version. Without an index, build one from the corpus first,
    with visible progress. Returns None (having said why) when there is nothing to serve."""
    try:
        searcher = _open(str(cfg.index_dir))
    except IndexMissing:
        return _first_build(cfg)
    except IndexProblem as error:
        return _offer_rebuild(cfg, error)
    try:
        searcher.refresh()
    except IndexProblem as error:
        notice(f"新版本的索引无法打开，继续使用当前版本：{error}", "warning")
    return searcher


def _first_build(cfg: Config) -> Searcher | None:
    # Everything shown while building sits in one placeholder, emptied when done: the page that follows shows
    # only the ready state (no stale banner, no second title).
    with (placeholder := st.empty()).container():
        st.title(APP_TITLE)
        seeded = seed_corpus(cfg.corpus_dir)
        where = f"已把样例报告复制到语料目录 {cfg.corpus_dir}，" if seeded else \
            f"从语料目录 {cfg.corpus_dir} "
        notice(f"首次启动：{where}正在建立索引，完成后即可检索。请勿关闭页面。")
        job = jobs.follow(jobs.builds_for(str(cfg.index_dir)).start(cfg.corpus_dir, cfg.index_dir, new_embedder))
        if job.error:
            notice(job.error, "error")
            st.button("重试")
            return None
    _open(str(cfg.index_dir), job.embedder)
    placeholder.empty()
    st.rerun()


def _offer_rebuild(cfg: Config, error: IndexProblem) -> Searcher | None:
    st.title(APP_TITLE)
    builds = jobs.builds_for(str(cfg.index_dir))
    job = builds.running()
    if job is None:
        notice(str(error), "error")
        if not st.button("从语料目录重建索引", type="primary"):
            return None
        job = builds.start(cfg.corpus_dir, cfg.index_dir, new_embedder, rebuild=True)
    jobs.follow(job)
    if job.error:
        notice(job.error, "error")
        return None
    st.rerun()


def corpus_file(cfg: Config, document) -> Path | None:
    """The original file of an indexed document, only if it lies inside the corpus folder.

    The index records an absolute path; it is trusted only after resolving it (symlinks, "..") and checking
    it is under CORPUS_DIR. An index copied from elsewhere falls back to CORPUS_DIR/source, checked the same.
    """
    root = cfg.corpus_dir.resolve()
    for candidate in (document.path, root / document.source):
        if not candidate:
            continue
        try:
            path = Path(candidate).resolve()
        except (OSError, RuntimeError):
            continue
        if path.is_relative_to(root) and path != root and path.is_file():
            return path
    return None
