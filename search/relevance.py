"""Relevance a person can compare: how much of what the question asks a passage says, from 0 to 1.

Each retrieval mode ranks by its own score (raw BM25, cosine, the fused mix), and none of them says whether a
passage answers the question: the model's cosines crowd at 0.8–0.9 for related and unrelated passages alike,
BM25 grows with the question's length. A passage's relevance is instead the cover of its best sentence, read
under its heading (search.coverage): the rarity-weighted share of the question's slots it fills. It is the
same number in every mode and for every question, and the same measure that judges evidence in answers.

Measured on 9,780 top-10 hits of the 337 labelled questions (samples + more, docs/method.md): it separates
labelled-relevant from other hits with ROC AUC 0.84 in hybrid mode (the fused score: 0.84), 0.84 in bm25 mode
(raw BM25: 0.78) and 0.90 in dense mode (cosine: 0.62). When no hit reaches RELEVANT, the results are the
closest passages, not an answer: 8 of the 12 labelled questions no report answers end there, and 29 of 314
answerable ones (9%), whose passages stay one click away.
"""
from __future__ import annotations

from search.coverage import coverage, slot_weights
from search.question import question_slots
from search.sentences import split_sentences

RELEVANT = 0.5  # a passage at or above this says most of what is asked


def question_alternatives(analyzer, question: str, idf) -> list[tuple]:
    """The question's readings, each as (slots, their weights in this index), as search.coverage reads them."""
    return [(slots, slot_weights(slots, idf)) for slots in question_slots(analyzer, question)]


def passage_relevance(text: str, section_path: list[str], alternatives: list[tuple], idf) -> float:
    """Cover of the passage's best sentence, under its heading, in the question's best reading."""
    if not alternatives:
        return 0.0
    heading = section_path[-1] + "。" if section_path else ""
    return max((coverage(heading + text[start:end], slots, weights, idf)
                for start, end in split_sentences(text) for slots, weights in alternatives), default=0.0)


def rate(hits, alternatives: list[tuple], idf) -> None:
    """Set each hit's `relevance`."""
    for hit in hits:
        hit.relevance = round(passage_relevance(hit.text, hit.section_path, alternatives, idf), 3)


def any_relevant(hits) -> bool:
    """Whether some hit says most of what is asked; if not, the hits are only the closest passages."""
    return any((hit.relevance or 0.0) >= RELEVANT for hit in hits)
