"""The written rule that picks a cluster's canonical member, and the reason stored with it.

Rule, in order (the first criterion that differs decides):
  1. unmasked before masked (`**书记`, `XX市` hide what the speech said);
  2. simplified before traditional script (the corpus is read in simplified);
  3. complete before partial: at least 90 % of the shingles of the longest member;
  4. clean before carrying site chrome the matching step had to strip;
  5. earliest published first (a missing date counts as latest);
  6. source kind: file, web, forum, feed, other (first-hand copies before reposts);
  7. already canonical: when nothing above decides, the member that earlier runs made canonical
     stays so (a copy of a loaded speech arriving under a new path is a duplicate of it, and a
     growing cluster does not flip its canonical on the weak criteria below);
  8. titled: a member with a title before one without (an exact copy that lost its title line,
     e.g. a news repost, would make the speech anonymous in `speeches`);
  9. most typical: highest mean MinHash agreement with the other members (a copy with
     character edits, an added title or an ad line is less typical than the text it copies);
 10. the smaller doc_id (a stable tie-break; ids derive from paths, so it differs between machines).
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

COMPLETE_SHARE = 0.9
SOURCE_KIND_ORDER = {"file": 0, "web": 1, "sitemap": 1, "forum": 2, "feed": 3}
_LATEST = datetime.max


@dataclass(slots=True)
class Member:
    """What the rule needs to know about one cluster member."""

    doc_id: str
    n_shingles: int
    has_masking: bool
    was_traditional: bool
    dropped_lines: int
    published_at: datetime | None
    source_kind: str
    centrality: float = 0.0  # mean share of MinHash values shared with the other members
    was_canonical: bool = False  # the canonical member as earlier runs left the cluster
    titled: bool = False  # the document has a title


def _key(m: Member, longest: int) -> tuple:
    complete = m.n_shingles >= COMPLETE_SHARE * longest
    published = m.published_at.replace(tzinfo=None) if m.published_at else _LATEST
    return (m.has_masking, m.was_traditional, not complete, m.dropped_lines > 0, published,
            SOURCE_KIND_ORDER.get(m.source_kind, 9), not m.was_canonical, not m.titled, -round(m.centrality, 4),
            m.doc_id)


_CRITERIA = ("unmasked", "simplified script", "complete text", "no site chrome", "earliest published",
             "source kind", "already canonical", "has a title", "most typical text",
             "smallest doc_id")


def choose(members: Sequence[Member]) -> tuple[Member, str]:
    """The canonical member and a one-line reason naming the criterion that decided. The
    members are read twice, in order (a sequence that makes each when asked for will do)."""
    longest = max(m.n_shingles for m in members)
    # the first two by the rule, not all of them sorted: a key per member was ~200 bytes each
    # (a cluster of 300,000 notices' copies: 60 MB, the decision's top); keys are distinct (doc_id)
    ranked = heapq.nsmallest(2, members, key=lambda m: _key(m, longest))
    best = ranked[0]
    if len(ranked) == 1:
        return best, "only member"
    kb, kr = _key(best, longest), _key(ranked[1], longest)
    decided = next(i for i, (x, y) in enumerate(zip(kb, kr)) if x != y)
    facts = [
        "masked" if best.has_masking else "unmasked",
        "traditional" if best.was_traditional else "simplified",
        # a text shorter than one shingle (a one-line notice) has none; its copies match by exact hash
        f"{best.n_shingles / longest:.0%} of longest" if longest else "too short for shingles",
    ]
    if best.published_at:
        facts.append(f"published {best.published_at:%Y-%m-%d}")
    return best, f"{_CRITERIA[decided]} decided over {ranked[1].doc_id} ({', '.join(facts)}; {len(members)} members)"
