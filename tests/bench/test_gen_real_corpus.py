"""The real-paragraph corpus generator: deterministic, documents of 6-24 paragraphs, ~10% reposts."""
from __future__ import annotations

import sys

from conftest import ROOT, SAMPLE

sys.path.insert(0, str(ROOT / "bench"))
import gen_real_corpus  # noqa: E402
from gen_corpus import corpus_digest  # noqa: E402


def fake_devset(root):
    """A directory in the dev set's layout, made of the bundled sample (the real one is not ours to copy)."""
    docs = root / "dedup" / "docs"
    docs.mkdir(parents=True)
    for path in sorted(SAMPLE.glob("*.txt")):
        (docs / path.name).write_text(path.read_text("utf-8"), "utf-8")
    return root


def test_same_devset_and_seed_same_corpus(tmp_path):
    devset = fake_devset(tmp_path / "devset")
    a = gen_real_corpus.generate(tmp_path / "a", 400_000, devset, seed=3)
    b = gen_real_corpus.generate(tmp_path / "b", 400_000, devset, seed=3)
    assert a == {**b, "dir": a["dir"]} and corpus_digest(tmp_path / "a") == corpus_digest(tmp_path / "b")
    gen_real_corpus.generate(tmp_path / "c", 400_000, devset, seed=4)
    assert corpus_digest(tmp_path / "c") != corpus_digest(tmp_path / "a")


def test_documents_are_6_to_24_dev_set_paragraphs_with_reposts(tmp_path):
    devset = fake_devset(tmp_path / "devset")
    paragraphs = set(gen_real_corpus.load_paragraphs(devset / "dedup" / "docs"))
    info = gen_real_corpus.generate(tmp_path / "out", 1_000_000, devset, seed=5)
    files = sorted((tmp_path / "out").rglob("*.txt"))
    assert len(files) == info["files"] and 0.04 <= info["reposts"] / info["files"] <= 0.2
    for f in [f for f in files if f.name.startswith("doc_")][:100]:
        lines = [line for line in f.read_text("utf-8").splitlines() if line.strip()]
        body = [line for line in lines[1:] if line in paragraphs]
        assert 6 <= len(body) <= 24 and len(body) >= len(lines) - 3, f


def test_the_devset_is_found_where_named_or_reported_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCH_DEVSET", str(fake_devset(tmp_path / "named")))
    assert gen_real_corpus.find_devset() == tmp_path / "named"
    monkeypatch.setenv("BENCH_DEVSET", str(tmp_path / "nowhere"))
    assert gen_real_corpus.find_devset() is None
