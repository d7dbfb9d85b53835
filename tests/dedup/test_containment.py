"""Verification: near duplicates, long excerpts (contained) and short quotations (different texts)."""
from dedup_fixtures import speeches  # noqa: F401 (fixture)
from ingest.dedup.containment import MatchPolicy, Shingled, compare, verdict
from ingest.dedup.matching import matching_form


def shingled(doc_id, text):
    return Shingled.from_form(doc_id, matching_form(text))


def judge(a, b):
    return verdict(compare(shingled("a", a), shingled("b", b)))


def test_reposts_are_near_duplicates(speeches):
    v = speeches["003"]
    for variant in (v.traditional(), v.halfwidth(), v.masked(), v.dropped_paragraph(), v.retitled(),
                    v.forum(), v.layout(), v.edited()):
        assert judge(v.original(), variant) == "near"


def test_a_long_excerpt_is_contained_and_a_short_quotation_is_not(speeches):
    v = speeches["004"]
    o = compare(shingled("full", v.original()), shingled("part", v.excerpt(0.6)))
    assert (o.small, o.large) == ("part", "full") and o.contained > 0.9
    assert verdict(o) in ("near", "contained")  # 60 % of the text is also a Jaccard of ~0.6
    assert judge(v.original(), v.excerpt(0.5)) in ("near", "contained")
    # a long excerpt with a long foreign preamble: mostly contained, Jaccard below 0.5
    preamble = speeches["003"].paras[0]
    o = compare(shingled("full", v.original()), shingled("part", preamble + "\n" + v.excerpt(0.5)))
    assert o.jaccard < 0.5 and verdict(o) == "contained"
    assert judge(v.original(), v.quote(start=6, count=4)) is None  # 4 of 21 paragraphs


def test_coverage_counts_paragraphs_unless_the_larger_text_has_too_few(speeches):
    v = speeches["004"]
    merged = "".join(v.paras)  # a layout that lost the paragraph breaks: characters are used
    o = compare(shingled("q", v.quote(start=0, count=3)), shingled("m", merged))
    assert o.coverage < MatchPolicy().cover_min


def test_different_speeches_do_not_match(speeches):
    # 000 and 003 were given at the same event and share its stock phrases
    assert judge(speeches["000"].original(), speeches["003"].original()) is None
    assert judge(speeches["002"].original(), speeches["004"].original()) is None


def test_a_title_counts_as_a_paragraph_only_when_the_smaller_text_repeats_it(speeches):
    paras = speeches["004"].paras[:4] + speeches["002"].paras[1:5]  # 8 body paragraphs, 4 short first
    full = "\n".join(["在全市工作会议上的讲话", *paras])
    half = "\n".join(paras[:4])  # half the body, title dropped: 4 of 8, not 4 of 9
    o = compare(shingled("half", half), shingled("full", full))
    assert o.coverage == 0.5 and verdict(o) == "contained"
    # a short first line that the excerpt repeats is body, and counts
    body = "\n".join(["一、总体要求", *paras])
    o = compare(shingled("half", "\n".join(["一、总体要求", *paras[:4]])), shingled("full", body))
    assert o.coverage == 5 / 9


def test_shared_shingles_are_counted_exactly_by_the_merge():
    import numpy as np

    from ingest.dedup.containment import _count_in

    rng = np.random.default_rng(7)
    for n_a, n_b, shared in ((0, 0, 0), (0, 5, 0), (5, 0, 0), (1, 1, 1), (300, 900, 120), (900, 300, 300)):
        common = rng.integers(0, 2**64 - 1, shared, dtype=np.uint64, endpoint=True)
        a = np.unique(np.concatenate([common, rng.integers(0, 2**63, n_a - shared, dtype=np.uint64)]))
        b = np.unique(np.concatenate([common, rng.integers(2**63, 2**64 - 1, n_b - shared, dtype=np.uint64)]))
        assert _count_in(a, b) == _count_in(b, a) == len(set(a.tolist()) & set(b.tolist()))


def test_paragraph_shingle_sets_are_each_lines_own_set():
    import numpy as np

    from ingest.dedup.minhash import SHINGLE, line_shingle_sets, shingle_hashes

    lines = ["同志们：", "全面从严治党永远在路上，全面从严治党永远在路上。", "短", "一二三四五", "", "推进高质量发展推进高质量发展"]
    flat, starts = line_shingle_sets(lines)
    kept = [line for line in lines if len(line) >= SHINGLE]
    bounds = list(starts) + [len(flat)]
    assert [flat[lo:hi].tolist() for lo, hi in zip(bounds, bounds[1:])] == \
        [shingle_hashes(line).tolist() for line in kept]


