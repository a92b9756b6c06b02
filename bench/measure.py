"""Peak memory, CPU contention on a shared machine, machine description, and indexing throughput."""
from __future__ import annotations

import os
import platform
import resource
import time
from pathlib import Path

import numpy as np

from bench.corpus import SentencePool, write_reports



def peak_rss_mb() -> float:
    """Peak resident set size of this process so far.

    VmHWM, not ru_maxrss: after fork + exec, ru_maxrss still counts the parent's memory at fork time.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def percentile(values, q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


class CpuShare:
    """CPU that *other* processes used while the block ran, in cores (0: we had the machine to ourselves).

    The machine is shared; this says how far a number can be trusted. Busy time comes from /proc/stat,
    our own (all threads, and waited-for children) from os.times().
    """

    other_cores = 0.0

    def __enter__(self):
        self._start = (machine_busy_s(), own_cpu_s(), time.perf_counter())
        return self

    def __exit__(self, *exc):
        busy, own, wall = machine_busy_s(), own_cpu_s(), time.perf_counter()
        elapsed = max(wall - self._start[2], 1e-9)
        self.other_cores = max(0.0, (busy - self._start[0]) - (own - self._start[1])) / elapsed
        return False


def machine_busy_s() -> float:
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def own_cpu_s() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class QuietGate:
    """Before each timed query, wait until other processes leave the CPUs (nearly) alone.

    The machine may be shared (other builds, test runs); two busy cores make a query several times slower
    and would measure the neighbours instead of the search. Waiting is capped per query and in total;
    queries that ran without a quiet moment are counted, and the report shows their share.
    """

    def __init__(self, max_other_cores: float = 0.3, window_s: float = 0.15, per_query_s: float = 5.0,
                 budget_s: float = 300.0):
        self.max_other_cores, self.window_s = max_other_cores, window_s
        self.per_query_s, self.budget_s = per_query_s, budget_s
        self.waited_s = 0.0
        self.quiet = self.total = 0

    def wait(self) -> None:
        self.total += 1
        started = time.perf_counter()
        while self.waited_s + (time.perf_counter() - started) < self.budget_s:
            busy, own = machine_busy_s(), own_cpu_s()
            time.sleep(self.window_s)
            other = ((machine_busy_s() - busy) - (own_cpu_s() - own)) / self.window_s
            if other <= self.max_other_cores:
                self.quiet += 1
                break
            if time.perf_counter() - started > self.per_query_s:
                break
        self.waited_s += time.perf_counter() - started


def indexing_throughput(pool: SentencePool, workdir: Path, chunks: int, fp32_embedder, seed: int = 0) -> dict:
    """End-to-end `indexer.build_index` over report files holding ≥ `chunks` chunks: fp32, then the fast path.

    The fast path is what the app uses by default (precision="auto": bf16 where the CPU has AMX or
    AVX512-BF16). Model loading is not timed; a short warm-up precedes each build.
    """
    from indexer import build_index
    from indexer.embed import Embedder

    corpus = workdir / "reports"
    files, expected = write_reports(pool, corpus, chunks, seed)
    result = {"chunks": expected, "files": files}
    for label, embedder in (("fp32", fp32_embedder), ("fast", None)):
        embedder = embedder or Embedder(precision="auto")
        embedder.encode_passages(pool.originals[:64])
        with CpuShare() as cpu:
            report = build_index([corpus], workdir / f"index-{label}", rebuild=True, embedder=embedder)
        result[label] = {"precision": embedder.precision, "chunks": report.chunks, "seconds": report.seconds,
                         "embed_seconds": report.embed_seconds, "chunks_per_s": report.chunks_per_second,
                         "other_cpu_cores": cpu.other_cores}
    result["chunks"] = result["fp32"]["chunks"]
    return result


def machine_info() -> dict:
    info = {"nproc": os.cpu_count(), "usable_cpus": len(os.sched_getaffinity(0)), "cpu": platform.processor(),
            "python": platform.python_version(), "platform": platform.platform()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
            if line.startswith("flags"):
                flags = set(line.split(":", 1)[1].split())
                info["bf16"] = sorted(flags & {"amx_bf16", "avx512_bf16"})
                break
        memory = Path("/proc/meminfo").read_text().splitlines()[0].split()
        info["ram_gb"] = round(int(memory[1]) / 2 ** 20, 1)
        info["load_avg"] = [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]
    except OSError:
        pass
    try:
        import faiss
        import torch
        info.update(torch=torch.__version__, torch_threads=torch.get_num_threads(), faiss=faiss.__version__,
                    faiss_threads=faiss.omp_get_max_threads())
    except ImportError:
        pass
    return info
