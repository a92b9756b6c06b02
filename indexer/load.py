"""LOAD stage: extract the text of one corpus file (.txt, .md, .pdf, .docx) into a `RawDocument`.

This is the boundary with whatever users drop into the corpus folder, so every failure becomes a
`LoadError` carrying a user-facing Chinese reason; the build reports it and carries on.

Offsets in the result refer to `RawDocument.text` as returned here (newlines already normalised):
- PDF: page texts are joined with "\\n\\n"; `page_starts[i]` is where page i+1 begins.
- DOCX: one line per body paragraph and one per table row, in document order. A row is read with the
  table's header row ("送法进村：场次 14"), so the index shows the words the table means; `table_rows` holds
  the offset of every line made from a table. `heading_starts` maps the offset of each heading paragraph to its level: "Heading N" /
  "标题 N" → N, "Title" / "标题" → 0 (the document title sits above the first heading level), and
  otherwise a Word outline level ("大纲级别") N → N.
"""
from __future__ import annotations

import logging
import re
import warnings
from contextlib import contextmanager
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.oxml.ns import qn
from pypdf import PasswordType, PdfReader

from indexer.document import RawDocument
from indexer.encoding import NotTextError, decode_text
from indexer.scan import unsupported_reason
from indexer.tables import table_lines, tidy_cell

EMPTY = "文件为空（没有可读取的文字）：请确认发来的文件是否完整"
NOT_TEXT = ("不是文本文件，或文字编码无法识别：请用记事本或 WPS 打开检查；"
            "如果内容正常，请另存为 UTF-8 编码的 .txt 后放回语料目录")
PDF_CORRUPT = "PDF 文件损坏或不完整，无法读取：请重新下载或向发送人索取原文件后放回语料目录"
PDF_ENCRYPTED = "PDF 已加密（需要密码才能打开）：请用密码打开后另存为不加密的 PDF，或向发送人索取未加密版本"
PDF_NO_TEXT = "PDF 没有文字层（扫描件），需要先做 OCR：请用文字识别工具转成可复制文字的 PDF 后放回语料目录"
DOCX_CORRUPT = "Word 文档（.docx）损坏或不完整，无法读取：请用 WPS 或 Word 打开后重新另存为 .docx"
DOCX_IS_DOC = "文件实际是旧版 .doc 格式（只是扩展名写成了 .docx）：请用 WPS 或 Word 打开，“另存为” .docx 格式"
DOCX_ONLY_IMAGES = "Word 文档里没有文字，只有图片（可能是扫描件）：需要先做文字识别（OCR）"
UNREADABLE = "无法读取文件（可能没有读取权限，或正被其他程序占用）：请检查后重试"
UNEXPECTED = "读取时出现意外错误（{}），已跳过：请确认文件能正常打开，必要时重新导出后放回语料目录"

_TABLE_ROW = -1  # marks a line made from a table row in place of a heading level
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.wps container
_NON_SPACE = re.compile(r"\S")
_W_P, _W_TBL, _W_SDT, _W_R = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:r")
_W_T, _W_TAB, _W_BR, _W_CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
# Text boxes repeat their content in a fallback copy and are not part of the paragraph's flow.
_NOT_IN_FLOW = {qn("w:txbxContent"), "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"}


