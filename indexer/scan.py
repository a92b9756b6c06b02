"""Find the files of a corpus folder that the loader can read, and say why the others are skipped.

Users drop whatever their colleagues sent into the folder, so the walk must never fail: unreadable
folders, broken links and symlink cycles become `Skipped` entries or are passed over, never exceptions.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

SUPPORTED_SUFFIXES = frozenset({".txt", ".md", ".pdf", ".docx"})
SIDECAR_NAME = "metadata.csv"

# Files that operating systems and office suites leave behind; reporting them would only be noise.
_IGNORED_NAMES = frozenset({"thumbs.db", "desktop.ini", SIDECAR_NAME})

_IMAGE_SUFFIXES = frozenset({
    ".jpg", ".jpeg", ".png", ".tif", ".tiff", ".bmp", ".gif", ".webp", ".heic", ".heif",
})
_SUPPORTED_LIST = ".txt、.md、.pdf、.docx"

_REASONS = {
    ".doc": "不支持 .doc 格式：请用 WPS 或 Word 打开，“另存为” .docx 格式后放回语料目录",
    ".wps": "不支持 .wps 格式：请用 WPS 打开，“另存为” .docx 格式后放回语料目录",
    ".rtf": "不支持 .rtf 格式：请用 WPS 或 Word 打开，“另存为” .docx 格式后放回语料目录",
    ".ofd": "不支持 .ofd 版式文件：请用 OFD 阅读器（如数科阅读器）导出或打印为 PDF 后放回语料目录",
    ".zip": "压缩包不会自动解压：请解压后把里面的报告文件放进语料目录",
    ".rar": "压缩包不会自动解压：请解压后把里面的报告文件放进语料目录",
    ".7z": "压缩包不会自动解压：请解压后把里面的报告文件放进语料目录",
}
_IMAGE_REASON = (
    "图片文件，需要先做文字识别（OCR）：请用 OCR 工具转成可复制文字的 PDF 或 .docx 后放回语料目录"
)


@dataclass
class Skipped:
    """A file (or folder) left out of the build, with a user-facing reason saying what to do."""

    source: str  # path relative to the corpus folder, with forward slashes
    reason: str

    @property
    def message(self) -> str:
        return f"{self.source}：{self.reason}"


def scan_corpus(root: Path) -> tuple[list[Path], list[Skipped]]:
    """Supported files under `root` (recursively, in a stable sorted order) and the skipped ones."""
    root = Path(root)
    found: list[Path] = []
    skipped: list[Skipped] = []
    # Resolved folders already walked: a symlink back to an ancestor would otherwise recurse forever.
    visited: set[Path] = set()
    _walk(root, root, visited, found, skipped)
    return found, skipped


def unsupported_reason(path: Path) -> str | None:
    """Why a file of this type cannot be loaded, or None when its type is supported."""
    suffix = path.suffix.lower()
    if suffix in SUPPORTED_SUFFIXES:
        return None
    if suffix in _REASONS:
        return _REASONS[suffix]
    if suffix in _IMAGE_SUFFIXES:
        return _IMAGE_REASON
    kind = f"（{suffix}）" if suffix else "（没有扩展名）"
    return f"不支持的文件类型{kind}：只能读取 {_SUPPORTED_LIST} 文件，如需收录请先转换为这些格式"


def _walk(folder: Path, root: Path, visited: set[Path], found: list[Path],
          skipped: list[Skipped]) -> None:
    try:
        resolved = folder.resolve()
    except (OSError, RuntimeError):  # RuntimeError: symlink loop on some Python versions
        skipped.append(Skipped(_relative(folder, root), "无法打开该文件夹（链接可能循环或已失效），已跳过"))
        return
    if resolved in visited:  # only a link can lead back into a folder already read
        skipped.append(Skipped(_relative(folder, root), "链接指回已经读取过的文件夹（循环链接），没有重复读取"))
        return
    visited.add(resolved)
    try:
        with os.scandir(folder) as entries:
            names = sorted(entry.name for entry in entries)
    except OSError:
        skipped.append(Skipped(_relative(folder, root), "无法打开该文件夹（可能没有读取权限），已跳过"))
        return

    for name in names:
        if _is_ignored(name):
            continue
        path = folder / name
        source = _relative(path, root)
        try:
            is_dir = path.is_dir()  # follows symlinks
            is_file = path.is_file()
        except OSError:
            is_dir = is_file = False
        if is_dir:
            _walk(path, root, visited, found, skipped)
        elif not is_file:
            if path.is_symlink():
                skipped.append(Skipped(source, "快捷链接指向的文件不存在，请放入文件本身"))
            # Sockets, fifos and the like are not something a user dropped in on purpose.
        elif (reason := unsupported_reason(path)) is not None:
            skipped.append(Skipped(source, reason))
        else:
            found.append(path)


def _is_ignored(name: str) -> bool:
    # "~$" prefixes are the lock files Word and WPS keep next to an open document.
    return name.startswith((".", "~$")) or name.lower() in _IGNORED_NAMES


def _relative(path: Path, root: Path) -> str:
    try:
        source = path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
    return path.as_posix() if source == "." else source  # the corpus folder itself
