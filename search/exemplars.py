"""Reviews teach: sentences a person confirmed as evidence for a question become its exemplars, sentences
a person rejected its counter-examples. Later answers to the same question (next year's reports, reports
added later, other townships) accept a sentence close to an exemplar and refuse one close to a
counter-example, whichever of the two it is closer to.

Close means both in wording (the share of the shorter sentence's character pairs that the other one has:
reports copy their phrasing from the same documents) and in meaning (cosine of the e5 statement vectors,
Searcher.statements). Either alone is not enough: "聘请法律顾问" and "未聘请法律顾问" share their wording,
and related practices (学法 and 普法) are close in meaning. search.answer takes an Exemplars object; it does not
know reviews exist.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from search.reviews import Review, ReviewStore
from search.sentences import split_sentences

# Chosen on the labelled township questions of sets A–J and M–P (docs/checklist.md); K, L, Q and R were not
# looked at while choosing.
WORDING_CLOSE = 0.6  # share of character pairs in common
MEANING_CLOSE = 0.92  # statement cosine
WORDING_CANDIDATE = 0.4  # a sentence worded at least this much like an exemplar is looked at, whatever its cover
EXEMPLAR_ROWS = 20  # passages retrieved per exemplar, added to the question's candidates
MAX_EXEMPLARS = 40  # per question and kind, the most recent
# What an accepted sentence's support is raised to: a deed, still marked 待核对 (search.answer.STRONG_SUPPORT)
# since no person has read this township's sentence yet.
ACCEPTED_SUPPORT = 0.45
REFUSED_SUPPORT = 0.29  # just below search.answer.DONE_SUPPORT
_NOT_WORDING = re.compile(r"[\W\d_a-zA-Z]+")


def char_pairs(text: str) -> set[str]:
    text = _NOT_WORDING.sub("", text)
    return {text[i:i + 2] for i in range(len(text) - 1)}


def wording_overlap(first: set[str], second: set[str]) -> float:
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))


@dataclass
class Exemplars:
    confirmed: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.confirmed = _sentences_of(self.confirmed)[-MAX_EXEMPLARS:]
        self.rejected = _sentences_of(self.rejected)[-MAX_EXEMPLARS:]
        self._confirmed_pairs = [char_pairs(t) for t in self.confirmed]
        self._rejected_pairs = [char_pairs(t) for t in self.rejected]

    @classmethod
    def from_reviews(cls, reviews: list[Review]) -> "Exemplars":
        """Stale reviews teach too: what a person said of a sentence holds for its wording, even if the report
        it came from has changed since."""
        return cls([r.sentence for r in reviews if r.decision == "confirmed" and r.sentence],
                   [r.sentence for r in reviews if r.decision == "rejected" and r.sentence])

    @classmethod
    def for_question(cls, store: ReviewStore | None, question: str) -> "Exemplars | None":
        if store is None:
            return None
        exemplars = cls.from_reviews(store.reviews(question))
        return exemplars if exemplars else None

    def __bool__(self) -> bool:
        return bool(self.confirmed or self.rejected)

    def rows(self, searcher, filters) -> dict[int, float]:
        """Passages that read like an exemplar, with their relevance to it, to be looked at too."""
        found: dict[int, float] = {}
        for text in self.confirmed:
            terms = searcher.analyzer.query_terms(text)
            ranking = searcher.rank(text, terms, EXEMPLAR_ROWS, "hybrid", filters)
            for row, score in zip(ranking.rows[:EXEMPLAR_ROWS], ranking.scores[:EXEMPLAR_ROWS]):
                found[int(row)] = max(found.get(int(row), 0.0), float(score))
        return found

    def worded_like(self, text: str) -> bool:
        pairs = char_pairs(text)
        return any(wording_overlap(pairs, e) >= WORDING_CANDIDATE for e in self._confirmed_pairs)

    def apply(self, searcher, sentences) -> None:
        """Raise the support of sentences close to an exemplar, lower that of sentences close to a
        counter-example (search.answer's _Sentence: .text and .support)."""
        if not sentences or not self:
            return
        texts = [s.text for s in sentences]
        vectors = np.stack([s.vector for s in searcher.statements(texts + self.confirmed + self.rejected)])
        found, examples = vectors[:len(texts)], vectors[len(texts):]
        cosines = found @ examples.T
        pairs = [char_pairs(t) for t in texts]
        for index, sentence in enumerate(sentences):
            accept = self._closest(pairs[index], cosines[index, :len(self.confirmed)], self._confirmed_pairs)
            refuse = self._closest(pairs[index], cosines[index, len(self.confirmed):], self._rejected_pairs)
            if accept is not None and (refuse is None or accept >= refuse):
                sentence.support = max(sentence.support, ACCEPTED_SUPPORT)
            elif refuse is not None:
                sentence.support = min(sentence.support, REFUSED_SUPPORT)

    @staticmethod
    def _closest(pairs: set[str], cosines: np.ndarray, examples: list[set[str]]) -> float | None:
        """The highest cosine among the examples close in both wording and meaning, None if there is none."""
        close = [float(c) for c, e in zip(cosines, examples)
                 if c >= MEANING_CLOSE and wording_overlap(pairs, e) >= WORDING_CLOSE]
        return max(close, default=None)


def _sentences_of(texts: list[str]) -> list[str]:
    """Evidence a person attached may be a whole paragraph: each of its sentences is an example."""
    sentences = []
    for text in texts:
        parts = [text[s:e] for s, e in split_sentences(text)] or [text]
        sentences.extend(p for p in parts if len(_NOT_WORDING.sub("", p)) >= 4)
    return list(dict.fromkeys(sentences))
