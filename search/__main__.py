"""Command line: python -m search query|ask|similar|check|review."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from indexer.paths import default_index
from indexer.store import IndexProblem, StoreError
from search import MODES, FilterError, Filters, QueryError, Searcher
from search.relevance import any_relevant
from search.render import render_answer, render_hits


def main(argv: list[str] | None = None) -> int:
    from indexer.e5model import ModelUnavailableError

    try:
        return _main(argv)
    except (IndexProblem, ModelUnavailableError) as error:
        print(f"错误：{error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader stopped early (`| head`): not an error of ours
        sys.stdout = open(os.devnull, "w")
        return 0


def _main(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    args.index = args.index or default_index()
    try:
        filters = Filters.from_options(getattr(args, "township", None), getattr(args, "county", None),
                                       getattr(args, "year", None), getattr(args, "role", None),
                                       getattr(args, "source", None))
        searcher = Searcher.load(args.index, model=args.model, store=args.store)
    except (FilterError, IndexProblem, StoreError) as error:
        print(f"错误：{error}", file=sys.stderr)
        return 2
    if args.command == "similar":
        return _similar(searcher, args)
    if args.command in ("check", "review"):
        from search import check_cli
        return check_cli.run(searcher, args, filters)
    if args.batch:
        return _batch(searcher, args, filters)
    if args.question is None:
        print("错误：请给出问题，或用 --batch 文件（每行一个问题）。", file=sys.stderr)
        return 2
    try:
        output = _run(searcher, args, filters, args.question)
    except QueryError as error:
        if args.json:
            print(json.dumps({"query": args.question, "error": str(error)}, ensure_ascii=False))
        print(f"错误：{error}", file=sys.stderr)
        return 2
    print(json.dumps(output, ensure_ascii=False, indent=2) if args.json else output)
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m search", description="法治政府建设报告检索与问答")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, help_text in (("query", "检索相关段落"), ("ask", "回答“哪些乡镇……”等问题")):
        command = commands.add_parser(name, help=help_text)
        command.add_argument("question", nargs="?", help="问题")
        command.add_argument("--batch", type=Path, help="问题文件：每行一个问题，每行输出一个 JSON")
        command.add_argument("--top-k", type=int, default=10, help="返回段落数（默认 10）")
        if name == "query":
            command.add_argument("--mode", choices=MODES, default="hybrid", help="检索方式（默认 hybrid）")
        command.add_argument("--township", help="乡镇（街道），可用逗号分隔多个")
        command.add_argument("--county", help="县（区、市）")
        command.add_argument("--year", help="年度或年度范围，如 2021 或 2020-2022")
        command.add_argument("--role", help="段落类型：做法成效、问题不足、下一步计划、其他")
        command.add_argument("--source", help="来源文件（indexer list 中的 source）")
        _common(command)
    similar = commands.add_parser("similar", help="其他乡镇的相似做法")
    similar.add_argument("chunk_id", help="段落编号（query 结果中的 id）")
    similar.add_argument("--top-k", type=int, default=10)
    similar.add_argument("--all-townships", action="store_true", help="也包括同一乡镇的段落")
    _common(similar)
    from search.check_cli import add_commands
    add_commands(commands, _common)
    return parser


def _common(command) -> None:
    command.add_argument("--index", type=Path, default=None, help="索引目录（默认：用户索引目录，见 README“配置”）")
    command.add_argument("--model", help="检查索引是否由该模型建立")
    command.add_argument("--store", default=None, help="向量与关键词存放处：faiss、milvus:文件.db、milvus://主机:端口"
                                                       "（默认：环境变量 RULEOFLAW_STORE，或索引建立时所用的）")
    command.add_argument("--json", action="store_true", help="输出 JSON")


def _run(searcher: Searcher, args, filters: Filters, question: str):
    """JSON-ready dict when --json (or batch), else readable text."""
    if args.command == "ask":
        answer = searcher.ask(question, filters=filters, top_k=args.top_k)
        return answer.to_json() if args.json or args.batch else render_answer(answer)
    hits = searcher.query(question, top_k=args.top_k, mode=args.mode, filters=filters)
    if args.json or args.batch:
        return {"query": question, "mode": args.mode, "relevant_found": any_relevant(hits),
                "results": [hit.to_json() for hit in hits]}
    return render_hits(question, hits)


def _batch(searcher: Searcher, args, filters: Filters) -> int:
    try:
        lines = args.batch.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        print(f"错误：无法读取问题文件 {args.batch}：{error}", file=sys.stderr)
        return 2
    failures = 0
    for line in lines:
        if not line.strip():
            continue
        try:
            output = _run(searcher, args, filters, line.strip())
        except QueryError as error:
            failures += 1
            output = {"query": line.strip(), "error": str(error)}
        print(json.dumps(output, ensure_ascii=False), flush=True)
    return 1 if failures else 0


def _similar(searcher: Searcher, args) -> int:
    try:
        hits = searcher.similar(args.chunk_id, other_townships=not args.all_townships, top_k=args.top_k)
    except KeyError:
        print(f"错误：索引中没有段落 {args.chunk_id}（编号见 query 的结果）。", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"chunk_id": args.chunk_id, "results": [h.to_json() for h in hits]}, ensure_ascii=False,
                         indent=2))
    else:
        chunk = searcher.chunk(args.chunk_id)
        print(render_hits(f"与 {args.chunk_id} 相似的做法：{chunk.text[:60]}…", hits))
    return 0


if __name__ == "__main__":
    sys.exit(main())
