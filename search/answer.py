"""Answers to "哪些乡镇…" questions: townships, each with the sentence that proves it.

1. Retrieve widely: the hybrid top candidates plus every strong keyword match, so a township is not lost
   because its paragraph ranked 70th.
2. Judge sentences, not chunks: a sentence's *coverage* is the share of the question's content words
   (weighted by rarity; verbs count less, since reports say 聘用/配备/建立 where users say 聘请) that it
   contains, in any official wording.
3. Decide per township (and year): a covered sentence in a 做法成效 part is a deed (done); in a 下一步计划
   part, or phrased as intent (将…/计划…), it is a plan (planned); in a 问题不足 part, or only partly
   covered, it is a mention. Only deeds make the main list; the cut-off is the coverage, which is relative
   to each question's own words, so it holds across questions.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

import numpy as np

from indexer.analyzer import Concept
from indexer.document import ROLE_PLAN, ROLE_PROBLEM
from indexer.intent import announces_plan
from search.fuse import score_mix
from search.numbers import is_count_question, number_phrases, question_unit
from search.searcher import CANDIDATES, Hit, check_question
from search.sentences import locate, split_sentences

DONE_COVERAGE = 0.6
MENTION_COVERAGE = 0.35
PART_SHARE = 0.7  # at most, for a compound of which only some parts appear
SPLIT_COMPOUND_SHARE = 0.9  # a compound written apart is almost always the same thing
SPLIT_COMPOUND_GAP = 8  # characters of modifiers allowed between its pieces
VERB_WEIGHT = 0.3  # reports say 聘用/配备/建立 where users say 聘请: the object carries the evidence
KEYWORD_CANDIDATES = 300
MAX_EVIDENCE = 3
_TOWNSHIP_QUESTION = re.compile(r"哪些|哪个|哪几个|哪几|哪家|哪里|都有谁|有谁|谁家|多少个(?:乡|镇|街道)|几个(?:乡|镇|街道)")
_TOPIC_PREFIX = re.compile(r"^(?:请问|请列出|列出)?(?:有)?(?:哪些|哪个|哪几个|哪几|哪家|多少个|几个)"
                           r"(?:乡镇街道|乡镇|街道|乡|镇|单位|地方)?(?:都|还|已经|已)?")
_ALTERNATIVE = re.compile(r"[，,、；;]?\s*(?:或者|或是|或)(?=[\u4e00-\u9fff])")
_STATUS_ORDER = {"done": 0, "planned": 1, "mentioned": 2}


@dataclass
class Evidence:
    id: str
    source: str
    doc_id: str
    text: str
    sentence: str
    sentence_start: int  # span of the sentence in `text`
    sentence_end: int
    char_start: int  # span of the sentence in the source document
    char_end: int
    score: float
    coverage: float
    numbers: list[str]
    role: str
    section_path: list[str]
    page: int


@dataclass
class TownshipAnswer:
    name: str
    county: str | None
    year: int | None
    status: str  # done | planned | mentioned
    score: float
    evidence: list[Evidence] = field(default_factory=list)


@dataclass
class Answer:
    question: str
    kind: str  # "townships" for 哪些乡镇… questions, "passages" otherwise
    answer: str
    townships: list[TownshipAnswer]
    sentences: list[Evidence]
    results: list[Hit]

    @property
    def done(self) -> list[TownshipAnswer]:
        return [t for t in self.townships if t.status == "done"]

    def to_json(self) -> dict:
        return {
            "question": self.question, "kind": self.kind, "answer": self.answer,
            "townships": [_township_json(t) for t in self.townships],
            "sentences": [_evidence_json(e) for e in self.sentences],
            "results": [hit.to_json() for hit in self.results],
        }


def is_township_question(question: str) -> bool:
    return bool(_TOWNSHIP_QUESTION.search(question))


def answer_question(searcher, question: str, filters=None, top_k: int = 10) -> Answer:
    question = check_question(question)
    analyzer = searcher.analyzer
    terms = analyzer.query_terms(question)
    alternatives = [(concepts, _concept_weights(searcher, concepts))
                    for concepts in question_alternatives(analyzer, question)]
    ranking = searcher.rank(question, terms, CANDIDATES, "hybrid", filters)
    results = searcher.hits(ranking.top(top_k), terms)
    candidates = _candidates(searcher, question, terms, ranking, filters)
    evidence = _judge(searcher, question, alternatives, candidates)
    townships = _group(searcher, evidence)
    township_kind = is_township_question(question)
    best_sentences = _best_sentences(evidence)
    summary = _summary(question, townships, best_sentences, township_kind)
    return Answer(question, "townships" if township_kind else "passages", summary, townships, best_sentences,
                  results)


def _candidates(searcher, question, terms, ranking, filters) -> dict[int, float]:
    """Candidate rows with their fused relevance in [0, 1]."""
    rows = set(int(r) for r in ranking.rows)
    keyword = searcher.stored.bm25.scores(terms) if terms else np.zeros(len(searcher.stored.vectors), np.float32)
    allowed = searcher.columns.mask(filters)
    if allowed is not None:
        keyword = np.where(allowed, keyword, 0.0)
    strong = np.flatnonzero(keyword > 0)
    if len(strong) > KEYWORD_CANDIDATES:
        strong = strong[np.argpartition(-keyword[strong], KEYWORD_CANDIDATES - 1)[:KEYWORD_CANDIDATES]]
    rows.update(int(r) for r in strong)
    if not rows:
        return {}
    rows_array = np.array(sorted(rows), dtype=np.int64)
    query_vector = searcher.query_vector(question)
    cosines = searcher.stored.vectors.vectors[rows_array] @ query_vector.astype(np.float32)
    fused = score_mix(rows_array, keyword[rows_array], cosines)
    return {int(r): float(s) for r, s in zip(fused.rows, fused.scores)}


def _concept_weights(searcher, concepts: list[Concept]) -> list[float]:
    """Rarity of each concept in this index. A concept is as common as its commonest wording (the union of
    its forms is at least that frequent); a word no chunk contains is judged by its parts, if any."""
    idf = searcher.stored.bm25.idf
    weights = []
    for concept in concepts:
        forms = [x for x in (idf(f) for f in concept.forms) if x is not None]
        parts = [x for x in (idf(p) for p in concept.parts) if x is not None]
        weights.append(min(forms) if forms else (max(parts) if parts else None))
    # A content word no chunk contains still asks for something (a word the reports never use, say 外包):
    # it weighs as much as the question's other words on average, so that the rest alone is not full cover.
    known = [w for w in weights if w is not None]
    fallback = sum(known) / len(known) if known else 0.0
    return [(fallback if w is None else w) * (VERB_WEIGHT if c.is_verb else 1.0) for c, w in zip(concepts, weights)]


def coverage(sentence: str, concepts: list[Concept], weights: list[float], idf) -> float:
    """Share of the question's weighted content words that the sentence contains."""
    total = sum(weights)
    if total <= 0:
        return 0.0
    covered = 0.0
    for concept, weight in zip(concepts, weights):
        if any(form in sentence for form in concept.forms):
            covered += weight
        elif _parts_together(sentence, concept):
            covered += SPLIT_COMPOUND_SHARE * weight
        elif concept.parts:
            # Some of the parts are partial evidence, by their share of the parts (宪法 of 宪法宣传) and by their
            # own rarity against the compound's: 执法, the only part of 执法证, says little about it.
            part_idf = {part: idf(part) or 0.0 for part in concept.parts}
            present = sum(w for part, w in part_idf.items() if part in sentence)
            all_parts = sum(part_idf.values())
            rarity = max(idf(form) or 0.0 for form in concept.forms) or max(part_idf.values())
            if all_parts > 0 and rarity > 0:
                covered += PART_SHARE * weight * min(present / all_parts, present / rarity)
    return covered / total


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


