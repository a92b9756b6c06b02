"""Township answers on the sample corpus with the real model."""
import pytest

from indexer.analyzer import Concept
from search.answer import _status
from search.coverage import coverage, slot_weights
from search.question import Slot, is_township_question, topic_of

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
def test_nothing_found_is_said_plainly(sample_searcher):
    answer = sample_searcher.ask("哪些乡镇建成了核电站")
    assert answer.done == [] and answer.answer.startswith("未找到相关乡镇")


def test_question_kinds_and_topics():
    assert is_township_question("哪些乡镇开展了宪法宣传") and not is_township_question("信访矛盾怎么化解")
    assert topic_of("哪些乡镇聘请了法律顾问？") == "聘请法律顾问"
    assert topic_of("有哪些街道开展了宪法宣传") == "开展宪法宣传"


def test_status_rules():
    assert _status("下一步计划", "健全政府法律顾问制度。", 1.0) == "planned"
    assert _status("做法成效", "下一步将聘请法律顾问。", 1.0) == "planned"
    assert _status("问题不足", "法律顾问作用发挥不够。", 1.0) == "mentioned"
    assert _status("做法成效", "聘请法律顾问1名。", 0.3) == "mentioned"
    assert _status("做法成效", "聘请法律顾问1名。", 0.9) == "done"


@pytest.mark.model
def test_coverage_weighs_rare_words_and_synonyms(sample_searcher):
    slots = [Slot.of(c) for c in sample_searcher.analyzer.query_concepts("哪些乡镇聘请了律师")]
    idf = sample_searcher.stored.bm25.idf
    weights = slot_weights(slots, idf)
    assert coverage("聘用法律顾问1名", slots, weights, idf) == 1.0
    assert coverage("开展普法宣传", slots, weights, idf) == 0.0


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


def test_a_compound_written_apart_counts_almost_fully():
    slots = [Slot.of(Concept("旁听庭审", ("旁听庭审",), ("旁听", "庭审"))), Slot.of(Concept("干部", ("干部",), ()))]
    weights = [[[3.0]], [[1.0]]]
    idf = {"旁听": 2.0, "庭审": 2.0}.get
    assert coverage("组织执法骨干旁听行政诉讼庭审4次", slots, weights, idf) == pytest.approx(0.9 * 3 / 4)
    assert coverage("组织干部旁听庭审", slots, weights, idf) == 1.0
    # pieces far apart or out of order are only partial evidence
    assert coverage("庭审结束后组织旁听", slots, weights, idf) < 0.6
    assert coverage("旁听了党委会议，会议要求各村规范开展庭审", slots, weights, idf) < 0.6


def test_a_question_with_alternatives_is_judged_per_alternative():
    from search.question import alternatives_of

    assert alternatives_of("哪些乡镇给执法人员培训，或者组织执法资格考试") == ["哪些乡镇给执法人员培训", "组织执法资格考试"]
    assert alternatives_of("哪些乡镇聘请了法律顾问") == ["哪些乡镇聘请了法律顾问"]


def _readings(question):
    from indexer.analyzer import get_analyzer
    from search.question import question_slots

    return [[slot.word for slot in slots] for slots in question_slots(get_analyzer(), question)]


def test_listed_items_fill_one_slot_and_share_the_words_around_them():
    assert _readings("哪些乡镇用广播、电子大屏这些来放普法宣传内容") == [["广播或电子大屏", "来放", "普法宣传", "内容"]]
    # 或 inside a 、 list joins items, not clauses: 律师 alone is not the question
    assert _readings("哪些乡镇请了律师、法律专家或者司法所的人来给干部讲法律课") == [
        ["请", "律师或法律专家或司法所", "人", "来", "干部", "讲", "法律课"]]
    # examples after 比如 are items too, and the glue verb (搞) before one is passed over
    assert _readings("哪些乡镇管了村里的钱，比如设村务监督委员会、搞村务公开")[0][-1] == "设村务监督委员会或村务公开"


def test_coordinated_verbs_share_their_object_instead_of_splitting_the_question():
    assert _readings("哪些乡镇培育或培训了法律明白人") == [["培育或培训", "法律明白人"]]
    first, second = _readings("哪些乡镇给执法人员培训，或者组织执法资格考试")
    assert "执法人员" in first and "执法人员" not in second


def test_a_bare_or_between_predicates_is_read_both_ways():
    readings = _readings("哪些乡镇的规范性文件做了合法性审查或者报了备案")
    assert readings[0][-1] == "合法性审查或报备案"  # a noun item: the item after 或 runs on past 了
    assert ["报", "备案"] in readings
    # a list whose items are not runs of plain content words is no list: its words stay slots of their own
    assert _readings("哪些乡镇派人下到村里、上老百姓家里去送法")[0][:4] == ["派", "人", "下到", "村里"]
