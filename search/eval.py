"""Measure retrieval quality on labelled questions: python -m search.eval --questions FILE (--index DIR | --corpus DIR),
or how far two labellers agree: python -m search.eval --questions FILE --agreement SECOND_FILE.

Question format (one JSON object a line): `question`, `type` ("passage" | "townships"), `relevant` (a list of
`{doc, contains}`), and for township questions `townships` (must appear) and `acceptable_townships` (may
appear). A hit is relevant when its source file is `doc` and its text contains `contains`, both compared
after NFKC and with all whitespace removed.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from search.searcher import MODES

K = 10
_SPACE = re.compile(r"\s+")


@dataclass
class Question:
    id: str
    question: str
    type: str
    relevant: list[dict]
    townships: list[str]
    acceptable: list[str]


def load_questions(path: Path) -> list[Question]:
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        item = json.loads(line)
        questions.append(Question(item.get("id", str(number)), item["question"], item.get("type", "passage"),
                                  item.get("relevant", []), item.get("townships", []),
                                  item.get("acceptable_townships", [])))
    return questions


def normalise(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def matched_items(hit, relevant: list[dict]) -> set[int]:
    """Indexes of the relevant items this hit satisfies."""
    name = hit.source.rsplit("/", 1)[-1]
    text = normalise(hit.text)
    return {i for i, item in enumerate(relevant) if item["doc"] == name and normalise(item["contains"]) in text}


def passage_metrics(hits, relevant: list[dict]) -> dict:
    found_at: dict[int, int] = {}  # relevant item -> first rank that found it
    first_relevant = None
    gains = 0.0
    for rank, hit in enumerate(hits[:K], start=1):
        items = matched_items(hit, relevant)
        if items and first_relevant is None:
            first_relevant = rank
        new = items - set(found_at)
        for item in new:
            found_at[item] = rank
        if new:
            gains += 1.0 / math.log2(rank + 1)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(relevant), K) + 1))
    total = max(len(relevant), 1)
    return {
        "recall@5": sum(1 for r in found_at.values() if r <= 5) / total,
        "recall@10": len(found_at) / total,
        "mrr@10": 1.0 / first_relevant if first_relevant else 0.0,
        "ndcg@10": gains / ideal if ideal else 0.0,
        "hit@1": 1.0 if first_relevant == 1 else 0.0,
    }


def township_metrics(answer, question: Question) -> dict:
    done = [t for t in answer.townships if t.status == "done"]
    found = {t.name for t in done}
    # marked 待核对 when every entry of the name in the main list is (a township may report for two years)
    weak = {t.name for t in done if t.weak} - {t.name for t in done if not t.weak}
    must = set(question.townships)
    allowed = must | set(question.acceptable)
    return {"found": sorted(found), "missing": sorted(must - found), "extra": sorted(found - allowed),
            "weak": sorted(weak),
            "recall": len(found & must) / len(must) if must else 1.0,
            "precision": len(found & allowed) / len(found) if found else (1.0 if not must else 0.0)}


def evaluate(searcher, questions: list[Question], modes: list[str]) -> tuple[dict, list[dict]]:
    """Mean metrics per mode and for township answers, and per-question details for the report."""
    summary: dict = {}
    details: list[dict] = []
    for mode in modes:
        rows = []
        for question in questions:
            hits = searcher.query(question.question, top_k=K, mode=mode)
            metrics = passage_metrics(hits, question.relevant)
            rows.append(metrics)
            if metrics["recall@10"] < 1.0 or metrics["hit@1"] < 1.0:
                details.append({"mode": mode, "id": question.id, "question": question.question, **metrics,
                                "returned": [f"{h.source.rsplit('/', 1)[-1]}: {h.text[:40]}" for h in hits[:3]]})
        summary[mode] = {key: round(sum(r[key] for r in rows) / len(rows), 4) for key in rows[0]} if rows else {}
    township_questions = [q for q in questions if q.type == "townships"]
    if township_questions:
        results = []
        for question in township_questions:
            metrics = township_metrics(searcher.ask(question.question), question)
            results.append(metrics)
            details.append({"mode": "ask", "id": question.id, "question": question.question, **metrics})
        found = sum(len(r["found"]) for r in results)
        good = sum(len(r["found"]) - len(r["extra"]) for r in results)
        must = sum(len(q.townships) for q in township_questions)
        hit = sum(len(q.townships) - len(r["missing"]) for q, r in zip(township_questions, results))
        weak = sum(len(r["weak"]) for r in results)
        weak_good = sum(len(set(r["weak"]) - set(r["extra"])) for r in results)
        summary["townships"] = {"precision": round(good / found, 4) if found else 0.0,
                                "recall": round(hit / must, 4) if must else 1.0,
                                "questions": len(township_questions),
                                # the main list split by TownshipAnswer.weak: is the mark worth its place?
                                "strong": found - weak, "strong_precision": _share(good - weak_good, found - weak),
                                "weak": weak, "weak_precision": _share(weak_good, weak)}
    return summary, details


def label_agreement(first: list[Question], second: list[Question]) -> dict:
    """How reproducible township labels are: a second labeller's must-appear lists, scored against the first
    labeller's labels the way answers are (and the other way round). No method can be judged finer than this."""
    by_id = {q.id: q for q in second if q.type == "townships"}
    pairs = [(q, by_id[q.id]) for q in first if q.type == "townships" and q.id in by_id]
    return {"questions": len(pairs), "second_on_first": _labels_scored([(a, b) for a, b in pairs]),
            "first_on_second": _labels_scored([(b, a) for a, b in pairs])}


