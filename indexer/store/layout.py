"""Where an index lives on disk, and how a new version replaces the old one atomically.

    INDEX_DIR/CURRENT            name of the version readers should use (replaced with os.replace)
    INDEX_DIR/versions/<name>/   manifest.json, chunks.sqlite, vectors.npy, bm25.npz, …
    INDEX_DIR/build.lock         held (flock) while a build runs

A build writes a complete new version folder, fsyncs it, then swaps CURRENT. A crash at any point leaves
CURRENT naming the previous, complete version; readers never see a half-written one.
"""
from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

CURRENT_FILE = "CURRENT"
VERSIONS_DIR = "versions"
LOCK_FILE = "build.lock"
MANIFEST_FILE = "manifest.json"
FORMAT_VERSION = 1
KEEP_VERSIONS = 2  # the current one and its predecessor, which a reader may still be loading
REBUILD_HINT = "python -m indexer build --rebuild"


class IndexProblem(Exception):
    """Base for problems with an index on disk; the message is for users."""


class IndexMissing(IndexProblem):
    pass


class IndexDamaged(IndexProblem):
    pass


class IndexLocked(IndexProblem):
    pass


def current_version(index_dir: Path) -> Path:
    """The folder of the version in use; raises IndexMissing or IndexDamaged with a message naming the fix."""
    pointer = index_dir / CURRENT_FILE
    if not pointer.is_file():
        raise IndexMissing(f"索引不存在：{index_dir}。请先运行 python -m indexer build 建立索引。")
    name = pointer.read_text(encoding="utf-8").strip()
    folder = index_dir / VERSIONS_DIR / name
    if not name or not (folder / MANIFEST_FILE).is_file():
        raise IndexDamaged(f"索引已损坏（{index_dir} 指向的版本 {name or '?'} 不完整）。请运行 {REBUILD_HINT} 重建。")
    return folder


def current_token(index_dir: Path) -> str | None:
    """A cheap value that changes whenever a new version is published (for readers to poll)."""
    try:
        return (index_dir / CURRENT_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None


def read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise IndexDamaged(f"索引清单无法读取（{error}）。请运行 {REBUILD_HINT} 重建。") from error
    if manifest.get("format") != FORMAT_VERSION:
        raise IndexDamaged(f"索引格式版本不符（{manifest.get('format')}，需要 {FORMAT_VERSION}）。"
                           f"请运行 {REBUILD_HINT} 重建。")
    return manifest


def new_version_folder(index_dir: Path) -> Path:
    """A fresh, empty work folder for a version being built (name ends in .tmp until published)."""
    versions = index_dir / VERSIONS_DIR
    versions.mkdir(parents=True, exist_ok=True)
    now = time.time()
    name = time.strftime("v%Y%m%d-%H%M%S", time.localtime(now)) + f"{int(now % 1 * 1e6):06d}-{os.getpid()}"
    folder = versions / f"{name}.tmp"
    folder.mkdir()
    return folder


def publish(index_dir: Path, work_folder: Path, manifest: dict) -> Path:
    """Make a fully written work folder the current version, atomically."""
    final = finish(work_folder, manifest)
    point_current(index_dir, final)
    return final


def finish(work_folder: Path, manifest: dict) -> Path:
    """Write the manifest and give the work folder its final name; CURRENT does not point at it yet."""
    manifest = dict(manifest, format=FORMAT_VERSION)
    (work_folder / MANIFEST_FILE).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    for path in work_folder.iterdir():
        _fsync(path)
    final = work_folder.with_suffix("")
    os.rename(work_folder, final)
    _fsync(final.parent)
    return final


def point_current(index_dir: Path, final: Path) -> None:
    pointer_tmp = index_dir / f"{CURRENT_FILE}.tmp"
    with open(pointer_tmp, "w", encoding="utf-8") as handle:
        handle.write(final.name)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(pointer_tmp, index_dir / CURRENT_FILE)
    _fsync(index_dir)


def remove_old_versions(index_dir: Path) -> set[str]:
    """Drop versions beyond the newest KEEP_VERSIONS and work folders of builds that died (we hold the lock);
    returns the names of the versions kept."""
    versions = index_dir / VERSIONS_DIR
    if not versions.is_dir():
        return set()
    current = current_token(index_dir)
    keep = set(finished_versions(index_dir)[-KEEP_VERSIONS:]) | {current}
    for path in versions.iterdir():
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)
    return keep - {None}


def finished_versions(index_dir: Path) -> list[str]:
    """Names of the complete version folders, oldest first."""
    versions = index_dir / VERSIONS_DIR
    if not versions.is_dir():
        return []
    return sorted(p.name for p in versions.iterdir() if p.is_dir() and not p.name.endswith(".tmp"))


@contextmanager
def build_lock(index_dir: Path):
    """Exclusive lock for one build at a time; a second build gets IndexLocked at once."""
    index_dir.mkdir(parents=True, exist_ok=True)
    handle = open(index_dir / LOCK_FILE, "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            handle.seek(0)
            owner = handle.read().strip() or "?"
            raise IndexLocked(f"另一个索引构建正在进行（进程 {owner}），请等它完成后再试。") from error
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        yield
    finally:
        handle.close()  # closing releases the flock, also when the process is killed


def _fsync(path: Path) -> None:
    flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0)
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
