"""Read a table as text: each data row with the table's header row, so a row says what its numbers are.

Header `普法活动 | 场次` and row `送法进村 | 14` read "送法进村：场次 14": the first cell labels the row, the
other cells follow as "header value" pairs. The loader puts these lines into the document text itself, so
the index shows and cites exactly the words the table means.
"""
from __future__ import annotations

import re

_WIDE = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f"
_SPACES = re.compile(r"\s+")
_SPACE_BY_WIDE = re.compile(rf" (?=[{_WIDE}])|(?<=[{_WIDE}]) ")
# A first column that only numbers the rows says nothing about them.
_SEQUENCE_HEADERS = {"序号", "编号", "序", "no", "no."}


def tidy_cell(text: str) -> str:
    """One line of cell text: whitespace runs become one space, and none is left beside a Chinese character
    ("1200 人" → "1200人"), as the cleaner does for body text."""
    return _SPACE_BY_WIDE.sub("", _SPACES.sub(" ", text).strip())


def table_lines(grid: list[list[str]]) -> list[str]:
    """The lines a table reads as. `grid` holds tidy cell texts row by row, one entry per column.

    A first row with a single filled cell across a wider table is a caption and stays a line of its own.
    Tables of one column or of one row have no header to read with: their cells are lines as they stand.
    """
    lines: list[str] = []
    rows = [row for row in grid if any(row)]
    while rows and len(rows[0]) > 1 and sum(1 for cell in rows[0] if cell) == 1:
        lines.append(next(cell for cell in rows[0] if cell))
        rows = rows[1:]
    if rows and len(rows) > 1 and rows[0][0].strip().lower() in _SEQUENCE_HEADERS:
        rows = [row[1:] for row in rows]
    rows = [row for row in rows if any(cell.strip() for cell in row)]  # a row that was only its number
    if not rows:
        return lines
    width = max(len(row) for row in rows)
    if width == 1 or len(rows) == 1:
        return lines + [" ".join(cell for cell in row if cell) for row in rows]
    header = rows[0] + [""] * (width - len(rows[0]))
    return lines + [line for line in (_read_row(header, row) for row in rows[1:]) if line]


def _read_row(header: list[str], row: list[str]) -> str:
    label, values = row[0], row[1:]
    pairs = [f"{name} {value}" if name else value for name, value in zip(header[1:], values) if value]
    if label and pairs:
        return f"{label}：{'，'.join(pairs)}"
    return label or "，".join(pairs)
