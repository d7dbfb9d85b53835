"""Segmentation: domain terms stay whole, and rjieba's tokens match jieba's."""
import pytest

from conftest import SAMPLE
from ingest.clean import clean
from ingest.extract import extract_text
from ingest.segment import get_segmenter, user_dictionary

TERMS = ["新质生产力", "两个确立", "两个维护", "四个意识", "四个自信", "三高四新", "全面从严治党", "第一议题",
         "专精特新", "主题教育"]


def test_dictionary_is_versioned_and_large_enough():
    version, terms = user_dictionary()
    assert version != "unversioned"
    assert len(terms) >= 150
    assert set(TERMS) <= {t for t, _ in terms}


@pytest.mark.parametrize("engine", ["rjieba", "jieba"])
@pytest.mark.parametrize("term", TERMS)
def test_domain_terms_stay_whole(engine, term):
    tokens = get_segmenter(engine).cut(f"要坚持{term}，推动工作落实。")
    assert term in tokens


def test_ascii_runs_split_like_jieba():
    text = "2020-5-12 COVID-19 营收1.99万亿元，占比41.4%"
    assert get_segmenter("rjieba").cut(text) == get_segmenter("jieba").cut(text)


def test_rjieba_matches_jieba_on_sample_corpus():
    fast, ref = get_segmenter("rjieba"), get_segmenter("jieba")
    same = total = 0
    for path in sorted(SAMPLE.glob("*.txt")):
        text = clean(extract_text(path.read_text("utf-8"))).text
        a, b = fast.cut(text), ref.cut(text)
        total += len(b)
        same += sum(1 for x, y in zip(a, b) if x == y) if len(a) == len(b) else 0
    assert same / total >= 0.9999


def test_unknown_engine_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown segmenter"):
        get_segmenter("nope")
