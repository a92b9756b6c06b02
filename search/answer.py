"""Answers to "哪些乡镇…" questions: townships, each with the sentence that proves it.

1. Retrieve widely: the hybrid top candidates plus every strong keyword match, so a township is not lost
   because its paragraph ranked 70th.
2. Judge sentences, not chunks. A sentence's *cover* is the share of the question's slots it fills, read
   under its heading (search.coverage, search.question). Its *support* adds how close it is in meaning to
   the question, as a whole (cosine) and word by word (search.token_match), relative to the closest
   sentences for this question (the model's similarities are only informative relative to each other): near
   ones need fewer of the question's words, far ones more.
3. Decide per township (and year): a supported sentence in a 做法成效 part is a deed (done); in a 下一步计划
   part, or phrased as intent (将…/计划…), it is a plan (planned); in a 问题不足 part, or only partly
   supported, it is a mention. Only deeds make the main list. Both parts of the cut-off are relative to the
   question (its own words, its own closest sentences), not a fixed top-N, so it holds across questions.
"""
from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

import numpy as np

from indexer.document import ROLE_PLAN, ROLE_PROBLEM
from indexer.e5model import DEFAULT_MODEL
from indexer.intent import admits_shortcoming, announces_plan
from search.coverage import coverage
from search.fuse import score_mix
from search.numbers import is_count_question, number_phrases, question_unit
from search.searcher import CANDIDATES, Hit, check_question
from search.question import asked_part, asks_how, asks_yes_no, is_township_question, question_focus, topic_of
from search.relevance import any_relevant, question_alternatives, rate
from search.sentences import locate, split_sentences
from search.token_match import token_recalls, token_weights

# Chosen on the labelled township questions (README, 乡镇问答): support ≥ DONE_SUPPORT is a deed.
DONE_SUPPORT = 0.3
# A deed whose best sentence has less support than this is shown as weak evidence, to be checked. On the 222 blind
# labelled questions, 0.91 of the townships listed above it were right and 0.59 of those below it (README).
STRONG_SUPPORT = 0.6
MENTION_COVERAGE = 0.35  # says enough of the question to be shown as a plan or a mention
SENTENCE_FLOOR = 0.2  # lexical cover below which a sentence is not looked at
SIMILARITY_WEIGHT = 5.0  # per unit of sentence cosine
TOKEN_WEIGHT = 10.0  # per unit of token recall (search.token_match)
# The token recall's reference never drops below this (default model only): when even the closest sentences
# say the question's words this poorly, none of them says what is asked ("国际马拉松比赛" → sentences on
# 国际禁毒日). About the 5th percentile of the reference over the labelled questions that have an answer.
RECALL_FLOOR = 0.84
REFERENCE_TOP = 5
MAX_SENTENCES = 200  # sentences encoded per question, at most
KEYWORD_CANDIDATES = 300
MAX_EVIDENCE = 3
_STATUS_ORDER = {"done": 0, "planned": 1, "mentioned": 2}
STATUS_LABELS = {"done": "已做", "planned": "计划中", "mentioned": "提及"}
WEAK_LABEL = "待核对"  # marks a township of the main list whose evidence is weak (TownshipAnswer.weak)
# A question about shortcomings or plans is answered from those parts: its main list is not of deeds.
_MAIN_LABELS = {"deeds": "已做", "shortcomings": "报告中提到", "plans": "计划中提出"}


def others_label(focus: str) -> str:
    """What the townships outside the main list are: for a question about plans, plans are the main list."""
    return "仅顺带提及" if focus == "plans" else "仅在计划中或顺带提及"


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
    support: float = 0.0  # how well the sentence says what is asked (answer ranking uses score)
    page_end: int = 0  # last page of the chunk; 0 = `page`

    def __post_init__(self):
        self.page_end = self.page_end or self.page


@dataclass
class TownshipAnswer:
    name: str
    county: str | None
    year: int | None
    status: str  # done | planned | mentioned
    score: float
    evidence: list[Evidence] = field(default_factory=list)

    @property
    def weak(self) -> bool:
        """In the main list on weaker evidence: worth checking against the source."""
        return self.status == "done" and max((e.support for e in self.evidence), default=0.0) < STRONG_SUPPORT


