"""rjieba (the default engine) gives jieba's tokens on the sample corpus and the shared dev set."""
from __future__ import annotations

from difflib import SequenceMatcher
from pathlib import Path

import pytest

from conftest import ROOT, SAMPLE
from ingest.clean import clean
from ingest.extract import extract_html, extract_text
from ingest.encoding import decode_bytes
from ingest.segment import get_segmenter

DEVSET = ROOT.parent / "shared" / "devset"
MIN_AGREEMENT = 0.9999


def agreement(texts: list[str]) -> tuple[int, int, list[tuple[str, list[str], list[str]]]]:
    """(tokens equal to jieba's, jieba's token count, a few differing documents)."""
    fast, ref = get_segmenter("rjieba"), get_segmenter("jieba")
    same = total = 0
    diffs = []
    for text in texts:
        a, b = fast.cut(text), ref.cut(text)
        total += len(b)
        if a == b:
            same += len(b)
            continue
        # Tokens that line up after aligning the two sequences count as equal; the rest do not.
        same += sum(m.size for m in SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
        if len(diffs) < 5:
            diffs.append((text[:40], [t for t in a if t not in b][:10], [t for t in b if t not in a][:10]))
    return same, total, diffs


def sample_texts() -> list[str]:
    texts = []
    for path in sorted(SAMPLE.iterdir()):
        if path.suffix == ".txt":
            texts.append(clean(extract_text(path.read_text("utf-8"))).text)
        elif path.suffix == ".html":
            html, _ = decode_bytes(path.read_bytes(), content_type=None, is_html=True)
            texts.append(clean(extract_html(html)).text)
    return texts


def devset_texts() -> list[str]:
    """Texts read in place from ../shared/devset (never copied into the repository)."""
    paths = [*sorted((DEVSET / "extraction").glob("*.expected.txt")),
             *sorted((DEVSET / "forum_html").glob("*.expected.txt")),
             *sorted((DEVSET / "dedup" / "docs").glob("*.txt"))]
    return [p.read_text("utf-8") for p in paths]


def test_rjieba_matches_jieba_on_the_sample_corpus():
    same, total, diffs = agreement(sample_texts())
    assert total > 10_000
    assert same / total >= MIN_AGREEMENT, diffs


@pytest.mark.skipif(not (DEVSET / "dedup" / "docs").is_dir(),
                    reason="../shared/devset is not present next to this checkout (it is not part of the repo)")
def test_rjieba_matches_jieba_on_the_devset():
    texts = devset_texts()
    assert len(texts) > 200
    same, total, diffs = agreement(texts)
    assert same / total >= MIN_AGREEMENT, (same, total, diffs)


def test_user_dictionary_is_honoured_by_both_engines():
    text = "加快发展新质生产力，坚定拥护“两个确立”、坚决做到“两个维护”。"
    for engine in ("rjieba", "jieba"):
        tokens = get_segmenter(engine).cut(text)
        assert {"新质生产力", "两个确立", "两个维护"} <= set(tokens), (engine, tokens)