class LoadError(Exception):
    """A file that yields no usable text. `reason` is a user-facing Chinese message."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}：{reason}")
        self.source = source
        self.reason = reason


def load_file(path: Path, root: Path) -> RawDocument:
    """Extract `path` (a file under the corpus folder `root`). Raises LoadError, nothing else."""
    path = Path(path)
    source = _relative(path, Path(root))
    suffix = path.suffix.lower()
    try:
        if suffix in (".txt", ".md"):
            return _load_text(path, source, suffix[1:])
        if suffix == ".pdf":
            return _load_pdf(path, source)
        if suffix == ".docx":
            return _load_docx(path, source)
        raise LoadError(source, unsupported_reason(path) or UNEXPECTED.format("未知类型"))
    except LoadError:
        raise
    except OSError as exc:
        raise LoadError(source, UNREADABLE) from exc
    except Exception as exc:  # the build must go on whatever a library throws at us
        raise LoadError(source, UNEXPECTED.format(type(exc).__name__)) from exc


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.name


def _normalise_newlines(text: str) -> str:
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _is_blank(text: str) -> bool:
    return _NON_SPACE.search(text) is None


# --- plain text --------------------------------------------------------------------------------

def _load_text(path: Path, source: str, kind: str) -> RawDocument:
    data = path.read_bytes()
    if not data:
        raise LoadError(source, EMPTY)
    try:
        decoded = decode_text(data)
    except NotTextError:
        raise LoadError(source, NOT_TEXT) from None
    del data  # a 50 MB file should not be held twice while the text is normalised
    text = _normalise_newlines(decoded.text)
    if _is_blank(text):
        raise LoadError(source, EMPTY)
    warnings_ = []
    if decoded.replaced:
        warnings_.append(f"有 {decoded.replaced} 处字符无法识别，已替换为“\ufffd”：文件可能不完整或混有其他编码")
    return RawDocument(source=source, path=path, text=text, kind=kind, encoding=decoded.encoding,
                       warnings=warnings_)


# --- PDF -----------------------------------------------------------------------------------------

@contextmanager
def _quiet_pypdf():
    """pypdf logs and warns loudly about every broken xref; the user gets our one message instead."""
    logger = logging.getLogger("pypdf")
    previous = logger.level
    logger.setLevel(logging.CRITICAL + 1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(previous)


def _load_pdf(path: Path, source: str) -> RawDocument:
    with _quiet_pypdf():
        try:
            reader = PdfReader(path)
        except Exception as exc:  # pypdf raises many unrelated types for damaged files
            raise LoadError(source, PDF_CORRUPT) from exc
        if reader.is_encrypted:
            # Many official PDFs carry only an owner password (no printing/copying); they open freely.
            try:
                opened = reader.decrypt("") != PasswordType.NOT_DECRYPTED
            except Exception:  # unsupported algorithm or broken /Encrypt dictionary
                opened = False
            if not opened:
                raise LoadError(source, PDF_ENCRYPTED)
        try:
            pages = list(reader.pages)
        except Exception as exc:
            raise LoadError(source, PDF_CORRUPT) from exc
        if not pages:
            raise LoadError(source, PDF_CORRUPT)
        texts, blank, broken = [], [], []
        for number, page in enumerate(pages, start=1):
            try:
                page_text = _normalise_newlines(page.extract_text() or "").strip()
            except Exception:  # one damaged content stream should not cost the other pages
                page_text = ""
                broken.append(number)
            else:
                if not page_text:
                    blank.append(number)
            texts.append(page_text)

    if len(broken) == len(pages):
        raise LoadError(source, PDF_CORRUPT)
    if not any(texts):
        raise LoadError(source, PDF_NO_TEXT)
    page_starts, offset = [], 0
    for page_text in texts:
        page_starts.append(offset)
        offset += len(page_text) + 2  # the "\n\n" between pages
    warnings_ = []
    if blank:
        warnings_.append(f"第 {_page_list(blank)} 页没有文字层（可能是扫描页），这些页的内容无法检索；"
                         "如需检索请先做文字识别（OCR）")
    if broken:
        warnings_.append(f"第 {_page_list(broken)} 页内容损坏，无法提取文字，已跳过")
    return RawDocument(source=source, path=path, text="\n\n".join(texts), kind="pdf",
                       page_starts=page_starts, warnings=warnings_)


def _page_list(numbers: list[int]) -> str:
    """[2, 3, 4, 7] -> "2–4、7": a 300-page scan should not produce a 300-item list."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return "、".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


# --- DOCX ----------------------------------------------------------------------------------------

def _load_docx(path: Path, source: str) -> RawDocument:
    with path.open("rb") as handle:
        if handle.read(len(_OLE_MAGIC)) == _OLE_MAGIC:
            raise LoadError(source, DOCX_IS_DOC)
    try:
        document = docx.Document(str(path))
        body = document.element.body
        levels = _style_levels(document)
    except Exception as exc:  # zip, XML and package errors alike
        raise LoadError(source, DOCX_CORRUPT) from exc

    lines: list[str] = []
    heading_starts: dict[int, int] = {}
    table_rows: set[int] = set()
    offset = 0
    for line, level in _block_lines(body, levels):
        line = _normalise_newlines(line)
        if level == _TABLE_ROW:
            table_rows.add(offset)
        elif level is not None and not _is_blank(line):
            heading_starts[offset] = level
        lines.append(line)
        offset += len(line) + 1
    text = "\n".join(lines)
    if _is_blank(text):
        has_images = any(body.find(".//" + qn(tag)) is not None for tag in ("w:drawing", "w:pict"))
        raise LoadError(source, DOCX_ONLY_IMAGES if has_images else EMPTY)
    return RawDocument(source=source, path=path, text=text, kind="docx", heading_starts=heading_starts,
                       table_rows=table_rows)


