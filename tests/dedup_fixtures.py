"""Helpers for dedup tests: the bundled sample speeches and the repost variants made from them."""
from __future__ import annotations

import random
import re
from pathlib import Path

import pytest
from opencc import OpenCC

from ingest.dedup import Candidate, MemoryState, assign_clusters, fingerprint_batch

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "ingest" / "data" / "sample"


def body_paragraphs(name: str) -> list[str]:
    """Paragraphs of a sample speech (long lines only: no titles, headers or footers)."""
    text = next(SAMPLE.glob(f"{name}_*.txt")).read_text("utf-8")
    return [line.strip() for line in text.splitlines() if len(line.strip()) >= 60]


class Variants:
    """Reposts of one text, each applying one transformation the issue names."""

    def __init__(self, paragraphs: list[str], title: str = "在全市工作会议上的讲话") -> None:
        self.paras = paragraphs
        self.title = title

    def original(self) -> str:
        return "\n".join([self.title, *self.paras])

    def traditional(self, config: str = "s2hk") -> str:
        return OpenCC(config).convert(self.original())

    def halfwidth(self) -> str:
        return self.original().translate(str.maketrans("，。：；！？（）“”", ",.:;!?()\"\""))

    def masked(self) -> str:
        text = re.sub(r"([\u4e00-\u9fff]{2})(书记|市长|主任)", r"**\2", self.original())
        return re.sub(r"[\u4e00-\u9fff]{2}市", "XX市", text, count=5)

    def dropped_paragraph(self, index: int = 2) -> str:
        return "\n".join([self.title, *self.paras[:index], *self.paras[index + 1 :]])

    def retitled(self) -> str:
        return "\n".join(["【转】范文参考｜" + self.title + "（全文发布）", *self.paras])

    def forum(self) -> str:
        return "\n".join(["秘途杂谈 发表于 2024-7-4 09:18:46", self.title, *self.paras,
                          "查看完整版本: " + self.title, "页: [1]"])

    def layout(self) -> str:
        merged = "".join(self.paras)
        return "\n".join(["　　" + merged[i : i + 33] for i in range(0, len(merged), 33)])

    def edited(self, rate: float = 0.015, seed: int = 7) -> str:
        rng = random.Random(seed)
        chars = list(self.original())
        for i in rng.sample(range(len(chars)), int(len(chars) * rate)):
            chars[i] = "的" if chars[i] != "的" else "了"
        return "".join(chars)

    def excerpt(self, share: float = 0.6) -> str:
        keep = max(1, round(len(self.paras) * share))
        return "\n".join([self.title, *self.paras[:keep], "（未完待续）"])

    def quote(self, start: int = 2, count: int = 2) -> str:
        return "\n".join(["【读文摘录】以下段落摘自一篇讲话，供大家交流：", *self.paras[start : start + count],
                          "大家表示，这些内容对今后的工作很有启发。"])

    def with_recommendations(self, titles: list[str]) -> str:
        return "\n".join([self.original(), "", "猜你喜欢：", *("▪ " + t for t in titles)])


@pytest.fixture(scope="session")
def speeches() -> dict[str, Variants]:
    """Imported by the test modules that use it (a conftest here would shadow tests/conftest.py)."""
    return {name: Variants(body_paragraphs(name)) for name in ("000", "001", "002", "003", "004")}


def candidates(texts: dict[str, str], **meta) -> list[Candidate]:
    ids = sorted(texts)
    fps = fingerprint_batch([texts[d] for d in ids])
    return [Candidate(d, fp, texts[d], **meta.get(d, {})) for d, fp in zip(ids, fps)]


def ingest(state: MemoryState, texts: dict[str, str], **meta):
    """One run against an in-memory state, the way the pipeline runs against the warehouse."""
    new = candidates(texts, **meta)
    plan = assign_clusters(new, state.prior_for(new), state.fetch_texts, reuse=state)
    state.apply(plan)
    return plan


def plan_facts(plan):
    """Everything a plan decided: assignments, updates, links, counts and text-reuse spans."""
    occ = plan.occurrences
    spans = (occ.doc_ids, occ.clusters, *(getattr(occ, k).tolist() for k in
                                          ("passage_key", "start", "end", "sentences", "link_values", "link_offsets")))
    return plan.assignments, plan.updates, plan.links, plan.stats, spans, occ.touched


def two_runs(docs: dict[str, str], start_helper=None):
    """The corpus in two runs (the second against the first's state, so earlier documents' texts
    are folded again): each plan's facts, and the clusters at the end."""
    state, facts = MemoryState(), []
    ids = sorted(docs)
    for part in (ids[::2], ids[1::2]):
        new = candidates({d: docs[d] for d in part})
        plan = assign_clusters(new, state.prior_for(new), state.fetch_texts, reuse=state, start_helper=start_helper)
        state.apply(plan)
        facts.append(plan_facts(plan))
    return facts, state.clusters()


def partition(clusters: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for doc, cluster in clusters.items():
        groups.setdefault(cluster, set()).add(doc)
    return {frozenset(g) for g in groups.values()}


def write_devset(root: Path, speeches: dict[str, Variants]) -> Path:
    """A tiny corpus in the dev-set layout (docs/, labels.csv, meta.csv) made from the samples."""
    docs = root / "docs"
    docs.mkdir(parents=True)
    rows = []
    for name in ("002", "003", "004"):
        v = speeches[name]
        for kind, text in (("original", v.original()), ("trad", v.traditional()), ("halfwidth", v.halfwidth()),
                           ("forum", v.forum()), ("excerpt", v.excerpt(0.6)), ("dropped", v.dropped_paragraph())):
            rows.append((f"{name}_{kind}.txt", f"S{name}", "speeches", kind))
            (docs / rows[-1][0]).write_text(text, encoding="utf-8")
    rows.append(("q004_quote.txt", "Q004", "speeches", "partial_quote_of=S004"))
    (docs / rows[-1][0]).write_text(speeches["004"].quote(start=8, count=4), encoding="utf-8")
    (root / "labels.csv").write_text("file,cluster_id\n" + "".join(f"{f},{c}\n" for f, c, _, _ in rows), "utf-8")
    (root / "meta.csv").write_text("file,cluster_id,topic_group,role,transforms\n" + "".join(
        f"{f},{c},{t},{'original' if k == 'original' else 'variant'},{'' if k == 'original' else k}\n"
        for f, c, t, k in rows), "utf-8")
    return root
