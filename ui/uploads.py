"""Saving uploaded reports into the corpus folder: safe names, no silent overwrites, no duplicate copies.

Only the file type is checked here (with the scanner's own reasons); whether a file holds usable text
(OCR needed, empty, encrypted …) is the loader's call, reported by the build that follows.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from indexer.build import MAX_BINARY_BYTES, MAX_TEXT_BYTES
from indexer.scan import unsupported_reason

MAX_NAME_BYTES = 180  # Linux allows 255 bytes per name; a Chinese character takes 3
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


@dataclass
class Saved:
    name: str  # as uploaded
    source: str | None  # where it went, relative to the corpus folder; None if not saved
    message: str
    saved: bool


def safe_name(name: str) -> str:
    """A plain file name for the corpus folder: no folders, no control or reserved characters, not hidden."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").split("/")[-1]
    name = _UNSAFE.sub("_", name).strip()
    # The scanner ignores hidden files and Office lock files ("~$…"), so such a name would never be indexed.
    name = name.lstrip(".~$ ")
    stem, suffix = os.path.splitext(name)
    suffix = suffix.lower()
    stem = stem.strip(" .") or "未命名报告"
    while len((stem + suffix).encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem + suffix


def save_uploads(files: list[tuple[str, bytes]], corpus_dir: Path, indexed: dict[str, str] | None = None,
                 overwrite: bool = False) -> list[Saved]:
    """Write uploads into `corpus_dir`. `indexed` maps the sha256 of already indexed files to their source,
    so a report uploaded twice (under any name) is not stored twice. A name already taken by different
    content gets a numbered name unless `overwrite` is set."""
    corpus_dir.mkdir(parents=True, exist_ok=True)
    known = dict(indexed or {})
    results = []
    for name, data in files:
        results.append(_save_one(name, data, corpus_dir, known, overwrite))
    return results


def _save_one(name: str, data: bytes, corpus_dir: Path, known: dict[str, str], overwrite: bool) -> Saved:
    clean = safe_name(name)
    reason = unsupported_reason(Path(clean))
    if reason:
        return Saved(name, None, f"未保存：{reason}", False)
    if not data:
        return Saved(name, None, "未保存：文件是空的（0 字节）", False)
    limit = MAX_TEXT_BYTES if Path(clean).suffix in (".txt", ".md") else MAX_BINARY_BYTES
    if len(data) > limit:
        # The build would skip it anyway: say so now rather than keep a file that is never indexed.
        return Saved(name, None, f"未保存：文件过大（{len(data) / 1048576:.1f} MB，此类文件上限 {limit // 1048576} MB）", False)
    digest = hashlib.sha256(data).hexdigest()
    if digest in known:
        return Saved(name, known[digest], f"未重复保存：与已收录的 {known[digest]} 内容完全相同", False)
    target = corpus_dir / clean
    message = "已保存" if clean == name else f"已保存为 {clean}（文件名中的特殊字符已替换）"
    if target.exists():
        if _sha256(target) == digest:
            return Saved(name, clean, f"未重复保存：语料目录中已有相同的 {clean}", False)
        if overwrite:
            message = f"已替换语料目录中的同名文件 {clean}"
        else:
            target = _free_name(corpus_dir, clean)
            message = f"同名文件 {clean} 已存在且内容不同，已另存为 {target.name}"
    _write_atomically(target, data)
    known[digest] = target.name
    return Saved(name, target.name, message, True)


def _free_name(folder: Path, name: str) -> Path:
    stem, suffix = os.path.splitext(name)
    number = 2
    while (folder / f"{stem}({number}){suffix}").exists():
        number += 1
    return folder / f"{stem}({number}){suffix}"


def _write_atomically(target: Path, data: bytes) -> None:
    # A hidden temporary name: a build scanning the folder meanwhile neither reads half a file nor lists it.
    handle, temporary = tempfile.mkstemp(prefix=".upload-", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o644)  # mkstemp makes it private; other tools (the CLI build) must read it
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
