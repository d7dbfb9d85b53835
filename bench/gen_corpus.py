"""Deterministic generator of realistic speech corpora recombined from the bundled sample corpus."""
from __future__ import annotations

import argparse
import hashlib
import random
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "src" / "ingest" / "data" / "sample"
SPEECH_FILES = ("000_", "001_", "002_", "003_", "004_")

# Our own vocabulary for titles and substitutions (not taken from any dev set).
ORGS = ["市委组织部", "市工信局", "县委宣传部", "区发改委", "市教育局", "市科技局", "县委政法委", "市财政局",
        "区委办公室", "市商务局", "镇党委", "市卫健委", "市生态环境局", "县农业农村局", "市国资委", "团市委"]
SPEAKERS = ["**书记", "x市长", "**同志", "XX部长", "主要负责同志", "分管副县长", "**主任", "党组书记"]
EVENTS = ["市委理论学习中心组集体学习会", "全市组织工作会议", "主题教育读书班", "年度工作务虚会",
          "全面从严治党工作会议", "经济运行调度会", "民主生活会", "新质生产力专题研讨会", "干部大会",
          "巡察整改推进会", "第一议题学习会", "三季度工作点评会"]
GENRES = ["交流发言", "讲话", "研讨发言材料", "汇报材料", "表态发言", "心得体会", "工作报告"]
POSTERS = ["秘途杂谈", "笔杆子之家", "公文写作研习社", "机关老秘", "材料狗日记", "写作小站"]
SITES = ["某某日报", "某某新闻网", "某市发布", "党建在线", "某县融媒体中心"]
PLACES = ["老秘网市", "x市", "XX县", "我市", "我区", "全县", "本系统"]
# Half-width replacements used by the "width change" repost variant.
TO_HALF = str.maketrans({"，": ",", "：": ":", "；": ";", "（": "(", "）": ")", "！": "!", "？": "?"})
_SENTENCE = re.compile(r"[^。！？；]+[。！？；]?")


GENERATOR_VERSION = 2  # bump when the output for a given seed changes (cached corpora are rebuilt)
# Content words of these parts of speech are swapped for other dictionary words of the same kind
# and length: the sample holds only ~200 sentences, and speeches recombined from them alone share
# so many passages that every pair looks like a repost, which no real corpus does.
SWAP_POS = {"n": "n", "vn": "n", "v": "v", "a": "a"}
SWAP_SHARE = 0.45
TOPIC_WORDS = 60  # per speech and kind: a speech keeps returning to its own topic words
MIN_WORD_FREQ = 1000  # common words only (jieba dictionary frequency)


@dataclass(frozen=True)
class Pool:
    """Sentences and titles cut from the sample speeches, the raw material we recombine.

    A sentence is kept as (word, kind) pairs; kind names a swappable content word, else "".
    `lexicon` maps (kind, length) to common dictionary words of that kind and length.
    """

    sentences: tuple[tuple[tuple[str, str], ...], ...]
    headings: tuple[str, ...]
    lexicon: dict[tuple[str, int], tuple[str, ...]]


def _lexicon() -> dict[tuple[str, int], tuple[str, ...]]:
    import jieba

    words: dict[tuple[str, int], list[str]] = {}
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as f:
        for line in f:
            word, freq, pos = line.split()
            kind = SWAP_POS.get(pos)
            if kind and 2 <= len(word) <= 4 and int(freq) >= MIN_WORD_FREQ:
                words.setdefault((kind, len(word)), []).append(word)
    return {k: tuple(sorted(v)) for k, v in words.items()}


def load_pool(sample_dir: Path = SAMPLE) -> Pool:
    sys.path.insert(0, str(ROOT / "src"))
    from ingest.clean import clean
    from ingest.extract import extract_text

    sentences, headings = [], []
    for path in sorted(sample_dir.glob("*.txt")):
        if not path.name.startswith(SPEECH_FILES):
            continue
        cleaned = clean(extract_text(path.read_text("utf-8")))
        for para in cleaned.paragraphs:
            if len(para) <= 40:
                headings.append(para)
                continue
            sentences.extend(s.strip() for s in _SENTENCE.findall(para) if len(s.strip()) >= 8)
    import jieba.posseg

    tagged = tuple(tuple((w.word, SWAP_POS.get(w.flag, "") if len(w.word) >= 2 else "")
                         for w in jieba.posseg.lcut(s)) for s in sentences)
    return Pool(tagged, tuple(headings), _lexicon())


def _vary_numbers(text: str, rng: random.Random) -> str:
    # Numbers change from city to city and year to year; keeps recombined sentences distinct.
    return re.sub(r"\d+(?:\.\d+)?", lambda m: str(rng.randint(2, 999)) if rng.random() < 0.5 else m.group(0), text)


def _topic(pool: Pool, rng: random.Random) -> dict[tuple[str, int], list[str]]:
    """The words one speech draws its swaps from (a sample of the lexicon per kind and length)."""
    return {k: rng.sample(v, min(TOPIC_WORDS, len(v))) for k, v in pool.lexicon.items()}