_HEADING_NAME = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)
_TITLE_NAMES = ("title", "标题")


def _style_levels(document) -> dict[str, int]:
    """Paragraph style id -> heading level, from the style name or else its (inherited) outline level."""
    levels = {}
    for style in document.styles:
        if style.type != WD_STYLE_TYPE.PARAGRAPH or style.style_id is None:
            continue
        name = (style.name or "").strip()
        match = _HEADING_NAME.match(name)
        if match:
            levels[style.style_id] = int(match.group(1))
        elif name.lower() in _TITLE_NAMES:
            levels[style.style_id] = 0
        else:
            # WPS and localised Word often mark headings only by outline level ("大纲级别").
            base, depth = style, 0
            while base is not None and depth < 10:  # malformed files can chain styles in a circle
                level = _outline_level(base.element)
                if level is not None:
                    if level > 0:
                        levels[style.style_id] = level
                    break
                base, depth = base.base_style, depth + 1
    return levels


def _outline_level(element) -> int | None:
    """1-based outline level of a w:p or w:style element, 0 for explicit body text, None if unset."""
    node = element.find(f"{qn('w:pPr')}/{qn('w:outlineLvl')}")
    if node is None:
        return None
    try:
        value = int(node.get(qn("w:val")))
    except (TypeError, ValueError):
        return None
    return value + 1 if 0 <= value < 9 else 0


def _block_lines(container, levels: dict[str, int]):
    """(line, heading level, None or _TABLE_ROW) for each paragraph and table row, in document order."""
    for child in container.iterchildren():
        if child.tag == _W_P:
            yield _paragraph_text(child), _paragraph_level(child, levels)
        elif child.tag == _W_TBL:
            for line in table_lines(_table_grid(child)):
                yield line, _TABLE_ROW
        elif child.tag == _W_SDT:  # content controls (e.g. a cover block) wrap ordinary blocks
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _block_lines(content, levels)


def _table_grid(table) -> list[list[str]]:
    """Cell texts row by row, one entry per grid column: a cell merged across columns fills the first and
    leaves the others empty; a cell merged down repeats the text above it (the label of every row it spans)."""
    grid: list[list[str]] = []
    for row in table.iterchildren(qn("w:tr")):
        cells: list[str] = []
        for cell in row.iterchildren(qn("w:tc")):
            properties = cell.find(qn("w:tcPr"))
            span = properties.find(qn("w:gridSpan")) if properties is not None else None
            merge = properties.find(qn("w:vMerge")) if properties is not None else None
            text = " ".join(_paragraph_text(p) for p in cell.iter(_W_P))
            if merge is not None and merge.get(qn("w:val")) in (None, "continue") and grid:
                above = grid[-1]
                text = above[len(cells)] if len(cells) < len(above) else ""
            cells.append(tidy_cell(text))
            try:
                cells.extend([""] * (int(span.get(qn("w:val"))) - 1 if span is not None else 0))
            except (TypeError, ValueError):
                pass  # a broken span counts as one column
        if any(cells):
            grid.append(cells)
    return grid


def _paragraph_level(paragraph, levels: dict[str, int]) -> int | None:
    level = _outline_level(paragraph)  # direct formatting wins over the style
    if level is not None:
        return level or None
    style = paragraph.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
    return levels.get(style.get(qn("w:val"))) if style is not None else None


def _paragraph_text(paragraph) -> str:
    """Visible run text, including hyperlinks, tracked insertions and inline content controls."""
    parts = []
    for node in paragraph.iter(_W_T, _W_TAB, _W_BR, _W_CR):
        run = node.getparent()
        if run.tag != _W_R or _has_ancestor(run, paragraph, _NOT_IN_FLOW):
            continue  # e.g. w:tab inside w:tabs is a tab stop, not text
        if node.tag == _W_T:
            parts.append(node.text or "")
        elif node.tag == _W_TAB:
            parts.append("\t")
        elif node.tag != _W_BR or node.get(qn("w:type")) in (None, "textWrapping"):
            parts.append("\n")  # page and column breaks carry no text
    return "".join(parts)


def _has_ancestor(node, stop, tags: set[str]) -> bool:
    for ancestor in node.iterancestors():
        if ancestor is stop:
            return False
        if ancestor.tag in tags:
            return True
    return False