@dataclass
class Answer:
    question: str
    kind: str  # "townships" for 哪些乡镇… questions, "passages" otherwise
    answer: str
    townships: list[TownshipAnswer]
    sentences: list[Evidence]
    results: list[Hit]
    focus: str = "deeds"  # what the main list is made of: deeds, shortcomings ("哪些乡镇承认…不足") or plans
    # Townships not listed whose best examined sentence fell below the cut (status "candidate"): for a reviewer
    # to recover what the automatic answer missed. Not part of the answer itself.
    near: list[TownshipAnswer] = field(default_factory=list)

    @property
    def done(self) -> list[TownshipAnswer]:
        return [t for t in self.townships if t.status == "done"]

    @property
    def relevant_found(self) -> bool:
        """Whether anything answers the question: townships doing it, or a passage saying most of what is
        asked (search.relevance). If not, the passages are only the closest ones."""
        return bool(self.done) or any_relevant(self.results)

    @property
    def status_labels(self) -> dict[str, str]:
        return {**STATUS_LABELS, "done": _MAIN_LABELS[self.focus]}

    @property
    def about_shortcomings(self) -> bool:
        return self.focus == "shortcomings"

    def to_json(self) -> dict:
        return {
            "question": self.question, "kind": self.kind, "answer": self.answer,
            "focus": self.focus, "about_shortcomings": self.about_shortcomings,
            "relevant_found": self.relevant_found,
            "townships": [_township_json(t) for t in self.townships],
            "sentences": [_evidence_json(e) for e in self.sentences],
            "results": [hit.to_json() for hit in self.results],
        }


def answer_question(searcher, question: str, filters=None, top_k: int = 10, exemplars=None) -> Answer:
    """`exemplars` (search.exemplars.Exemplars, optional): reviewed sentences for this question that later
    answers follow: sentences close to a confirmed one are accepted, close to a rejected one are not."""
    question = check_question(question)
    analyzer = searcher.analyzer
    terms = analyzer.query_terms(question)
    idf = searcher.retrieval.idf
    alternatives = question_alternatives(analyzer, question, idf)
    ranking = searcher.rank(question, terms, CANDIDATES, "hybrid", filters)
    results = searcher.hits(ranking.top(top_k), terms)
    rate(results, alternatives, idf)
    candidates = _candidates(searcher, question, terms, ranking, filters)
    focus = question_focus(question)
    if exemplars is not None:
        for row, relevance in exemplars.rows(searcher, filters).items():
            candidates.setdefault(row, relevance)
    evidence, below_cut = _judge(searcher, question, alternatives, candidates, focus, exemplars)
    townships = _group(searcher, evidence)
    township_kind = is_township_question(question)
    best_sentences = _best_sentences(evidence)
    relevant = any_relevant(results)
    summary = _summary(question, townships, best_sentences, township_kind, focus, relevant)
    near = _near(searcher, below_cut, {(t.name, t.year) for t in townships})
    return Answer(question, "townships" if township_kind else "passages", summary, townships, best_sentences,
                  results, focus, near)


def _candidates(searcher, question, terms, ranking, filters) -> dict[int, float]:
    """Candidate rows with their fused relevance in [0, 1]."""
    rows = set(int(r) for r in ranking.rows)
    retrieval = searcher.retrieval
    _, strong = retrieval.keyword_top(terms, KEYWORD_CANDIDATES, searcher.scope(filters))
    rows.update(int(r) for r in strong)
    if not rows:
        return {}
    rows_array = np.array(sorted(rows), dtype=np.int64)
    query_vector = searcher.query_vector(question)
    fused = score_mix(rows_array, retrieval.keyword_scores(terms, rows_array),
                      retrieval.cosines(query_vector, rows_array))
    return {int(r): float(s) for r, s in zip(fused.rows, fused.scores)}


@dataclass
class _Sentence:
    record: object  # ChunkRecord
    start: int
    end: int
    cover: float
    numbers: list[str]
    relevance: float
    support: float = 0.0

    @property
    def text(self) -> str:
        return self.record.text[self.start:self.end]


def _judge(searcher, question, alternatives, candidates: dict[int, float], focus: str,
           exemplars=None) -> tuple[list[tuple[Evidence, str]], list[_Sentence]]:
    """Evidence with its status, and the examined sentences that were not worth showing."""
    sentences, extra = _covered_sentences(searcher, question, alternatives, candidates, exemplars)
    counting = is_count_question(question)
    _weigh_similarity(searcher, question, alternatives, sentences, extra)
    if exemplars is not None:
        for sentence in extra:  # looked at only for their wording: an exemplar has to vouch for them
            sentence.support = min(sentence.support, 0.0)
        sentences += extra
        exemplars.apply(searcher, sentences)
    best: dict[int, _Sentence] = {}
    below_cut = []
    for sentence in sentences:
        row = sentence.record.row
        worth_showing = sentence.support >= DONE_SUPPORT or sentence.cover >= MENTION_COVERAGE
        if not worth_showing:
            below_cut.append(sentence)
        elif row not in best or _score(sentence) > _score(best[row]):
            best[row] = sentence
    texts: dict[str, str] = {}
    judged = [(_evidence(searcher, sentence, texts),
               _status(sentence.record.role, sentence.text, sentence.support, focus, counting))
              for sentence in best.values()]
    return judged, below_cut


