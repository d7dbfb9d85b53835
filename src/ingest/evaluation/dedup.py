"""Scoring duplicate clusters against gold labels: pairwise and B-cubed P/R/F1, hard negatives, per transform.

Same definitions as devset/score_dedup.py (which stays the reference): a file missing from the
prediction is its own singleton; hard negatives are pairs with the same topic_group but
different gold clusters; per-transform recall asks whether a variant shares its predicted
cluster with at least one other member of its gold cluster.
"""
from __future__ import annotations

import csv
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field


def read_labels(path: str) -> dict[str, str]:
    """file -> cluster from a `file,cluster_id` CSV (header optional, basenames as keys)."""
    out: dict[str, str] = {}
    with open(path, newline="", encoding="utf-8-sig") as fh:
        for row in csv.reader(fh):
            if len(row) < 2:
                continue
            f, c = row[0].strip(), row[1].strip()
            if f.lower() == "file" and c.lower() in ("cluster_id", "cluster"):
                continue
            out[os.path.basename(f)] = c
    return out


def read_meta(path: str) -> dict[str, dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return {row["file"]: row for row in csv.DictReader(fh)}


def _c2(n: int) -> int:
    return n * (n - 1) // 2


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def transform_key(tag: str) -> str:
    key = tag.split("[")[0].split("(")[0].split("@")[0]
    if key.startswith("excerpt_first"):
        return "excerpt(heavy)" if "heavy" in tag else "excerpt"
    if key.startswith("partial_quote_of"):
        return "partial_quote (own cluster)"
    return key


@dataclass
class DedupScore:
    documents: int
    gold_clusters: int
    predicted_clusters: int
    missing: int
    pairwise: tuple[float, float, float]
    bcubed: tuple[float, float, float]
    hard_negative_pairs: int = 0
    hard_negative_merges: int = 0
    other_false_merges: int = 0
    merged_examples: list[tuple[str, str, str, int]] = field(default_factory=list)
    per_transform: dict[str, tuple[int, int]] = field(default_factory=dict)


def score(gold: dict[str, str], predicted: dict[str, str], meta: dict[str, dict] | None = None) -> DedupScore:
    files = sorted(gold)
    pred = {f: "P:" + predicted[f] if f in predicted else "MISSING:" + f for f in files}
    cont = Counter((gold[f], pred[f]) for f in files)
    gsize = Counter(gold[f] for f in files)
    psize = Counter(pred[f] for f in files)
    tp = sum(_c2(v) for v in cont.values())
    gp = sum(_c2(v) for v in gsize.values())
    pp = sum(_c2(v) for v in psize.values())
    p = tp / pp if pp else 1.0
    r = tp / gp if gp else 1.0
    n = len(files) or 1
    bp = sum(cont[(gold[f], pred[f])] / psize[pred[f]] for f in files) / n
    br = sum(cont[(gold[f], pred[f])] / gsize[gold[f]] for f in files) / n
    out = DedupScore(len(files), len(gsize), len(psize), sum(1 for f in files if f not in predicted),
                     (p, r, _f1(p, r)), (bp, br, _f1(bp, br)))
    if not meta:
        return out
    by_topic: dict[str, list[str]] = defaultdict(list)
    for f in files:
        if f in meta:
            by_topic[meta[f]["topic_group"]].append(f)
    examples: Counter = Counter()
    for topic, fl in by_topic.items():
        for i, x in enumerate(fl):
            for y in fl[i + 1 :]:
                if gold[x] != gold[y]:
                    out.hard_negative_pairs += 1
                    if pred[x] == pred[y]:
                        out.hard_negative_merges += 1
                        examples[(topic, *sorted((gold[x], gold[y])))] += 1
    out.other_false_merges = (pp - tp) - out.hard_negative_merges
    out.merged_examples = [(t, a, b, k) for (t, a, b), k in examples.most_common(20)]
    stat: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for f in files:
        m = meta.get(f)
        if not m or gsize[gold[f]] < 2:
            continue
        ok = cont[(gold[f], pred[f])] >= 2
        for tag in [t for t in m["transforms"].split(";") if t] or [m["role"]]:
            stat[transform_key(tag)][0] += ok
            stat[transform_key(tag)][1] += 1
    out.per_transform = {k: (v[0], v[1]) for k, v in stat.items()}
    return out


def format_score(s: DedupScore, verbose: bool = False) -> str:
    lines = [
        f"documents={s.documents} gold_clusters={s.gold_clusters} predicted_clusters={s.predicted_clusters}"
        f" missing_in_pred={s.missing}",
        "pairwise  P={:.4f} R={:.4f} F1={:.4f}".format(*s.pairwise),
        "B-cubed   P={:.4f} R={:.4f} F1={:.4f}".format(*s.bcubed),
    ]
    if s.per_transform or s.hard_negative_pairs:
        rate = s.hard_negative_merges / s.hard_negative_pairs if s.hard_negative_pairs else 0.0
        lines.append(f"hard negatives (same topic_group, different text): pairs={s.hard_negative_pairs}"
                     f" wrongly_merged={s.hard_negative_merges} rate={rate:.4f};"
                     f" other false-merge pairs={s.other_false_merges}")
        if verbose:
            lines += [f"   merged {a} + {b} ({t}): {k} pairs" for t, a, b, k in s.merged_examples]
        lines.append("doc-level recall by transform (variant joined >=1 member of its gold cluster):")
        for k, (ok, tot) in sorted(s.per_transform.items(), key=lambda kv: (kv[1][0] / kv[1][1], kv[0])):
            lines.append(f"   {k:<40s} {ok:4d}/{tot:<4d} {ok / tot:.3f}")
    lines += ["summary (last line) = pairwise F1:", f"{s.pairwise[2]:.4f}"]
    return "\n".join(lines)
