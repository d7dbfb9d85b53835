"""The dedup scorer: pairwise and B-cubed P/R/F1, hard negatives and per-transform recall."""
import pytest

from ingest.evaluation.dedup import format_score, read_labels, score, transform_key

GOLD = {"a": "X", "b": "X", "c": "X", "d": "Y", "e": "Y", "f": "Z"}
META = {
    "a": {"topic_group": "t1", "role": "original", "transforms": ""},
    "b": {"topic_group": "t1", "role": "variant", "transforms": "opencc_s2t;mask_x(n=3)"},
    "c": {"topic_group": "t1", "role": "variant", "transforms": "excerpt_first_4_paras(heavy)"},
    "d": {"topic_group": "t1", "role": "original", "transforms": ""},
    "e": {"topic_group": "t1", "role": "variant", "transforms": "punct_fw2hw[，：]@0.8"},
    "f": {"topic_group": "t2", "role": "original", "transforms": ""},
}


def test_perfect_prediction():
    s = score(GOLD, dict(GOLD), META)
    assert s.pairwise == (1.0, 1.0, 1.0) and s.bcubed == (1.0, 1.0, 1.0)
    assert s.hard_negative_merges == 0 and s.hard_negative_pairs == 6


def test_split_and_merge_counts():
    # c split off; d and e merged into X
    pred = {"a": "1", "b": "1", "c": "2", "d": "1", "e": "1", "f": "3"}
    s = score(GOLD, pred, META)
    # gold pairs: ab ac bc de = 4; predicted: abde choose 2 = 6; true: ab de = 2
    assert s.pairwise[0] == pytest.approx(2 / 6) and s.pairwise[1] == pytest.approx(2 / 4)
    assert s.hard_negative_merges == 4 and s.other_false_merges == 0
    assert s.per_transform["excerpt(heavy)"] == (0, 1)
    assert s.per_transform["opencc_s2t"] == (1, 1) and s.per_transform["punct_fw2hw"] == (1, 1)
    bp = (2 / 4 + 2 / 4 + 1 + 2 / 4 + 2 / 4 + 1) / 6
    assert s.bcubed[0] == pytest.approx(bp)


def test_missing_files_are_singletons_and_the_last_line_is_pairwise_f1():
    s = score(GOLD, {"a": "1", "b": "1"}, None)
    assert s.missing == 4 and s.pairwise[0] == 1.0 and s.pairwise[1] == pytest.approx(1 / 4)
    assert format_score(s).splitlines()[-1] == f"{s.pairwise[2]:.4f}"


def test_transform_keys_and_label_files(tmp_path):
    assert transform_key("excerpt_first_7_paras") == "excerpt"
    assert transform_key("partial_quote_of=D008(paras 13-16)") == "partial_quote (own cluster)"
    assert transform_key("mask_star(n=2)") == "mask_star"
    path = tmp_path / "labels.csv"
    path.write_text("file,cluster_id\ndocs/a.txt,X\nb.txt,Y\n", encoding="utf-8")
    assert read_labels(str(path)) == {"a.txt": "X", "b.txt": "Y"}
