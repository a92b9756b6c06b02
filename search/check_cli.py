"""Command line: python -m search check CHECKLIST … and python -m search review …"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from search.checklist import ChecklistError, evidence_json, load_checklist, run_checklist
from search.export_table import REVIEW_LABELS, STATUS_LABELS, cell_kind
from search.reviews import (ReviewError, ReviewStore, document_hashes, enclosing_sentences, locate_snippet,
                            township_name)


def add_commands(commands, common) -> None:
    check = commands.add_parser("check", help="年度核查：用核查清单逐项检查每份报告")
    check.add_argument("checklist", nargs="?", type=Path, help="核查清单（CSV：id,question；或每行一个问题的 TXT）；"
                                                              "默认用自带的 data/checklist.csv")
    check.add_argument("--township", help="只查这些乡镇（逗号分隔）")
    check.add_argument("--year", help="年度或年度范围，如 2021 或 2020-2022")
    check.add_argument("--xlsx", type=Path, help="导出 Excel 文件")
    check.add_argument("--csv", type=Path, help="导出 CSV 文件")
    common(check)
    review = commands.add_parser("review", help="核对一个单元格：确认或否定，或列出已有核对")
    review.add_argument("item", nargs="?", help="核查清单中的项目编号")
    review.add_argument("township", nargs="?", help="乡镇")
    decision = review.add_mutually_exclusive_group()
    decision.add_argument("--confirm", action="store_true", help="确认该乡镇做了")
    decision.add_argument("--reject", action="store_true", help="否定：该乡镇没有做")
    decision.add_argument("--list", action="store_true", help="列出所有核对结果")
    review.add_argument("--evidence", help="确认时的依据：报告中的一段原文（逐字）")
    review.add_argument("--checklist", type=Path, help="核查清单（默认自带的）")
    review.add_argument("--year", type=int, help="报告年度（该乡镇有多份报告时必填）")
    review.add_argument("--reviewer", help="核对人")
    common(review)


def run(searcher, args, filters) -> int:
    try:
        return _check(searcher, args, filters) if args.command == "check" else _review(searcher, args)
    except (ChecklistError, ReviewError) as error:
        print(f"错误：{error}", file=sys.stderr)
        return 2


def _check(searcher, args, filters) -> int:
    checklist = load_checklist(args.checklist)
    for target in (args.xlsx, args.csv):  # checked before a run of minutes, not after it
        if target is not None and not target.resolve().parent.is_dir():
            raise ChecklistError(f"无法导出到 {target}：文件夹 {target.resolve().parent} 不存在。")
    store = ReviewStore.beside(searcher.index_dir)

    def progress(done, total, item):
        print(f"[{done}/{total}] {item.id}. {item.question}", file=sys.stderr, flush=True)

    matrix = run_checklist(searcher, checklist, filters, store, progress)
    print(f"共 {len(checklist.items)} 项 × {len(matrix.townships)} 份报告，用时 {matrix.seconds:.1f} 秒。",
          file=sys.stderr)
    if args.xlsx:
        from search.export_table import to_xlsx
        args.xlsx.write_bytes(to_xlsx(matrix))
        print(f"已导出：{args.xlsx}", file=sys.stderr)
    if args.csv:
        from search.export_table import to_csv
        args.csv.write_bytes(to_csv(matrix))
        print(f"已导出：{args.csv}", file=sys.stderr)
    if args.json:
        print(json.dumps(matrix.to_json(), ensure_ascii=False, indent=1))
    elif not (args.xlsx or args.csv):
        print(_render(matrix))
    return 0


def _render(matrix) -> str:
    lines = []
    for item in matrix.checklist.items:
        cells = [c for c in matrix.cells if c.indicator == item.id]
        counts = {}
        for cell in cells:
            label = STATUS_LABELS[cell_kind(cell)]
            counts.setdefault(label, []).append(f"{cell.township}（{cell.year}）" if cell.year else cell.township)
        lines.append(f"{item.id}. {item.question}")
        lines.extend(f"  {label} {len(names)}：{'、'.join(names)}" for label, names in counts.items()
                     if label != STATUS_LABELS["none"])
        lines.append(f"  未发现 {len(counts.get(STATUS_LABELS['none'], []))} 个")
    return "\n".join(lines)


def _review(searcher, args) -> int:
    store = ReviewStore.beside(searcher.index_dir)
    if args.list:
        return _list(searcher, store, args.json)
    if not (args.item and args.township and (args.confirm or args.reject)):
        raise ReviewError("用法：python -m search review 项目编号 乡镇 (--confirm [--evidence 原文] | --reject)，"
                          "或 python -m search review --list")
    question = load_checklist(args.checklist).item(args.item).question
    document = _report(searcher, args.township, args.year)
    name = township_name(document)
    if args.evidence:
        if args.reject:
            raise ReviewError("--evidence 只用于 --confirm。")
        text = searcher.document(document.doc_id).text
        span = locate_snippet(text, args.evidence)
        if span is None:
            raise ReviewError(f"在 {document.source} 中没有找到这段原文：{args.evidence[:40]}")
        start, end = enclosing_sentences(text, *span)
        evidence = {"source": document.source, "sentence": text[start:end], "char_start": start, "char_end": end}
    else:
        evidence = _answer_evidence(searcher, question, name, document.year)
        if evidence is None and args.confirm:
            raise ReviewError(f"自动回答中没有 {name} 的依据，请用 --evidence 给出报告原文。")
    evidence = evidence or {"source": document.source}
    review = store.record(question, name, document.year, "confirmed" if args.confirm else "rejected",
                          doc_sha256=document.sha256, source=evidence.get("source"),
                          char_start=evidence.get("char_start"), char_end=evidence.get("char_end"),
                          sentence=evidence.get("sentence"), reviewer=args.reviewer)
    word = "确认" if args.confirm else "否定"
    print(f"已{word}：{args.item}. {question} — {name}（{document.year or '年度未知'}）"
          + (f"\n依据：{review.sentence}" if review.sentence else ""))
    return 0


def _report(searcher, township: str, year: int | None):
    found = [d for d in searcher.documents()
             if township in (d.township, township_name(d)) and (year is None or d.year == year)]
    if not found:
        raise ReviewError(f"索引中没有 {township}" + (f" {year} 年" if year else "") + " 的报告。")
    if len({d.year for d in found}) > 1:
        years = "、".join(str(y) for y in sorted({d.year or 0 for d in found}))
        raise ReviewError(f"{township} 有多个年度的报告（{years}），请用 --year 指定。")
    return found[0]


def _answer_evidence(searcher, question: str, township: str, year) -> dict | None:
    """The sentence the automatic answer (or its near candidate) gives for this township."""
    answer = searcher.ask(question)
    for entry in answer.townships + answer.near:
        if (entry.name, entry.year) == (township, year) and entry.evidence:
            return evidence_json(entry.evidence[0])
    return None


def _list(searcher, store: ReviewStore, as_json: bool) -> int:
    hashes = document_hashes(searcher)
    reviews = store.reviews()
    rows = [dict(r.to_json(), state=r.state(hashes.get((r.township, r.year), set()))) for r in reviews]
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
        return 0
    if not rows:
        print("还没有核对结果。")
    for row in rows:
        print(f"{row['reviewed_at']}  {REVIEW_LABELS[row['state']]}  {row['township']}（{row['year'] or '—'}）  "
              f"{row['question']}" + (f"  核对人：{row['reviewer']}" if row["reviewer"] else ""))
        if row["sentence"]:
            print(f"    依据：{row['sentence']}（{row['source']}）")
    return 0
