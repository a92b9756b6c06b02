"""Start-up time of each command-line verb: each run is a fresh `python -m …` process, as a user types it.

    python -m bench --startup [--runs 3] [--corpus data/samples] [--index DIR] [--against OTHER_CHECKOUT]

Every verb runs on the same index (built first, untimed, if --index has none) `--runs` times; the median wall
time and the median CPU time (user + system of the child, which a busy machine inflates less) are reported.
With --against, the same verbs of another checkout (e.g. an older commit in a `git worktree`) run in
alternation with ours, so both columns see the same load on a shared machine.
"""
from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION = "哪些乡镇聘请了法律顾问"
BUILD_TIMEOUT_S = 1800
RUN_TIMEOUT_S = 600


def verbs(index: Path, corpus: Path, chunk_id: str) -> dict[str, list[str]]:
    """The verbs timed, by name: the module and its arguments."""
    at = ["--index", str(index)]
    return {
        "indexer list": ["indexer", "list", *at],
        "indexer build (no change)": ["indexer", "build", str(corpus), *at],
        "search query (hybrid)": ["search", "query", QUESTION, *at],
        "search query --mode dense": ["search", "query", QUESTION, "--mode", "dense", *at],
        "search query --mode bm25": ["search", "query", QUESTION, "--mode", "bm25", *at],
        "search ask": ["search", "ask", QUESTION, *at],
        "search similar": ["search", "similar", chunk_id, *at],
    }


def measure_startup(corpus: Path, index: Path | None = None, runs: int = 3, against: Path | None = None,
                    only: list[str] | None = None, log=print) -> dict:
    """Median wall and CPU seconds per verb for this checkout (and `against`, alternating run by run)."""
    corpus = Path(corpus).resolve()
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as scratch:
        index = Path(index).resolve() if index else Path(scratch) / "index"
        if not (index / "CURRENT").is_file():
            log(f"building the index of {corpus} (not timed)")
            _run(ROOT, ["indexer", "build", str(corpus), "--index", str(index)], BUILD_TIMEOUT_S)
        chunk_id = _first_chunk_id(index)
        plan = verbs(index, corpus, chunk_id)
        if only:
            plan = {name: command for name, command in plan.items() if name in only}
        checkouts = {"now": ROOT} | ({"against": Path(against).resolve()} if against else {})
        samples = {label: {name: [] for name in plan} for label in checkouts}
        for run in range(runs):
            for name, command in plan.items():
                for label, root in checkouts.items():
                    wall, cpu = _run(root, command, RUN_TIMEOUT_S)
                    samples[label][name].append((wall, cpu))
                    log(f"run {run + 1}/{runs} {label:7} {name}: {wall:.2f} s wall, {cpu:.2f} s CPU")
    result = {"runs": runs, "corpus": str(corpus), "question": QUESTION, "checkouts": {k: str(v) for k, v in
                                                                                      checkouts.items()},
              "verbs": {}}
    for name in plan:
        row = {}
        for label in checkouts:
            walls = [wall for wall, _ in samples[label][name]]
            cpus = [cpu for _, cpu in samples[label][name]]
            row[label] = {"wall_s": round(statistics.median(walls), 2), "cpu_s": round(statistics.median(cpus), 2),
                          "walls": [round(w, 2) for w in walls]}
        result["verbs"][name] = row
    return result


def markdown(result: dict) -> str:
    against = "against" in result["checkouts"]
    head = "| verb | wall s | CPU s |" + (" wall s (against) | CPU s (against) |" if against else "")
    lines = [f"Start-up per verb: median of {result['runs']} runs, each a fresh process "
             f"(question: {result['question']}).", "", head,
             "|" + " --- |" * (5 if against else 3)]
    for name, row in result["verbs"].items():
        cells = [f"{row['now']['wall_s']:.2f}", f"{row['now']['cpu_s']:.2f}"]
        if against:
            cells += [f"{row['against']['wall_s']:.2f}", f"{row['against']['cpu_s']:.2f}"]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def write_startup(result: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "startup.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    (out / "startup.md").write_text(markdown(result), encoding="utf-8")


def _run(root: Path, command: list[str], timeout: float) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of `python -m command…` run in the checkout at `root`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", *command], cwd=root, capture_output=True, timeout=timeout,
                          env=dict(os.environ, PYTHONPATH=str(root)))
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed in {root} ({done.returncode}): "
                           f"{done.stderr.decode(errors='replace')[-800:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _first_chunk_id(index: Path) -> str:
    """A chunk id for `search similar`, found the way a user finds one: from a query's results."""
    done = subprocess.run([sys.executable, "-m", "search", "query", QUESTION, "--mode", "bm25", "--top-k", "1",
                           "--json", "--index", str(index)], cwd=ROOT, capture_output=True, check=True,
                          timeout=RUN_TIMEOUT_S)
    results = json.loads(done.stdout)["results"]
    if not results:
        raise RuntimeError(f"the index at {index} has no passage for {QUESTION!r}")
    return results[0]["id"]