def _evidence(searcher, sentence: _Sentence, texts: dict[str, str]) -> Evidence:
    record = sentence.record
    if record.doc_id not in texts:
        texts[record.doc_id] = searcher.document(record.doc_id).text
    char_start, char_end = locate(texts[record.doc_id], sentence.text, record.char_start, record.char_end)
    return Evidence(record.id, searcher.document_info(record.doc_id).source, record.doc_id, record.text,
                    sentence.text, sentence.start, sentence.end, char_start, char_end,
                    round(_score(sentence), 4), round(sentence.cover, 3), sentence.numbers, record.role,
                    record.section_path, record.page, round(sentence.support, 4), record.page_end)


def _near(searcher, below_cut: list[_Sentence], listed: set[tuple]) -> list[TownshipAnswer]:
    """The best sentence below the cut of each township the answer does not list, best first."""
    best: dict[tuple, _Sentence] = {}
    for sentence in below_cut:
        document = searcher.document_info(sentence.record.doc_id)
        key = (document.township or f"（未识别乡镇：{document.source}）", document.year)
        if key not in listed and (key not in best or sentence.support > best[key].support):
            best[key] = sentence
    texts: dict[str, str] = {}
    near = [TownshipAnswer(name, searcher.document_info(s.record.doc_id).county, year, "candidate",
                           round(s.support, 4), [_evidence(searcher, s, texts)]) for (name, year), s in best.items()]
    return sorted(near, key=lambda t: -t.score)


def _covered_sentences(searcher, question, alternatives, candidates: dict[int, float],
                       exemplars=None) -> tuple[list[_Sentence], list[_Sentence]]:
    """Sentences of the candidate chunks that say enough of the question to be worth a closer look, best
    first, at most MAX_SENTENCES, and then those worded like a reviewed exemplar, whatever their cover. A
    sentence is read under its heading ("（三）加强普法宣传"), which often names the practice the sentence
    goes on to describe."""
    if not alternatives:
        return [], []
    counting = is_count_question(question)
    unit = question_unit(question)
    idf = searcher.retrieval.idf
    found, worded_like = [], []
    for record in searcher.stored.table.chunks(rows=list(candidates)):
        heading = record.section_path[-1] + "。" if record.section_path else ""
        for start, end in split_sentences(record.text):
            text = record.text[start:end]
            cover = max(coverage(heading + text, slots, weights, idf) for slots, weights in alternatives)
            numbers = number_phrases(text) if counting else []
            if counting and unit and any(n.endswith(unit) for n in numbers):
                cover = min(1.0, cover + 0.15)  # the count asked for is here
            sentence = _Sentence(record, start, end, cover, numbers, candidates[record.row])
            if cover >= SENTENCE_FLOOR:
                found.append(sentence)
            elif exemplars is not None and exemplars.worded_like(text):
                worded_like.append(sentence)
    found.sort(key=lambda s: -s.cover * (0.5 + 0.5 * s.relevance))
    extra = [s for s in found[MAX_SENTENCES:] if exemplars.worded_like(s.text)] + worded_like if exemplars else []
    return found[:MAX_SENTENCES], extra


