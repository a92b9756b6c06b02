"""Filters on township, county, year (or range), section role and source file: as boolean row masks for
in-process search, as boolean expressions for Milvus (same rules)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from indexer.document import ROLES


class FilterError(ValueError):
    """A filter value a user typed that cannot be understood; the message is for users."""


@dataclass
class Filters:
    townships: list[str] = field(default_factory=list)
    counties: list[str] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None
    roles: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.townships or self.counties or self.roles or self.sources
                    or self.year_from is not None or self.year_to is not None)

    @classmethod
    def from_options(cls, township=None, county=None, year=None, role=None, source=None) -> "Filters":
        """From CLI/URL strings: comma-separated lists, and a year "2021" or a range "2020-2022"."""
        year_from, year_to = parse_years(year) if year else (None, None)
        roles = _split(role)
        for value in roles:
            if value not in ROLES:
                raise FilterError(f"未知的段落类型：{value}（可选：{'、'.join(ROLES)}）")
        return cls(_split(township), _split(county), year_from, year_to, roles, _split(source))


def parse_years(text: str | int) -> tuple[int | None, int | None]:
    text = str(text)  # `review --year` is parsed as a number
    match = re.fullmatch(r"\s*(\d{4})?\s*(?:[-–~至到]\s*(\d{4})?)?\s*", str(text))
    if not match or not (match.group(1) or match.group(2)):
        raise FilterError(f"年度格式不对：{text}（示例：2021 或 2020-2022）")
    first = int(match.group(1)) if match.group(1) else None
    ranged = "-" in text or "–" in text or "~" in text or "至" in text or "到" in text
    last = int(match.group(2)) if match.group(2) else (None if ranged else first)
    if first and last and first > last:
        first, last = last, first
    return first, last


def _split(value) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else re.split(r"[,，、]", str(value))
    return [item.strip() for item in items if item and item.strip()]


def expression(filters: Filters | None) -> str | None:
    """The filters as a Milvus boolean expression over the collection's scalar fields, or None."""
    if filters is None or filters.is_empty():
        return None
    parts = []
    if filters.townships:
        parts.append(_any_name("township", filters.townships))
    if filters.counties:
        parts.append(_any_name("county", filters.counties))
    if filters.sources:
        parts.append(" or ".join(f"source == {literal(w)} or source like {literal('%/' + _like(w))}"
                                 for w in filters.sources))
    if filters.year_from is not None:
        parts.append(f"year >= {int(filters.year_from)}")
    if filters.year_to is not None:
        parts.append(f"year <= {int(filters.year_to)}")
    if filters.roles:
        parts.append(f"role in [{', '.join(literal(r) for r in filters.roles)}]")
    return " and ".join(f"({p})" for p in parts)


def _any_name(field: str, wanted: list[str]) -> str:
    """As `_matches`: the exact name, or one that starts with a name of two or more characters."""
    options = []
    for name in wanted:
        options.append(f"{field} == {literal(name)}")
        if len(name) >= 2:
            options.append(f"{field} like {literal(_like(name) + '%')}")
    return " or ".join(options)


def literal(value: str) -> str:
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _like(value: str) -> str:
    """A literal inside a LIKE pattern: its wildcards escaped."""
    return str(value).replace("%", "\\%").replace("_", "\\_")


class FilterColumns:
    """Per-row columns needed to evaluate filters without touching SQLite."""

    def __init__(self, row_doc: np.ndarray, row_role: np.ndarray, documents: list):
        self.doc_ids = [d.doc_id for d in documents]
        index = {doc_id: i for i, doc_id in enumerate(self.doc_ids)}
        self.row_doc = np.array([index[d] for d in row_doc], dtype=np.int32) if len(row_doc) else np.zeros(0, np.int32)
        self.row_role = row_role
        self.township = np.array([d.township or "" for d in documents], dtype=object)
        self.county = np.array([d.county or "" for d in documents], dtype=object)
        self.year = np.array([d.year or 0 for d in documents], dtype=np.int32)
        self.source = np.array([d.source for d in documents], dtype=object)

    def mask(self, filters: Filters | None) -> np.ndarray | None:
        """Boolean mask over chunk rows, or None when nothing is filtered."""
        if filters is None or filters.is_empty():
            return None
        documents = np.ones(len(self.doc_ids), dtype=bool)
        if filters.townships:
            documents &= _matches(self.township, filters.townships)
        if filters.counties:
            documents &= _matches(self.county, filters.counties)
        if filters.sources:
            documents &= np.array([any(s == w or s.endswith("/" + w) for w in filters.sources)
                                   for s in self.source], dtype=bool)
        if filters.year_from is not None:
            documents &= self.year >= filters.year_from
        if filters.year_to is not None:
            documents &= self.year <= filters.year_to
        rows = documents[self.row_doc] if len(self.row_doc) else np.zeros(0, dtype=bool)
        if filters.roles:
            rows &= np.isin(self.row_role, filters.roles)
        return rows


def _matches(values: np.ndarray, wanted: list[str]) -> np.ndarray:
    """Exact match, or a name given without its suffix ("李庄" for 李庄乡, "蓟州" for 蓟州区)."""
    return np.array([bool(v) and any(v == w or (len(w) >= 2 and v.startswith(w)) for w in wanted) for v in values],
                    dtype=bool)
