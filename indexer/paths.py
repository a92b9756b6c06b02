"""Where things live: the bundled samples (read-only, tracked) and the user's own folders (never tracked).

    data/samples/                      the five sample reports shipped with the tool; nothing writes here
    $RULEOFLAW_HOME/corpus/            the user's reports (uploads land here); CORPUS_DIR overrides
    $RULEOFLAW_HOME/index/             the user's index, and reviews.sqlite beside its versions; INDEX_DIR overrides

RULEOFLAW_HOME defaults to $XDG_DATA_HOME/ruleoflaw-search (~/.local/share/ruleoflaw-search): outside the
clone, so using the app never changes what `git status` or the tests see, and updating or deleting the clone
never loses the user's reports. Values are read from the environment on each call, not at import.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "data" / "samples"


def user_home() -> Path:
    if os.environ.get("RULEOFLAW_HOME"):
        return Path(os.environ["RULEOFLAW_HOME"]).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "ruleoflaw-search"


def default_corpus() -> Path:
    return _from_env("CORPUS_DIR") or user_home() / "corpus"


def default_index() -> Path:
    return _from_env("INDEX_DIR") or user_home() / "index"


def _from_env(name: str) -> Path | None:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else None


def is_samples_folder(folder: Path) -> bool:
    """True for the bundled samples folder (or a folder inside it): nothing may be saved there."""
    try:
        return Path(folder).resolve().is_relative_to(SAMPLES_DIR)
    except OSError:
        return False


def seed_corpus(corpus_dir: Path) -> bool:
    """On first use, give a corpus folder that does not exist yet a copy of the sample reports, so the tool has
    something to show; the copies are the user's to keep or delete. An existing folder, even an empty one, is
    left alone (its owner may have removed the samples on purpose). True if it seeded."""
    corpus_dir = Path(corpus_dir)
    if corpus_dir.exists() or is_samples_folder(corpus_dir):
        return False
    corpus_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = corpus_dir.with_name(f".{corpus_dir.name}.seeding-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(SAMPLES_DIR, staging)
    try:
        staging.rename(corpus_dir)  # all or nothing: a half-copied folder never looks seeded
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        if not corpus_dir.exists():
            raise
        return False
    return True
