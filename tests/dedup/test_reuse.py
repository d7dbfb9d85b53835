"""Sentence keys: offsets into the original text, script-independent, chrome excluded."""
from dedup_fixtures import speeches  # noqa: F401 (fixture)
from opencc import OpenCC

from ingest.dedup.reuse import passages


def test_offsets_point_into_the_text(speeches):
    text = speeches["003"].original()
    found = passages(text)
    assert len(found) > 20
    for p in found:
        sentence = text[p.start : p.end]
        assert sentence and sentence == sentence.strip() and "\n" not in sentence


def test_traditional_and_halfwidth_copies_share_keys(speeches):
    v = speeches["003"]
    keys = {p.key for p in passages(v.original())}
    assert len(keys & {p.key for p in passages(OpenCC("s2hk").convert(v.original()))}) >= 0.9 * len(keys)
    assert len(keys & {p.key for p in passages(v.halfwidth())}) >= 0.9 * len(keys)


def test_short_sentences_and_chrome_give_no_passage():
    text = "同志们：\n【版权说明】本站部分内容由用户上传或转载自互联网，仅供参考学习，不代表本站观点，如有侵权请联系删除。\n好。"
    assert passages(text) == []


def _tricky_texts():
    import random

    rng = random.Random(11)
    # sentences long enough to count, with masks, digits, dots, whitespace and chrome at their edges
    pieces = ["中华人民共和国国务院总理李强", "x", "X", "xx", "××", "**", "○○", "1.", ".5", "。", "；", ". ", "！",
              "?", " ", "\n", "  \n", "\t", "\r", "\u3000", "abc", "Ｘ", "ｘ学院", "發表於", "今日推荐", "\x00"]
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 40))) for _ in range(3000)]


def test_passages_from_the_shared_fold_equal_those_folded_sentence_by_sentence():
    from ingest.dedup.matching import prepare
    from ingest.dedup.reuse import MIN_PASSAGE_CHARS, _passages_by_sentence

    for text in _tricky_texts():
        assert passages(text) == _passages_by_sentence(prepare(text), MIN_PASSAGE_CHARS), text
