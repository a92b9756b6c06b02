"""Do reviews teach? python -m search.review_eval --questions FILE [FILE …] (--index DIR | --corpus DIR …)

For each labelled township question, half of the townships are reviewed from the labels: the must-listed ones
of that half are confirmed with their labelled evidence sentence, the ones the answer wrongly lists are
rejected. The other half is then scored (precision and recall, as search.eval does) with the answer the
tool gives without reviews and with them (search.exemplars), per question set (the letter of the id).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

from search.eval import Question, load_questions
from search.exemplars import Exemplars
from search.reviews import Review, enclosing_sentences, locate_snippet, township_name


def split_halves(question: Question, townships: list[str]) -> tuple[set[str], set[str]]:
    """(reviewed, unreviewed): every other township of the must list, and of the rest, in an order fixed by a
    hash of the question id, so the halves do not depend on the answer."""
    def order(names):
        return sorted(names, key=lambda n: hashlib.sha256(f"{question.id}|{n}".encode()).hexdigest())

    must = order(set(question.townships))
    rest = order(set(townships) - set(question.townships))
    reviewed = set(must[::2]) | set(rest[::2])
    return reviewed, set(townships) - reviewed


def labelled_sentence(searcher, question: Question, township: str) -> str | None:
    """The report sentence(s) holding the labelled evidence of a township, if the label gives one."""
    for item in question.relevant:
        for document in searcher.documents():
            if document.source.rsplit("/", 1)[-1] != item["doc"] or township_name(document) != township:
                continue
            text = searcher.document(document.doc_id).text
            span = locate_snippet(text, item["contains"])
            if span:
                start, end = enclosing_sentences(text, *span)
                return text[start:end]
    return None


def reviews_for(searcher, question: Question, answer, reviewed: set[str]) -> list[Review]:
    allowed = set(question.townships) | set(question.acceptable)
    reviews = []
    for name in sorted(reviewed & set(question.townships)):
        sentence = labelled_sentence(searcher, question, name)
        if sentence:
            reviews.append(Review(question.question, name, None, "confirmed", None, None, None, None, sentence,
                                  None, ""))
    for township in answer.done:
        if township.name in reviewed and township.name not in allowed:
            reviews.append(Review(question.question, township.name, township.year, "rejected", None, None, None,
                                  None, township.evidence[0].sentence, None, ""))
    return reviews


def scored(answer, question: Question, half: set[str]) -> dict:
    found = {t.name for t in answer.done} & half
    must = set(question.townships) & half
    allowed = (set(question.townships) | set(question.acceptable)) & half
    return {"found": len(found), "good": len(found & allowed), "must": len(must), "hit": len(found & must)}


def measure(searcher, questions: list[Question]) -> dict:
    townships = sorted({township_name(d) for d in searcher.documents()})
    per_set: dict[str, dict] = {}
    for number, question in enumerate(q for q in questions if q.type == "townships"):
        reviewed, unreviewed = split_halves(question, townships)
        before = searcher.ask(question.question)
        exemplars = Exemplars.from_reviews(reviews_for(searcher, question, before, reviewed))
        after = searcher.ask(question.question, exemplars=exemplars) if exemplars else before
        group = per_set.setdefault(question.id.split("-")[0].upper(), {"questions": 0, "before": {}, "after": {}})
        group["questions"] += 1
        group["confirmed"] = group.get("confirmed", 0) + len(exemplars.confirmed)
        group["rejected"] = group.get("rejected", 0) + len(exemplars.rejected)
        for name, answer in (("before", before), ("after", after)):
            for key, value in scored(answer, question, unreviewed).items():
                group[name][key] = group[name].get(key, 0) + value
        print(f"{number + 1} {question.id}", file=sys.stderr, flush=True)
    return {letter: _rates(group) for letter, group in sorted(per_set.items())}


def _rates(group: dict) -> dict:
    out = {"questions": group["questions"], "confirmed": group["confirmed"], "rejected": group["rejected"]}
    for name in ("before", "after"):
        counts = group[name]
        out[name] = {"precision": round(counts["good"] / counts["found"], 3) if counts["found"] else 0.0,
                     "recall": round(counts["hit"] / counts["must"], 3) if counts["must"] else 1.0, **counts}
    return out


def pooled(results: dict, letters) -> dict:
    groups = [results[x] for x in letters if x in results]
    out = {}
    for name in ("before", "after"):
        counts = {k: sum(g[name][k] for g in groups) for k in ("found", "good", "must", "hit")}
        out[name] = {"precision": round(counts["good"] / max(counts["found"], 1), 3),
                     "recall": round(counts["hit"] / max(counts["must"], 1), 3)}
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m search.review_eval", description="核对结果能否改进后续回答")
    parser.add_argument("--questions", type=Path, nargs="+", required=True)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--index", type=Path)
    source.add_argument("--corpus", type=Path, nargs="+")
    args = parser.parse_args(argv)
    questions = [q for path in args.questions for q in load_questions(path)]
    from search import Searcher

    with tempfile.TemporaryDirectory(prefix="review-eval-") as scratch:
        index = args.index
        if args.corpus:
            from indexer import build_index
            index = Path(scratch)
            build_index(args.corpus, index, store="faiss")  # never the served Milvus alias (RULEOFLAW_STORE)
        results = measure(Searcher.load(index), questions)
    print(json.dumps(results, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
