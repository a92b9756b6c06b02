"""Token recall: the question's weighted words matched with the closest tokens of a sentence."""
import numpy as np
import pytest

from indexer.analyzer import Concept
from indexer.embed import Statement
from search.question import Slot
from search.token_match import token_recall, token_weights


def statement(vectors, spans=None):
    tokens = np.asarray(vectors, np.float32)
    tokens /= np.linalg.norm(tokens, axis=1, keepdims=True)
    spans = spans if spans is not None else [(i, i + 1) for i in range(len(tokens))]
    return Statement(tokens.mean(axis=0), tokens.astype(np.float16), np.array(spans, np.int32).reshape(-1, 2))


def test_a_token_weighs_as_much_as_the_heaviest_question_word_it_is_part_of():
    text = "哪些乡镇聘请法律顾问"
    question = statement(np.eye(5), [(0, 2), (2, 4), (4, 6), (6, 8), (8, 10)])  # 哪些 乡镇 聘请 法律 顾问
    alternatives = [([Slot.of(Concept("聘请", ("聘请",), (), is_verb=True)),
                      Slot.of(Concept("法律顾问", ("法律顾问",), ("法律", "顾问")))], [[[0.9]], [[3.0]]]),
                    ([Slot.of(Concept("顾问", ("顾问",), ()))], [[[2.0]]])]
    assert token_weights(question, text, alternatives).tolist() == pytest.approx([0, 0, 0.9, 3.0, 3.0])


def test_full_width_question_text_is_folded_like_its_words():
    question = statement(np.eye(2), [(0, 3), (3, 5)])
    alternatives = [([Slot.of(Concept("12345", ("12345",), ()))], [[[2.0]]])]
    assert token_weights(question, "１２３４５", alternatives).tolist() == [2.0, 2.0]


def test_recall_is_the_weighted_mean_of_each_words_best_match():
    question = statement([[1, 0, 0], [0, 1, 0]])
    weights = np.array([3.0, 1.0], np.float32)
    says_both = statement([[0, 0, 1], [0, 1, 0], [1, 0, 0]])
    says_the_light_word = statement([[0, 1, 0], [0, 0, 1]])
    near_the_heavy_word = statement([[0.8, 0, 0.6]])
    assert token_recall(question, weights, says_both) == pytest.approx(1.0)
    assert token_recall(question, weights, says_the_light_word) == pytest.approx(0.25)
    assert token_recall(question, weights, near_the_heavy_word) == pytest.approx(0.6, abs=1e-3)


def test_nothing_to_match_gives_zero():
    question = statement([[1, 0]])
    empty = Statement(np.ones(2, np.float32), np.zeros((0, 2), np.float16), np.zeros((0, 2), np.int32))
    assert token_recall(question, np.array([1.0], np.float32), empty) == 0.0
    assert token_recall(question, np.array([0.0], np.float32), statement([[1, 0]])) == 0.0


@pytest.mark.model
def test_the_model_matches_a_word_said_otherwise_better_than_an_unrelated_one(embedder):
    question, close, unrelated = embedder.encode_statements(
        ["组织干部旁听庭审", "组织机关干部旁听行政诉讼案件庭审", "开展防溺水安全教育"])
    weights = np.ones(len(question.tokens), np.float32)
    assert token_recall(question, weights, question) == pytest.approx(1.0, abs=1e-2)
    assert token_recall(question, weights, close) > token_recall(question, weights, unrelated) + 0.1
