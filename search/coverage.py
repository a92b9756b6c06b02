"""How much of what a question asks for a sentence says: the rarity-weighted share of the question's slots
it fills, each in any of the official wordings.

Verbs count less (VERB_WEIGHT): reports say 聘用/配备/建立 where users say 聘请, so the object carries the
evidence. A compound written apart (旁听行政诉讼庭审 for 旁听庭审) counts almost fully; some parts of a compound
count partly, by their share of the parts and no more than their own rarity allows (执法 says little about
执法证).
"""
from __future__ import annotations

from indexer.analyzer import Concept
from search.question import Slot

PART_SHARE = 0.7  # at most, for a compound of which only some parts appear
SPLIT_COMPOUND_SHARE = 0.9  # a compound written apart is almost always the same thing
SPLIT_COMPOUND_GAP = 8  # characters of modifiers allowed between its pieces
VERB_WEIGHT = 0.3


def slot_weights(slots: list[Slot], idf) -> list[list[list[float]]]:
    """Weight of each concept of each option of each slot, by its rarity in this index. A concept is as
    common as its commonest wording (the union of its forms is at least that frequent); a word no chunk
    contains is judged by its parts, if any."""
    raw: dict[str, float | None] = {}
    floor: dict[str, float] = {}
    for concept in (c for slot in slots for c in slot.concepts):
        forms = [x for x in (idf(f) for f in concept.forms) if x is not None]
        parts = [idf(p) for p in concept.parts]
        known_parts = [x for x in parts if x is not None]
        if forms:
            raw[concept.word] = min(forms)
        elif known_parts and len(known_parts) == len(parts):
            raw[concept.word] = max(known_parts)
        else:  # 法治副校长: 副校长 is in no chunk, and 法治 (in every report) says nothing of it
            raw[concept.word] = None
            floor[concept.word] = max(known_parts, default=0.0)
    # A content word no chunk contains still asks for something (a word the reports never use, say 外包):
    # it weighs as much as the question's other words on average, so that the rest alone is not full cover.
    known = [w for w in raw.values() if w is not None]
    fallback = sum(known) / len(known) if known else 0.0
    # A quoted name is what the asker is most specific about, however common its pieces are: it weighs at
    # least as much as the question's rarest word.
    for concept in (c for slot in slots for c in slot.concepts if c.quoted):
        raw[concept.word] = max([raw[concept.word] or 0.0, *known])

    def weight(concept: Concept) -> float:
        value = raw[concept.word]
        if value is None:
            value = max(fallback, floor.get(concept.word, 0.0))
        return value * (VERB_WEIGHT if concept.is_verb else 1.0)

    return [[[weight(c) for c in option] for option in slot.options] for slot in slots]


def coverage(sentence: str, slots: list[Slot], weights: list[list[list[float]]], idf) -> float:
    """Share of the question's weighted slots that the sentence fills; a slot counts as much as its average
    option, and is filled as far as its best-filled option."""
    total = covered = 0.0
    for slot, slot_weights_ in zip(slots, weights):
        option_totals = [sum(option) for option in slot_weights_]
        weight = sum(option_totals) / len(option_totals)
        if weight <= 0:
            continue
        total += weight
        covered += weight * max(
            sum(w * concept_cover(sentence, c, idf) for c, w in zip(option, option_weights)) / option_total
            for option, option_weights, option_total in zip(slot.options, slot_weights_, option_totals)
            if option_total > 0)
    return covered / total if total > 0 else 0.0


def concept_cover(sentence: str, concept: Concept, idf) -> float:
    """1 when the sentence says the concept in one of its forms, less for a compound written apart or in part."""
    if any(form in sentence for form in concept.forms):
        return 1.0
    if concept.quoted:  # meant as written: 《行政法》 is not 《行政处罚法》
        return 0.0
    if _parts_together(sentence, concept):
        return SPLIT_COMPOUND_SHARE
    if not concept.parts:
        return 0.0
    known = [x for x in (idf(part) for part in concept.parts) if x is not None]
    # A part no chunk contains (海关 of 海关监管) is what the question is after: it weighs as much as the
    # rarest known part, so the known ones alone are not the compound.
    part_idf = {part: idf(part) or max(known, default=0.0) for part in concept.parts}
    present = sum(w for part, w in part_idf.items() if part in sentence)
    all_parts = sum(part_idf.values())
    rarity = max(idf(form) or 0.0 for form in concept.forms) or max(part_idf.values())
    if all_parts <= 0 or rarity <= 0:
        return 0.0
    return PART_SHARE * min(present / all_parts, present / rarity)


def _parts_together(sentence: str, concept: Concept) -> bool:
    """A compound written apart, its pieces in order and close: 旁听庭审 in "旁听行政诉讼庭审", 宪法宣传 in
    "宪法、民法典等法律宣传"."""
    pieces = [p for p in concept.parts if not any(p != other and p in other for other in concept.parts)]
    if len(pieces) < 2:
        return False
    limit = len(concept.word) + SPLIT_COMPOUND_GAP
    first = sentence.find(pieces[0])
    while first >= 0:
        position = first + len(pieces[0])
        for piece in pieces[1:]:
            found = sentence.find(piece, position)
            if found < 0 or found + len(piece) - first > limit:
                break
            position = found + len(piece)
        else:
            return True
        first = sentence.find(pieces[0], first + 1)
    return False
