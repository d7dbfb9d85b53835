"""The benchmark's corpus generator is deterministic and makes speech-like files with reposts."""
from __future__ import annotations

import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from gen_corpus import corpus_digest, generate  # noqa: E402


def test_same_seed_same_corpus(tmp_path):
    a = generate(tmp_path / "a", 300_000, seed=7)
    b = generate(tmp_path / "b", 300_000, seed=7)
    assert a["files"] == b["files"] and a["bytes"] == b["bytes"]
    assert corpus_digest(tmp_path / "a") == corpus_digest(tmp_path / "b")


def test_other_seed_other_corpus(tmp_path):
    generate(tmp_path / "a", 200_000, seed=7)
    generate(tmp_path / "b", 200_000, seed=8)
    assert corpus_digest(tmp_path / "a") != corpus_digest(tmp_path / "b")


def test_speeches_and_reposts_look_like_the_real_input(tmp_path):
    info = generate(tmp_path / "c", 1_000_000, seed=11)
    files = sorted((tmp_path / "c").rglob("*.txt"))
    assert info["bytes"] >= 1_000_000 and len(files) == info["files"]
    assert 0.04 <= info["reposts"] / info["files"] <= 0.2
    speeches = [f for f in files if f.name.startswith("speech_")]
    for f in speeches[:50]:
        lines = [l for l in f.read_text("utf-8").splitlines() if l.strip()]
        # title (maybe repeated) then 6-24 paragraphs
        assert 7 <= len(lines) <= 26, f
    reposts = [f.read_text("utf-8") for f in files if f.name.startswith("repost_")]
    assert any(" 发表于 " in r and "页: [1]" in r for r in reposts)
    assert any("责编：" in r for r in reposts)
