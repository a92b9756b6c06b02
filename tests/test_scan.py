"""Scanning a corpus folder: what gets loaded, what is skipped and why, and never hanging on links."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from indexer.scan import Skipped, scan_corpus


def touch(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")


def relative(paths: list[Path], root: Path) -> list[str]:
    return [path.relative_to(root).as_posix() for path in paths]


def reasons(skipped: list[Skipped]) -> dict[str, str]:
    return {entry.source: entry.reason for entry in skipped}


def test_supported_files_in_sorted_order_any_case(tmp_path):
    touch(tmp_path, "b.txt", "a.PDF", "sub/c.Docx", "sub/deeper/d.md", "e.TXT", "z/f.pdf")
    found, skipped = scan_corpus(tmp_path)
    assert relative(found, tmp_path) == ["a.PDF", "b.txt", "e.TXT", "sub/c.Docx", "sub/deeper/d.md", "z/f.pdf"]
    assert skipped == []
    assert scan_corpus(tmp_path) == (found, skipped)  # deterministic


def test_hidden_sidecar_and_office_leftovers_are_ignored(tmp_path):
    touch(tmp_path, ".hidden.txt", ".git/objects/x.txt", "metadata.csv", "sub/metadata.csv",
          "~$报告.docx", "Thumbs.db", "desktop.ini", "report.txt")
    found, skipped = scan_corpus(tmp_path)
    assert relative(found, tmp_path) == ["report.txt"]
    assert skipped == []


def test_unsupported_files_are_reported_with_what_to_do(tmp_path):
    touch(tmp_path, "2021 报告.doc", "sub/报告.WPS", "扫描件.JPG", "scan.png", "page.tiff", "表.xlsx", "README",
          "附件.zip", "公文.ofd")
    found, skipped = scan_corpus(tmp_path)
    assert found == []
    why = reasons(skipped)
    assert set(why) == {"2021 报告.doc", "sub/报告.WPS", "扫描件.JPG", "scan.png", "page.tiff", "表.xlsx",
                        "README", "附件.zip", "公文.ofd"}
    for name in ("2021 报告.doc", "sub/报告.WPS"):
        assert "另存为" in why[name] and ".docx" in why[name] and "WPS" in why[name]
    for name in ("扫描件.JPG", "scan.png", "page.tiff"):
        assert why[name].startswith("图片文件") and "OCR" in why[name]
    assert why["表.xlsx"].startswith("不支持的文件类型（.xlsx）")
    assert why["README"].startswith("不支持的文件类型（没有扩展名）")
    assert "解压" in why["附件.zip"] and "PDF" in why["公文.ofd"]
    assert skipped[0].message == f"{skipped[0].source}：{skipped[0].reason}"


def test_names_with_spaces_chinese_and_brackets(tmp_path):
    touch(tmp_path, "大桥乡 (2021)/附件1 法治政府建设情况报告（终稿）[1].docx", "大桥乡 (2021)/图 1.png")
    found, skipped = scan_corpus(tmp_path)
    assert relative(found, tmp_path) == ["大桥乡 (2021)/附件1 法治政府建设情况报告（终稿）[1].docx"]
    assert [entry.source for entry in skipped] == ["大桥乡 (2021)/图 1.png"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlink_cycles_do_not_hang(tmp_path):
    touch(tmp_path, "a/report.txt", "a/b/more.txt")
    (tmp_path / "a" / "b" / "up").symlink_to(tmp_path / "a", target_is_directory=True)  # cycle
    (tmp_path / "a" / "self").symlink_to(tmp_path / "a" / "self")  # link to itself
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)  # back to the root
    found, skipped = scan_corpus(tmp_path)
    assert relative(found, tmp_path) == ["a/b/more.txt", "a/report.txt"]
    assert [entry.source for entry in skipped] == ["a/b/up", "a/self", "loop"]
    assert "循环链接" in reasons(skipped)["loop"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinked_files_and_folders_are_followed(tmp_path):
    corpus, elsewhere = tmp_path / "corpus", tmp_path / "elsewhere"
    touch(elsewhere, "real.pdf", "folder/inner.md")
    corpus.mkdir()
    (corpus / "linked.pdf").symlink_to(elsewhere / "real.pdf")
    (corpus / "linked folder").symlink_to(elsewhere / "folder", target_is_directory=True)
    (corpus / "broken.txt").symlink_to(elsewhere / "missing.txt")
    found, skipped = scan_corpus(corpus)
    assert relative(found, corpus) == ["linked folder/inner.md", "linked.pdf"]
    assert reasons(skipped) == {"broken.txt": "快捷链接指向的文件不存在，请放入文件本身"}


def test_missing_root_is_reported_not_raised(tmp_path):
    found, skipped = scan_corpus(tmp_path / "nowhere")
    assert found == [] and len(skipped) == 1 and "无法打开" in skipped[0].reason
