"""Coverage of a question's slots by a sentence: rarity weights, synonyms, compounds written apart."""
import pytest

from indexer.analyzer import Concept
from search.coverage import coverage, slot_weights
from search.question import Slot


@pytest.mark.model
def test_coverage_weighs_rare_words_and_synonyms(sample_searcher):
    slots = [Slot.of(c) for c in sample_searcher.analyzer.query_concepts("哪些乡镇聘请了律师")]
    idf = sample_searcher.retrieval.idf
    weights = slot_weights(slots, idf)
    assert coverage("聘用法律顾问1名", slots, weights, idf) == 1.0
    assert coverage("开展普法宣传", slots, weights, idf) == 0.0


def test_a_compound_written_apart_counts_almost_fully():
    slots = [Slot.of(Concept("旁听庭审", ("旁听庭审",), ("旁听", "庭审"))), Slot.of(Concept("干部", ("干部",), ()))]
    weights = [[[3.0]], [[1.0]]]
    idf = {"旁听": 2.0, "庭审": 2.0}.get
    assert coverage("组织执法骨干旁听行政诉讼庭审4次", slots, weights, idf) == pytest.approx(0.9 * 3 / 4)
    assert coverage("组织干部旁听庭审", slots, weights, idf) == 1.0
    # pieces far apart or out of order are only partial evidence
    assert coverage("庭审结束后组织旁听", slots, weights, idf) < 0.6
    assert coverage("旁听了党委会议，会议要求各村规范开展庭审", slots, weights, idf) < 0.6


def test_a_known_part_of_an_unknown_compound_is_not_the_compound():
    """海关监管 is in no report; a sentence about 监管 says nothing about 海关."""
    slots = [Slot.of(Concept("海关监管", ("海关监管",), ("海关", "监管")))]
    idf = {"监管": 3.0}.get
    weights = slot_weights(slots, idf)
    assert coverage("加强市场监管", slots, weights, idf) == pytest.approx(0.7 * 0.5)
    assert coverage("海关监管点设在镇上", slots, weights, idf) == 1.0


def test_a_title_is_matched_as_written_and_weighs_as_its_rarest_part():
    """《行政处罚法》 is not 《行政法》; its weight comes from 行政处罚, as the whole title is in no chunk."""
    from indexer.analyzer import TITLE_FLAG, get_analyzer

    title = get_analyzer().concept("行政处罚法", TITLE_FLAG)
    assert title.quoted and "行政处罚" in title.parts
    slots = [Slot.of(title), Slot.of(Concept("干部", ("干部",), ()))]
    idf = {"行政处罚": 3.0, "行政": 1.0, "处罚": 2.0, "干部": 1.0}.get
    weights = slot_weights(slots, idf)
    assert weights == [[[3.0]], [[1.0]]]
    assert coverage("组织干部学习《行政法》", slots, weights, idf) == pytest.approx(0.25)
    assert coverage("组织干部学习《中华人民共和国行政处罚法》", slots, weights, idf) == 1.0


def test_a_compound_with_a_part_no_chunk_contains_is_not_weighed_by_its_common_part():
    """法治副校长: 副校长 is in no report and 法治 in every one; the compound weighs as an unknown word does."""
    slots = [Slot.of(Concept("辖区", ("辖区",), ())), Slot.of(Concept("法治副校长", ("法治副校长",), ("法治", "副校长")))]
    idf = {"辖区": 3.0, "法治": 0.1}.get
    weights = slot_weights(slots, idf)
    assert weights == [[[3.0]], [[3.0]]]
    assert coverage("要求辖区各村成立依法治理的组织机构", slots, weights, idf) < 0.7  # was 0.98 (辖区 alone)
