"""How closely a sentence says the question's words in the model's own terms, token by token.

Each weighted word of the question is matched with the sentence token whose contextual vector is closest, and
the similarities are averaged with the words' weights (BERTScore's recall, weighted like search.coverage).
It sits between the other two measures of an answer sentence: lexical cover knows only the wordings it has
been given ("研讨交流" does not say "专题研讨"), and one cosine per sentence blurs which of the question's words
the sentence says ("村党组织书记任成员" and "党委书记任组长" are close as wholes, less so word by word).
"""
from __future__ import annotations

import numpy as np

from indexer.analyzer import fold
from indexer.embed import Statement


def token_weights(question: Statement, text: str, alternatives) -> np.ndarray:
    """Weight of each of the question's tokens: that of the heaviest question word it is part of (its slot
    weight from search.coverage, over all readings of the question), 0 for tokens outside every word."""
    folded = fold(text)
    words = []  # (start, end, weight)
    for slots, weights in alternatives:
        for slot, slot_weights in zip(slots, weights):
            for option, option_weights in zip(slot.options, slot_weights):
                for concept, weight in zip(option, option_weights):
                    start = folded.find(concept.word)
                    while start >= 0:
                        words.append((start, start + len(concept.word), weight))
                        start = folded.find(concept.word, start + 1)
    return np.array([max((w for s, e, w in words if s < end and start < e), default=0.0)
                     for start, end in question.spans], np.float32)


def token_recall(question: Statement, weights: np.ndarray, sentence: Statement) -> float:
    """Weighted mean, over the question's tokens, of the cosine with the closest token of the sentence."""
    return token_recalls(question, weights, [sentence])[0]


def token_recalls(question: Statement, weights: np.ndarray, sentences: list[Statement]) -> list[float]:
    """token_recall for many sentences; the question's weighted tokens are prepared once."""
    if len(weights) != len(question.tokens) or float(weights.sum()) <= 0:
        return [0.0] * len(sentences)
    used = weights > 0
    tokens, used_weights = question.tokens[used].astype(np.float32), weights[used]
    total = float(used_weights.sum())
    return [float((tokens @ s.tokens.astype(np.float32).T).max(axis=1) @ used_weights) / total
            if len(s.tokens) else 0.0 for s in sentences]
