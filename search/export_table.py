"""A checklist matrix (search.checklist.Matrix) as the table reviewers hand in: .xlsx with a coloured matrix
sheet and an evidence sheet, or CSV (UTF-8 with BOM, which Excel and WPS open as such)."""
from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

STATUS_LABELS = {"done": "已做", "weak": "待核对", "planned": "计划中", "mentioned": "提及", "candidate": "可能相关",
                 "none": "未发现"}
REVIEW_LABELS = {"confirmed": "已确认", "rejected": "已否定", "stale": "报告已变，需重新核对"}
# Fill colours (RGB) of the matrix cells; the legend shows the same.
COLOURS = {"done": "C6EFCE", "weak": "FFEB9C", "planned": "BDD7EE", "mentioned": "EDEDED", "candidate": "F8CBAD",
           "none": "FFFFFF"}
EVIDENCE_COLUMNS = ["乡镇", "县区", "年度", "项目编号", "项目", "状态", "核对", "依据原文", "来源文件", "段落编号", "链接"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def report_link(evidence: dict, base_url: str = "") -> str:
    """Deep link into the app's report view at the evidence (the format of ui.render.doc_href); relative unless
    the app's address is given."""
    params = {"doc": evidence["doc_id"]}
    if evidence.get("id"):
        params["p"] = evidence["id"]
    if evidence.get("char_start") is not None and evidence.get("char_end") is not None:
        params["s"] = f"{evidence['char_start']}-{evidence['char_end']}"
    return base_url.split("?")[0] + "?" + urlencode(params)


def cell_kind(cell) -> str:
    """The status as shown: a done cell on weak evidence, not yet confirmed, is 待核对."""
    return "weak" if cell.status == "done" and cell.weak and cell.review != "confirmed" else cell.status


def cell_label(cell) -> str:
    label = STATUS_LABELS[cell_kind(cell)]
    return f"{label}（{REVIEW_LABELS[cell.review]}）" if cell.review else label


def evidence_rows(matrix, link=None) -> list[list]:
    """One row per cell with evidence (or a review); `link(evidence)` gives the address into the report."""
    questions = {i.id: i.question for i in matrix.checklist.items}
    link = link or report_link
    rows = []
    for cell in matrix.cells:
        if not cell.evidence and not cell.review:
            continue
        evidence = cell.evidence[0] if cell.evidence else {}
        rows.append([cell.township, cell.county or "", cell.year or "", cell.indicator, questions[cell.indicator],
                     STATUS_LABELS[cell_kind(cell)], REVIEW_LABELS.get(cell.review, ""), evidence.get("sentence") or "",
                     evidence.get("source") or "", evidence.get("id") or "",
                     link(evidence) if evidence.get("doc_id") else ""])
    return rows


def matrix_rows(matrix) -> list[list]:
    """Header row (乡镇, 县区, 年度, item ids…) and one row of labels per township."""
    by_key = {(c.indicator, c.township, c.year): c for c in matrix.cells}
    header = ["乡镇", "县区", "年度"] + [f"{i.id}. {i.question}" for i in matrix.checklist.items]
    rows = [header]
    for township in matrix.townships:
        row = [township["name"], township["county"] or "", township["year"] or ""]
        for item in matrix.checklist.items:
            cell = by_key.get((item.id, township["name"], township["year"]))
            row.append(cell_label(cell) if cell else "")
        rows.append(row)
    return rows


def to_csv(matrix, link=None) -> bytes:
    """The matrix, a blank line, then the evidence table."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows([[_text(v) for v in row] for row in matrix_rows(matrix)])
    writer.writerow([])
    writer.writerows([[_text(v) for v in row] for row in [EVIDENCE_COLUMNS] + evidence_rows(matrix, link)])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(matrix, link=None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = "核查矩阵"
    by_key = {(c.indicator, c.township, c.year): c for c in matrix.cells}
    for row in matrix_rows(matrix):
        sheet.append([_text(v) if isinstance(v, str) else v for v in row])
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")
    for cell in sheet[1]:
        cell.font, cell.alignment = bold, wrap
    for row_number, township in enumerate(matrix.townships, start=2):
        for column, item in enumerate(matrix.checklist.items, start=4):
            found = by_key.get((item.id, township["name"], township["year"]))
            if found is not None:
                colour = COLOURS[cell_kind(found)]
                sheet.cell(row_number, column).fill = PatternFill("solid", start_color=colour, end_color=colour)
    sheet.freeze_panes = "B2"  # header row and township column stay in view
    sheet.column_dimensions["A"].width = 16
    for column in range(4, 4 + len(matrix.checklist.items)):
        sheet.column_dimensions[sheet.cell(1, column).column_letter].width = 14
    sheet.row_dimensions[1].height = 90
    legend_row = len(matrix.townships) + 3
    sheet.cell(legend_row, 1, "图例").font = bold
    for offset, (kind, label) in enumerate(STATUS_LABELS.items(), start=1):
        cell = sheet.cell(legend_row + offset, 1, label)
        cell.fill = PatternFill("solid", start_color=COLOURS[kind], end_color=COLOURS[kind])
    evidence = book.create_sheet("依据")
    evidence.append(EVIDENCE_COLUMNS)
    for cell in evidence[1]:
        cell.font = bold
    for row in evidence_rows(matrix, link):
        evidence.append([_text(v) if isinstance(v, str) else v for v in row])
        if row[-1].startswith("http"):
            evidence.cell(evidence.max_row, len(EVIDENCE_COLUMNS)).hyperlink = row[-1]
    evidence.freeze_panes = "A2"
    for letter, width in zip("ABCDEFGHIJK", (14, 10, 6, 8, 30, 8, 12, 60, 24, 20, 30)):
        evidence.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text(value) -> str:
    text = str(value)
    # A cell starting with = + - @ is run as a formula by spreadsheets; report text must stay text.
    return "'" + text if text.startswith(_FORMULA_START) else text