def _weigh_similarity(searcher, question, alternatives, sentences: list[_Sentence],
                      extra: list[_Sentence] = ()) -> None:
    """support = cover + SIMILARITY_WEIGHT · (cosine − its reference) + TOKEN_WEIGHT · (token recall − its
    reference), each reference being the mean of the REFERENCE_TOP highest values for this question. Relative,
    because the model's similarities crowd together (cosines of 0.80–0.90 for related and unrelated report
    sentences alike), while their order within one question is informative: a sentence close to the best
    ones needs fewer of the question's words, a distant one more. The token recall says which of the
    question's words the sentence says in other words (search.token_match); the cosine, the sentence as a
    whole. The `extra` sentences are weighed against the same references without moving them."""
    if not sentences:
        return
    asked = asked_part(question)
    everything = list(sentences) + list(extra)
    statements = searcher.statements([asked] + [s.text for s in everything])
    asked_statement, found = statements[0], statements[1:]
    weights = token_weights(asked_statement, asked, alternatives)
    cosines = np.stack([s.vector for s in found]) @ searcher.query_vector(question).astype(np.float32)
    recalls = np.array(token_recalls(asked_statement, weights, found))
    cosine_reference = _reference(cosines[:len(sentences)])
    recall_reference = _reference(recalls[:len(sentences)])
    if searcher.model_name == DEFAULT_MODEL and weights.any():
        recall_reference = max(recall_reference, RECALL_FLOOR)
    for sentence, cosine, recall in zip(everything, cosines, recalls):
        sentence.support = (sentence.cover + SIMILARITY_WEIGHT * (float(cosine) - cosine_reference)
                            + TOKEN_WEIGHT * (float(recall) - recall_reference))


def _reference(values: np.ndarray) -> float:
    return float(np.sort(values)[::-1][:REFERENCE_TOP].mean())


def _score(sentence: _Sentence) -> float:
    return max(sentence.support, 0.0) * (0.5 + 0.5 * sentence.relevance)


def _status(role: str, sentence: str, support: float, focus: str = "deeds", counting: bool = False) -> str:
    """done | planned | mentioned; "done" is what the question asks for. For a question about shortcomings
    ("哪些乡镇承认执法力量薄弱") that is said in the 问题不足 part or admitted by the sentence itself, for one about
    plans ("哪些乡镇下一步打算完善学法制度") in the 下一步计划 part or as intent; elsewhere the subject is only
    mentioned. A counting question ("开展了多少场普法活动") is answered only by a sentence with a count."""
    plan = role == ROLE_PLAN or announces_plan(sentence)
    if focus == "plans":
        asked = plan
    elif plan:
        return "planned"
    elif focus == "shortcomings":
        asked = role == ROLE_PROBLEM or admits_shortcoming(sentence)
    else:
        asked = role != ROLE_PROBLEM
    if counting and not number_phrases(sentence):
        asked = False
    return "done" if asked and support >= DONE_SUPPORT else "mentioned"


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


def _summary(question: str, townships: list[TownshipAnswer], sentences: list[Evidence], township_kind: bool,
             focus: str = "deeds", relevant: bool = True) -> str:
    """`relevant`: whether some passage says most of what is asked (search.relevance); if none does and no
    township did it, the best sentence is offered as the closest one, not as the answer."""
    done = [t for t in townships if t.status == "done"]
    others = [t for t in townships if t.status != "done"]
    how = asks_how(question)
    # A yes/no or colloquial question with deeds found is answered like "哪些乡镇…": who did it, with evidence.
    if township_kind or (done and asks_yes_no(question) and not how):
        if not done:
            base = "未找到相关乡镇。"
        else:
            names = "、".join(f"{t.name}（{t.year}）" if t.year else t.name for t in done)
            where = "在下一步计划中提出" if focus == "plans" else "明确提到"
            base = f"共 {len(done)} 个乡镇{where}{topic_of(question)}：{names}。"
            if weak := sum(t.weak for t in done):
                base += f"其中 {weak} 个的依据较弱，已标“{WEAK_LABEL}”。"
        if others:
            base += f"另有 {len(others)} 个乡镇{others_label(focus)}，列在下方。"
        return base
    if not sentences:
        return "未找到相关内容。"
    if not relevant and not done:
        return f"没有找到明确回答这个问题的内容。最接近的一句：「{sentences[0].sentence}」（{sentences[0].source}）"
    if how:  # lead with a sentence that says how, not with a statistic
        best = next((e for e in sentences if not _DIGIT.search(e.sentence)), sentences[0])
        more = f"共 {len(done)} 个乡镇明确提到，列在下方。" if done else ""
        return f"主要做法：「{best.sentence}」（{best.source}）{more}"
    best = sentences[0]
    return f"最相关的依据：「{best.sentence}」（{best.source}）"


_DIGIT = re.compile(r"[0-9０-９]")


def _evidence_json(evidence: Evidence) -> dict:
    return asdict(evidence)


def _township_json(township: TownshipAnswer) -> dict:
    return {"name": township.name, "county": township.county, "year": township.year, "status": township.status,
            "weak": township.weak, "score": township.score,
            "evidence": [_evidence_json(e) for e in township.evidence]}
