import numpy as np

from search.fuse import reciprocal_rank, score_mix


def test_score_mix_needs_both_sides_to_agree_for_the_top_place():
    rows = np.array([10, 11, 12])
    keyword = np.array([5.0, 4.0, 0.0], dtype=np.float32)
    dense = np.array([0.70, 0.90, 0.95], dtype=np.float32)
    ranking = score_mix(rows, keyword, dense, keyword_weight=0.5)
    assert list(ranking.rows) == [11, 10, 12]
    assert ranking.scores[0] <= 1.0


def test_score_mix_without_keyword_matches_falls_back_to_the_dense_order():
    ranking = score_mix(np.array([1, 2]), np.zeros(2, np.float32), np.array([0.2, 0.8], np.float32))
    assert list(ranking.rows) == [2, 1]


def test_reciprocal_rank_gives_no_keyword_share_to_rows_without_keywords():
    rows = np.array([1, 2, 3])
    ranking = reciprocal_rank(rows, np.array([0.0, 2.0, 1.0]), np.array([0.9, 0.1, 0.5]), keyword_weight=0.5)
    assert ranking.rows[-1] == 1  # first on the dense side, but nothing for the keyword side


def test_empty_candidates():
    assert len(score_mix(np.zeros(0, np.int64), np.zeros(0), np.zeros(0)).rows) == 0
