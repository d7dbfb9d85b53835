"""Corpora recombined from real paragraphs (the dedup dev set's), generated at bench time, never shipped.

The dev set's licence forbids copying its texts into the repository: this script reads them from
outside it (../shared/devset by default) and writes only into bench/out/ (git-ignored). A
document is a title of our own vocabulary and 6-24 paragraphs drawn from the dev set's documents;
~10% are reposts of earlier documents in forum or news dress (gen_corpus._repost). With ~2,900
distinct paragraphs, every paragraph appears in dozens to hundreds of documents: the shape of a
corpus of template-copying speeches, and the worst case for text reuse.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import random
import shutil
from pathlib import Path

from gen_corpus import EVENTS, GENRES, ORGS, _original_file, _repost

ROOT = Path(__file__).resolve().parents[1]
# ../shared/devset beside the checkout (or beside the worktrees' directory); $BENCH_DEVSET overrides.
DEVSET_PLACES = (ROOT.parent / "shared" / "devset", ROOT.parent.parent / "shared" / "devset")
REAL_GENERATOR_VERSION = 1  # bump when the output for a given seed changes (cached corpora are rebuilt)


def find_devset() -> Path | None:
    """The dev set to recombine, or None when it is not on this machine (the bench then skips it)."""
    named = os.environ.get("BENCH_DEVSET")
    for place in ([Path(named)] if named else DEVSET_PLACES):
        if devset_docs(place).is_dir():
            return place
    return None


def devset_docs(devset: Path) -> Path:
    return devset / "dedup" / "docs"


def load_paragraphs(docs: Path) -> list[str]:
    """Distinct non-empty lines of the dev set's documents, in a stable order (sorted files, first seen)."""
    seen: dict[str, None] = {}
    for path in sorted(docs.glob("*.txt")):
        for line in path.read_text("utf-8", errors="replace").splitlines():
            line = line.strip()
            if line:
                seen.setdefault(line, None)
    return list(seen)


def paragraphs_digest(paragraphs: list[str]) -> str:
    return hashlib.sha256("\n".join(paragraphs).encode("utf-8")).hexdigest()[:16]


def generate(out_dir: Path, target_bytes: int, devset: Path, seed: int = 20261205,
             repost_share: float = 0.10, paragraphs_per_doc: tuple[int, int] = (6, 24)) -> dict:
    """Write documents (and ~10% reposts) until target_bytes; same dev set and seed, same bytes.

    `paragraphs_per_doc` shapes the corpus: (6, 24) is the bench's real-paragraph corpus; (1, 2)
    short notices; (150, 350) long reports (~40 KB each).
    """
    paragraphs = load_paragraphs(devset_docs(devset))
    if not paragraphs:
        raise FileNotFoundError(f"no paragraphs under {devset_docs(devset)}")
    rng = random.Random(seed)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    originals: list[tuple[str, list[str]]] = []
    total = files = reposts = 0
    while total < target_bytes:
        sub = out_dir / f"{files // 500:04d}"
        sub.mkdir(exist_ok=True)
        if originals and rng.random() < repost_share:
            title, paras = rng.choice(originals)
            text, kind = _repost(title, paras, rng)
            name = f"repost_{files:06d}_{kind}.txt"
            reposts += 1
        else:
            title = f"{rng.choice(ORGS)}{rng.choice(['在', '于'])}{rng.choice(EVENTS)}上的{rng.choice(GENRES)}"
            paras = [rng.choice(paragraphs) for _ in range(rng.randint(*paragraphs_per_doc))]
            originals.append((title, paras))
            if len(originals) > 2000:
                originals.pop(rng.randrange(len(originals)))
            text = _original_file(title, paras, rng)
            name = f"doc_{files:06d}.txt"
        data = text.encode("utf-8")
        (sub / name).write_bytes(data)
        total += len(data)
        files += 1
    return {"dir": str(out_dir), "files": files, "reposts": reposts, "bytes": total, "seed": seed,
            "generator": REAL_GENERATOR_VERSION, "paragraphs": len(paragraphs),
            "paragraphs_digest": paragraphs_digest(paragraphs), "paragraphs_per_doc": list(paragraphs_per_doc)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out", type=Path)
    ap.add_argument("--mb", type=float, default=20)
    ap.add_argument("--devset", type=Path, default=find_devset())
    ap.add_argument("--seed", type=int, default=20261205)
    ap.add_argument("--paragraphs", default="6-24", help="paragraphs per document, LO-HI")
    args = ap.parse_args()
    lo, hi = (int(x) for x in args.paragraphs.split("-"))
    print(generate(args.out, int(args.mb * 1e6), args.devset, args.seed, paragraphs_per_doc=(lo, hi)))


if __name__ == "__main__":
    main()
