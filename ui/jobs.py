"""Index builds in a background thread, one at a time per index folder, shared by all sessions.

Streamlit stops a script run as soon as its user clicks anything; a build running inside the script would
be abandoned with it (the previous index stays in service, but the work is lost). So the build runs in
its own thread and script runs only show its progress, picking it up again after any interruption.
"""
from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import streamlit as st

from indexer import BuildReport, IndexLocked, IndexProblem, build_index

log = logging.getLogger(__name__)

_FILES_SHARE = 0.3  # reading files is quick next to embedding; the bar reflects that
_STAGES = {"files": "读取并分析文件", "embed": "计算语义向量"}


@dataclass
class BuildJob:
    id: int
    rebuild: bool = False
    stage: str = "start"
    done: int = 0
    total: int = 0
    finished: bool = False
    report: BuildReport | None = None
    error: str | None = None
    embedder: object = None  # the model the build used, handed on to the Searcher after a first build

    def progress(self, stage: str, done: int, total: int) -> None:
        self.stage, self.done, self.total = stage, done, total

    @property
    def fraction(self) -> float:
        part = self.done / self.total if self.total else 0.0
        if self.stage == "files":
            return _FILES_SHARE * part
        if self.stage == "embed":
            return _FILES_SHARE + (1 - _FILES_SHARE) * part
        return 1.0 if self.finished else 0.0

    @property
    def label(self) -> str:
        if self.stage in _STAGES:
            return f"{_STAGES[self.stage]}：{self.done}/{self.total}"
        return "正在加载语义模型（首次约需半分钟）…"


class Builds:
    """The builds of one index folder, one at a time. Starting while one runs joins the running job and asks
    it to build once more when done, so files saved meanwhile are not left out of the index."""

    def __init__(self):
        self._lock = threading.Lock()
        self._count = 0
        self._again = False
        self.current: BuildJob | None = None

    def running(self) -> BuildJob | None:
        job = self.current
        return job if job is not None and not job.finished else None

    def start(self, corpus_dir: Path, index_dir: Path, embedder_source: Callable[[], object],
              rebuild: bool = False) -> BuildJob:
        with self._lock:
            if self.running():
                self._again = True
                return self.current
            self._count += 1
            job = BuildJob(self._count, rebuild)
            self.current = job
            threading.Thread(target=self._run, args=(job, corpus_dir, index_dir, embedder_source), daemon=True,
                             name=f"index-build-{job.id}").start()
            return job

    def _run(self, job: BuildJob, corpus_dir: Path, index_dir: Path, embedder_source) -> None:
        try:
            job.embedder = embedder_source()
            corpus_dir.mkdir(parents=True, exist_ok=True)
            rebuild = job.rebuild
            while True:
                job.report = build_index([corpus_dir], index_dir, rebuild=rebuild, progress=job.progress,
                                         embedder=job.embedder)
                with self._lock:
                    if not self._again:
                        break
                    self._again, rebuild = False, False
        except IndexLocked as error:
            job.error = f"{error}完成后刷新页面即可看到新内容；已保存的文件不会丢失。"
        except IndexProblem as error:
            job.error = str(error)
        except Exception as error:  # the thread has no one else to tell: the page shows it, the log the details
            log.exception("index build failed")
            job.error = f"建立索引时出错（{type(error).__name__}: {error}）。已有的索引不受影响。"
        finally:
            with self._lock:
                self._again = False
                job.finished = True


@st.cache_resource
def builds_for(index_dir: str) -> Builds:
    return Builds()


def follow(job: BuildJob) -> BuildJob:
    """Show the job's progress until it ends. If the user interrupts this run, the build carries on."""
    bar = st.progress(job.fraction, text=job.label)
    while not job.finished:
        time.sleep(0.25)
        bar.progress(job.fraction, text=job.label)
    bar.empty()
    return job