def _labels_scored(pairs: list[tuple[Question, Question]]) -> dict:
    results = [township_metrics(_as_answer(listed.townships), gold) for gold, listed in pairs]
    found = sum(len(r["found"]) for r in results)
    must = sum(len(gold.townships) for gold, _ in pairs)
    return {"precision": _share(found - sum(len(r["extra"]) for r in results), found),
            "recall": _share(must - sum(len(r["missing"]) for r in results), must) if must else 1.0}


def _as_answer(names: list[str]):
    """A labeller's must-appear list in the shape of an answer's main list."""
    return SimpleNamespace(townships=[SimpleNamespace(name=n, status="done", weak=False) for n in names])


def _share(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def render(summary: dict, details: list[dict], count: int) -> str:
    lines = [f"问题数：{count}", "", f"{'模式':<8}{'R@5':>8}{'R@10':>8}{'MRR@10':>8}{'nDCG@10':>9}{'Hit@1':>8}"]
    for mode in MODES:
        if mode in summary:
            m = summary[mode]
            lines.append(f"{mode:<8}{m['recall@5']:>8.3f}{m['recall@10']:>8.3f}{m['mrr@10']:>8.3f}"
                         f"{m['ndcg@10']:>9.3f}{m['hit@1']:>8.3f}")
    if "townships" in summary:
        t = summary["townships"]
        lines.append(f"\n乡镇问答（{t['questions']} 题）：准确率 {t['precision']:.3f}，召回率 {t['recall']:.3f}")
        if t["weak"]:
            lines.append(f"  其中依据较强的 {t['strong']} 个准确率 {t['strong_precision']:.3f}，"
                         f"标“待核对”的 {t['weak']} 个准确率 {t['weak_precision']:.3f}")
    misses = [d for d in details if d["mode"] != "ask" and d["recall@10"] < 1.0]
    if misses:
        lines.append("\n未全部找到的问题：")
        for d in misses:
            lines.append(f"- [{d['mode']}] {d['id']} {d['question']}  R@10={d['recall@10']:.2f} MRR={d['mrr@10']:.2f}")
            lines.extend(f"    返回：{r}" for r in d["returned"])
    asks = [d for d in details if d["mode"] == "ask" and (d["missing"] or d["extra"])]
    if asks:
        lines.append("\n乡镇问答的出入：")
        for d in asks:
            lines.append(f"- {d['id']} {d['question']}  漏：{'、'.join(d['missing']) or '无'}  多：{'、'.join(d['extra']) or '无'}")
    return "\n".join(lines)


def render_agreement(agreement: dict) -> str:
    second, first = agreement["second_on_first"], agreement["first_on_second"]
    return (f"两份标注共同的乡镇问题：{agreement['questions']} 题\n"
            f"第二份的必须出现列表按第一份打分：准确率 {second['precision']:.3f}，召回率 {second['recall']:.3f}\n"
            f"第一份的必须出现列表按第二份打分：准确率 {first['precision']:.3f}，召回率 {first['recall']:.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m search.eval", description="检索质量评测")
    parser.add_argument("--questions", type=Path, required=True, help="标注问题文件（JSON Lines）")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--index", type=Path, help="已建好的索引目录")
    source.add_argument("--corpus", type=Path, nargs="+", help="语料目录：先建临时索引再评测")
    source.add_argument("--agreement", type=Path, metavar="SECOND",
                        help="另一位标注者对同一批问题的标注：不评测检索，只看两份标注彼此一致的程度")
    parser.add_argument("--modes", default=",".join(MODES), help="检索方式，逗号分隔（默认 bm25,dense,hybrid）")
    parser.add_argument("--model", help="建临时索引时使用的模型")
    parser.add_argument("--store", default=None, help="向量与关键词存放处：faiss、milvus:文件.db、milvus://主机:端口"
                                                       "（默认：环境变量 RULEOFLAW_STORE，或索引建立时所用的）")
    parser.add_argument("--json", action="store_true", help="输出 JSON")
    args = parser.parse_args(argv)
    if not (args.index or args.corpus or args.agreement):
        parser.error("需要 --index、--corpus 或 --agreement 之一")
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        print(f"错误：未知的检索方式 {'、'.join(unknown)}（可选：{'、'.join(MODES)}）", file=sys.stderr)
        return 2
    loaded = {}
    for path in (p for p in (args.questions, args.agreement) if p):
        try:
            loaded[path] = load_questions(path)
        except (OSError, ValueError, KeyError) as error:
            print(f"错误：无法读取问题文件 {path}：{error}", file=sys.stderr)
            return 2
    questions = loaded[args.questions]
    if args.agreement:
        agreement = label_agreement(questions, loaded[args.agreement])
        print(json.dumps(agreement, ensure_ascii=False, indent=2) if args.json else render_agreement(agreement))
        return 0
    from indexer.store import StoreError

    try:
        summary, details = _evaluate_on(args, questions, modes)
    except StoreError as error:
        print(f"错误：{error}", file=sys.stderr)
        return 2
    print(json.dumps(summary, ensure_ascii=False, indent=2) if args.json else render(summary, details, len(questions)))
    return 0


def _evaluate_on(args, questions, modes):
    from dataclasses import replace

    from indexer.store import parse_store
    from search import Searcher

    with tempfile.TemporaryDirectory(prefix="eval-index-") as scratch:
        if not args.corpus:
            searcher = Searcher.load(args.index, store=args.store)
            return evaluate(searcher, questions, modes)
        from indexer import build_index
        spec = parse_store(args.store)
        if spec.is_milvus:  # a scratch alias, so that the served index in the same Milvus stays as it is
            spec = replace(spec, alias=f"{spec.alias}_eval_{os.getpid()}")
        try:
            build_index(args.corpus, Path(scratch), model=args.model, store=spec)
            return evaluate(Searcher.load(Path(scratch), store=spec), questions, modes)
        finally:
            if spec.is_milvus:
                from indexer.store.milvus_collection import remove_all
                remove_all(spec)


if __name__ == "__main__":
    sys.exit(main())