def alternatives_of(question: str) -> list[str]:
    """"哪些乡镇给执法人员培训，或者组织执法资格考试" asks for either: a sentence may cover one of the parts."""
    parts = [part for part in _ALTERNATIVE.split(question) if part.strip()]
    return parts if len(parts) > 1 else [question]


def question_alternatives(analyzer, question: str) -> list[list[Concept]]:
    """The concepts of each alternative a question asks for. A part that is only verbs ("培育或培训法律明白人")
    coordinates predicates of one object: its verbs become other forms of the next part's first word
    (培育|培养|培训, then 法律明白人)."""
    groups = [concepts for concepts in (analyzer.query_concepts(part) for part in alternatives_of(question))
              if concepts]
    merged: list[list[Concept]] = []
    pending: list[Concept] = []
    for concepts in groups:
        if all(c.verbal for c in concepts) and concepts is not groups[-1]:
            pending.extend(concepts)
            continue
        if pending:
            first = concepts[0]
            forms = tuple(dict.fromkeys(first.forms + tuple(f for c in pending for f in c.forms)))
            concepts = [Concept("或".join([c.word for c in pending] + [first.word]), forms, first.parts,
                                first.is_verb and all(c.is_verb for c in pending), first.verbal), *concepts[1:]]
            pending = []
        merged.append(concepts)
    return merged


