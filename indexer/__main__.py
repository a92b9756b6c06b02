"""Command line: python -m indexer build|list."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from indexer import IndexLocked, IndexProblem, list_index
from indexer.store import StoreError
from indexer.paths import default_corpus, default_index, seed_corpus

STORE_HELP = "向量与关键词存放处：faiss（默认，索引目录中的文件）、milvus:文件.db（Milvus Lite）、milvus://主机:端口（Milvus 服务或集群）；默认取环境变量 RULEOFLAW_STORE，或索引建立时所用的"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m indexer", description="法治政府建设报告索引工具")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="建立或增量更新索引")
    build.add_argument("dirs", nargs="*", type=Path, help="语料目录（默认：用户语料目录，见 README“配置”）")
    build.add_argument("--index", type=Path, default=None, help="索引目录（默认：用户索引目录）")
    build.add_argument("--model", help="sentence-transformers 模型名称或路径（默认：内置 multilingual-e5-small）")
    build.add_argument("--rebuild", action="store_true", help="忽略已有索引，全部重建")
    build.add_argument("--store", default=None, help=STORE_HELP)
    listing = commands.add_parser("list", help="列出索引中的报告")
    listing.add_argument("--index", type=Path, default=None, help="索引目录（默认：用户索引目录）")
    listing.add_argument("--json", action="store_true", help="输出 JSON")
    listing.add_argument("--store", default=None, help=STORE_HELP)
    args = parser.parse_args(argv)
    args.index = args.index or default_index()
    from indexer.e5model import ModelUnavailableError

    try:
        if args.command == "build":
            return _build(args)
        return _list(args)
    except (IndexProblem, IndexLocked, ModelUnavailableError, StoreError) as error:
        print(f"错误：{error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\n已中断：原有索引未受影响。", file=sys.stderr)
        return 130


def _build(args) -> int:
    from indexer.build import build_index  # document readers and the tagger: only builds load them

    dirs = args.dirs
    if not dirs:
        corpus = default_corpus()
        if seed_corpus(corpus):
            print(f"首次使用：已把样例报告复制到语料目录 {corpus}", file=sys.stderr)
        dirs = [corpus]
    bars = _ProgressBars()
    try:
        report = build_index(dirs, args.index, model=args.model, rebuild=args.rebuild, progress=bars.update,
                             store=args.store)
    finally:
        bars.close()
    for note in report.notes:
        print(note)
    print(f"索引完成：{report.documents} 份报告，{report.chunks} 个段落块"
          f"（新处理 {report.processed_files} 份，沿用 {report.reused_files} 份，移除 {report.removed_files} 份）")
    speed = f"，{report.embedded / report.embed_seconds:.1f} 块/秒" if report.embedded and report.embed_seconds else ""
    print(f"编码 {report.embedded} 块，用时 {report.seconds:.1f} 秒{speed}；模型 {report.model}")
    print(f"索引目录：{args.index}")
    if report.skipped:
        print(f"跳过 {len(report.skipped)} 个文件：")
        for source, reason in report.skipped:
            print(f"  - {source}：{reason}")
    if report.warnings:
        print(f"警告 {len(report.warnings)} 条：")
        for source, warning in report.warnings:
            print(f"  - {source}：{warning}")
    if report.documents == 0:
        print("没有可索引的报告：请检查语料目录和上面的跳过原因。", file=sys.stderr)
        return 1
    return 0


def _list(args) -> int:
    listing = list_index(args.index, args.store)
    if args.json:
        print(json.dumps(listing, ensure_ascii=False, indent=2))
        return 0
    print(f"共 {len(listing['documents'])} 份报告（模型 {listing['model']}）")
    for d in listing["documents"]:
        place = " ".join(x for x in (d["county"], d["township"]) if x) or "（乡镇未识别）"
        print(f"- {d['source']}  {place}  {d['year'] or '年度未识别'}  {d['chunks']} 块  {d['title'] or ''}")
        for warning in d["warnings"]:
            print(f"    ! {warning}")
    if listing["skipped"]:
        print(f"跳过 {len(listing['skipped'])} 个文件：")
        for s in listing["skipped"]:
            print(f"  - {s['source']}：{s['reason']}")
    return 0


class _ProgressBars:
    """tqdm bars on stderr, one per stage (files, embed)."""

    _LABELS = {"files": "读取文件", "embed": "向量编码"}

    def __init__(self):
        self._bars = {}

    def update(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        bar = self._bars.get(stage)
        if bar is None:
            bar = self._bars[stage] = tqdm(total=total, desc=self._LABELS.get(stage, stage), unit="个",
                                           file=sys.stderr, leave=True, disable=None)
        bar.total = total
        bar.n = done
        bar.refresh()

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()


if __name__ == "__main__":
    sys.exit(main())