def test_verification_sets_are_the_top_half_of_the_shingle_hashes():
    import numpy as np

    from ingest.dedup.containment import Shingled
    from ingest.dedup.minhash import SHINGLE, line_shingle_sets, narrowed, shingle_hashes

    lines = ["关于进一步加强基层治理的意见", "全面从严治党永远在路上，全面从严治党永远在路上。", "短", "推进高质量发展推进高质量发展"]
    wide = shingle_hashes("".join(lines))
    narrow = shingle_hashes("".join(lines), narrow=True)
    assert narrow.dtype == np.uint32
    assert narrow.tolist() == sorted(set(narrowed(wide).tolist()))
    assert shingle_hashes("", narrow=True).dtype == np.uint32 and shingle_hashes("短", narrow=True).size == 1
    flat, starts = line_shingle_sets(lines, narrow=True)
    bounds = list(starts) + [len(flat)]
    assert flat.dtype == np.uint32
    assert [flat[lo:hi].tolist() for lo, hi in zip(bounds, bounds[1:])] == \
        [shingle_hashes(line, narrow=True).tolist() for line in lines if len(line) >= SHINGLE]
    s = Shingled.from_lines("d", "\n".join(lines), True)
    assert s.hashes.tolist() == narrow.tolist() and s.paragraphs[0].dtype == np.uint32
    assert line_shingle_sets(["短"], narrow=True)[0].dtype == np.uint32


def test_a_text_of_too_few_paragraphs_is_judged_in_characters_without_building_paragraph_sets(speeches):
    from ingest.dedup.containment import Shingled

    v = speeches["004"]
    notice = v.paras[0] + "\n" + "".join(v.paras[1:8])  # two paragraphs: fewer than min_paragraphs
    big, small = Shingled.from_lines("big", notice, False), Shingled.from_lines("small", v.paras[0], False)
    o = compare(small, big)
    # contained, and covering too little of it in characters: the case paragraphs could change
    assert o.contained > 0.9 and o.coverage < MatchPolicy().cover_min and verdict(o) is None
    assert big._paragraphs is None and big.paragraph_count == 2
    for text, titled in ((v.original(), True), ("短\n" + notice + "\n四字一行\n" + v.paras[3], False)):
        s = Shingled.from_lines("d", "\n".join(matching_form(text).lines), titled)
        counted = s.paragraph_count
        assert counted == len(s.paragraphs[1])


def test_paragraph_coverage_counts_each_paragraphs_own_shingles_found_in_the_smaller_text():
    """Read off the larger text's whole set (each paragraph's shingles as places in it): the same
    count as looking every paragraph's shingles up in the smaller text, also for lines that are
    not the set's own (then counted against their union)."""
    from ingest.dedup.containment import _paragraph_coverage
    from ingest.dedup.minhash import SHINGLE, shingle_hashes

    body = ["坚持党的全面领导，把牢正确政治方向，确保各项工作始终沿着正确轨道前进。",
            "深化改革开放，破除体制机制障碍，激发市场主体活力和社会创造力。",
            "着力保障和改善民生，办好人民群众急难愁盼的实事，增进民生福祉。",
            "加强生态文明建设，推进污染防治攻坚，守护好绿水青山和蓝天白云。",
            "统筹发展和安全，健全风险防控体系，牢牢守住不发生系统性风险底线。",
            "推进科技自立自强，加大基础研究投入，培育发展新质生产力新动能。",
            "弘扬社会主义核心价值观，繁荣文化事业，丰富群众精神文化生活。",
            "锻造过硬干部队伍，树立正确用人导向，激励干部担当作为干事创业。"]
    # three paragraphs whole, a fourth by a third of it (below para_hit), and text of its own
    short = ["一二三四", *body[:3], "另外的内容与上文并不相同，用来填充较短的文本。", body[5][:12]]
    small = Shingled.from_lines("s", "\n".join(short), False)
    policy = MatchPolicy()

    def expected(lines: list[str]) -> float:
        held = set(small.hashes.tolist())
        runs = [set(shingle_hashes(line, narrow=True).tolist()) for line in lines if len(line) >= SHINGLE]
        return sum(len(run & held) >= policy.para_hit * len(run) for run in runs) / len(runs)

    large = Shingled.from_lines("l", "\n".join(body), False)
    assert _paragraph_coverage(large, small.hashes, policy) == expected(body) == 3 / len(body)
    # a set built from other text than its lines (a caller's mistake): still each line's own count
    other = Shingled("o", shingle_hashes("完全无关的另一篇文章内容", narrow=True), body, False)
    assert _paragraph_coverage(other, small.hashes, policy) == expected(body)
    flat, starts = other.paragraphs
    assert flat.tolist() == large.paragraphs[0].tolist() and starts.tolist() == large.paragraphs[1].tolist()