def _judge(searcher, question, alternatives, candidates: dict[int, float]) -> list[tuple[Evidence, str]]:
    counting = is_count_question(question)
    unit = question_unit(question)
    idf = searcher.stored.bm25.idf
    records = searcher.stored.table.chunks(rows=list(candidates))
    texts: dict[str, str] = {}
    judged = []
    for record in records:
        relevance = candidates[record.row]
        best = None
        for start, end in split_sentences(record.text):
            sentence = record.text[start:end]
            cover = max(coverage(sentence, concepts, weights, idf) for concepts, weights in alternatives) \
                if alternatives else 0.0
            numbers = number_phrases(sentence) if counting else []
            if counting and unit and any(n.endswith(unit) for n in numbers):
                cover = min(1.0, cover + 0.15)  # the count asked for is here
            score = cover * (0.5 + 0.5 * relevance)
            if best is None or score > best[0]:
                best = (score, cover, start, end, numbers)
        if best is None or best[1] < MENTION_COVERAGE:
            continue
        score, cover, start, end, numbers = best
        if record.doc_id not in texts:
            texts[record.doc_id] = searcher.document(record.doc_id).text
        sentence = record.text[start:end]
        char_start, char_end = locate(texts[record.doc_id], sentence, record.char_start, record.char_end)
        evidence = Evidence(record.id, searcher.document_info(record.doc_id).source, record.doc_id, record.text,
                            sentence, start, end, char_start, char_end, round(score, 4), round(cover, 3), numbers,
                            record.role, record.section_path, record.page)
        judged.append((evidence, _status(record.role, sentence, cover)))
    return judged


def _status(role: str, sentence: str, cover: float) -> str:
    if role == ROLE_PLAN or announces_plan(sentence):
        return "planned"
    if role == ROLE_PROBLEM or cover < DONE_COVERAGE:
        return "mentioned"
    return "done"


def _group(searcher, judged: list[tuple[Evidence, str]]) -> list[TownshipAnswer]:
    groups: dict[tuple, TownshipAnswer] = {}
    for evidence, status in sorted(judged, key=lambda pair: (_STATUS_ORDER[pair[1]], -pair[0].score)):
        document = searcher.document_info(evidence.doc_id)
        name = document.township or f"（未识别乡镇：{document.source}）"
        key = (name, document.year)
        group = groups.get(key)
        if group is None:
            groups[key] = TownshipAnswer(name, document.county, document.year, status, evidence.score, [evidence])
        elif len(group.evidence) < MAX_EVIDENCE and status == group.status:
            group.evidence.append(evidence)
    return sorted(groups.values(), key=lambda t: (_STATUS_ORDER[t.status], -t.score))


def _best_sentences(judged: list[tuple[Evidence, str]], limit: int = 5) -> list[Evidence]:
    ordered = sorted((e for e, _ in judged), key=lambda e: -e.score)
    chosen, seen = [], set()
    for evidence in ordered:
        key = re.sub(r"\W", "", evidence.sentence)
        if key in seen:
            continue
        seen.add(key)
        chosen.append(evidence)
        if len(chosen) == limit:
            break
    return chosen


def topic_of(question: str) -> str:
    """"哪些乡镇聘请了法律顾问？" → "聘请法律顾问"."""
    topic = _TOPIC_PREFIX.sub("", question.strip().rstrip("？?。！!"))
    return re.sub(r"了(?=[\u4e00-\u9fff])", "", topic) or question


def _summary(question: str, townships: list[TownshipAnswer], sentences: list[Evidence], township_kind: bool) -> str:
    done = [t for t in townships if t.status == "done"]
    others = [t for t in townships if t.status != "done"]
    if township_kind:
        if not done:
            base = "未找到相关乡镇。"
        else:
            names = "、".join(f"{t.name}（{t.year}）" if t.year else t.name for t in done)
            base = f"共 {len(done)} 个乡镇明确提到{topic_of(question)}：{names}。"
        if others:
            base += f"另有 {len(others)} 个乡镇仅在计划中或顺带提及，列在下方。"
        return base
    if not sentences:
        return "未找到相关内容。"
    best = sentences[0]
    return f"最相关的依据：「{best.sentence}」（{best.source}）"


def _evidence_json(evidence: Evidence) -> dict:
    return asdict(evidence)


def _township_json(township: TownshipAnswer) -> dict:
    return {"name": township.name, "county": township.county, "year": township.year, "status": township.status,
            "score": township.score, "evidence": [_evidence_json(e) for e in township.evidence]}