def _sentence(words: tuple[tuple[str, str], ...], topic: dict, rng: random.Random) -> str:
    out = []
    for word, kind in words:
        choices = topic.get((kind, len(word))) if kind else None
        out.append(rng.choice(choices) if choices and rng.random() < SWAP_SHARE else word)
    return "".join(out)


def _paragraph(pool: Pool, rng: random.Random, topic: dict) -> str:
    n = rng.randint(2, 6)
    text = "".join(_sentence(rng.choice(pool.sentences), topic, rng) for _ in range(n))
    text = text.replace("老秘网市", rng.choice(PLACES))
    return _vary_numbers(text, rng)


def _speech(pool: Pool, rng: random.Random) -> tuple[str, list[str]]:
    topic = _topic(pool, rng)
    title = f"{rng.choice(ORGS)}{rng.choice(['在', '于'])}{rng.choice(EVENTS)}上的{rng.choice(GENRES)}"
    paras = [f"{rng.choice(['同志们', '各位领导，同志们', '尊敬的' + rng.choice(SPEAKERS) + '，各位同志'])}："
             + _paragraph(pool, rng, topic)]
    for _ in range(rng.randint(5, 23)):
        if rng.random() < 0.15:
            paras.append(rng.choice(pool.headings))
        else:
            paras.append(_paragraph(pool, rng, topic))
    return title, paras


def _date(rng: random.Random) -> str:
    return (f"{rng.randint(2019, 2025)}-{rng.randint(1, 12)}-{rng.randint(1, 28)} "
            f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}")


def _original_file(title: str, paras: list[str], rng: random.Random) -> str:
    lines = [title, ""]
    if rng.random() < 0.1:  # a repeated title line with a stray digit, as in the sample
        lines += [title + "1", ""]
    lines += paras
    return "\n".join(lines) + "\n"


def _repost(title: str, paras: list[str], rng: random.Random) -> tuple[str, str]:
    """A copy of an earlier speech as a forum or news site would carry it."""
    paras = list(paras)
    kinds = []
    if len(paras) > 6 and rng.random() < 0.5:
        for _ in range(rng.randint(1, 2)):
            paras.pop(rng.randrange(1, len(paras)))
        kinds.append("dropped")
    if rng.random() < 0.4:
        paras = [p.translate(TO_HALF) for p in paras]
        kinds.append("halfwidth")
    if rng.random() < 0.6:
        head = [f"{rng.choice(POSTERS)} 发表于 {_date(rng)}", "", title, ""]
        tail = ["", "页: [1]", f"查看完整版本: {title}"]
        kinds.append("forum")
    else:
        head = [title, ""]
        tail = ["", f"稿源：{rng.choice(SITES)}　作者：{rng.choice(['王某', '李某某', '通讯员'])}　责编：{rng.choice(['张某', '赵某'])}"]
        kinds.append("news")
    return "\n".join(head + paras + tail) + "\n", "-".join(kinds)


def generate(out_dir: Path, target_bytes: int, seed: int = 20261123, repost_share: float = 0.10) -> dict:
    """Write speeches (and ~10% reposts of earlier ones) until target_bytes; same seed, same bytes."""
    pool = load_pool()
    rng = random.Random(seed)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    out_dir.mkdir(parents=True)
    originals: list[tuple[str, list[str]]] = []
    total = files = reposts = 0
    while total < target_bytes:
        sub = out_dir / f"{files // 500:04d}"  # a few hundred files per directory, like a crawl archive
        sub.mkdir(exist_ok=True)
        if originals and rng.random() < repost_share:
            title, paras = rng.choice(originals)
            text, kind = _repost(title, paras, rng)
            name = f"repost_{files:06d}_{kind}.txt"
            reposts += 1
        else:
            title, paras = _speech(pool, rng)
            originals.append((title, paras))
            if len(originals) > 2000:  # reposts of recent speeches; bounded memory for big corpora
                originals.pop(rng.randrange(len(originals)))
            text = _original_file(title, paras, rng)
            name = f"speech_{files:06d}.txt"
        data = text.encode("utf-8")
        (sub / name).write_bytes(data)
        total += len(data)
        files += 1
    return {"dir": str(out_dir), "files": files, "reposts": reposts, "bytes": total, "seed": seed,
            "generator": GENERATOR_VERSION}


def corpus_digest(out_dir: Path) -> str:
    """sha256 over the relative names and bytes of every file: equal digests, equal corpora."""
    h = hashlib.sha256()
    for path in sorted(out_dir.rglob("*.txt")):
        h.update(path.relative_to(out_dir).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("out", type=Path)
    ap.add_argument("--mb", type=float, default=10)
    ap.add_argument("--seed", type=int, default=20261123)
    args = ap.parse_args()
    info = generate(args.out, int(args.mb * 1e6), args.seed)
    print(info)


if __name__ == "__main__":
    main()
