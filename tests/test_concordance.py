"""kwic() and collocates() (warehouse/search.sql) on the planted corpus, against expectations computed here."""
import math

import pytest

from ingest.segment import get_segmenter
from planted_speeches import BY_NAME, DEFEND, PLEDGE, planted_warehouse
from warehouse_db import open_db


@pytest.fixture(scope="module")
def planted(prefect_api, tmp_path_factory):
    return planted_warehouse(prefect_api, tmp_path_factory.mktemp("analyst"))


def query(planted, sql):
    con = open_db(str(planted.root / "speeches.duckdb"))
    try:
        cur = con.execute(sql)
        cols = [d[0] for d in cur.description]
        return [dict(zip(cols, r)) for r in cur.fetchall()]
    finally:
        con.close()


def position_in(name: str, line: str, term: str) -> int:
    """Token position of `term` in `line` inside speech `name`, from the body the test wrote."""
    body = BY_NAME[name].body()
    cut = get_segmenter().cut
    return len(cut(body[:body.index(line)])) + cut(line).index(term)


def test_kwic_lines_are_whole_tokens_aligned_on_the_term(planted):
    rows = query(planted, "SELECT * FROM kwic('两个确立', 6)")
    got = [(planted.names[r["doc_id"]], r["position"], r["left_context"], r["term"], r["right_context"]) for r in rows]
    assert got == [
        # dated speeches first (s07 March, s08 April), the undated s09 last
        ("s07", position_in("s07", PLEDGE, "两个确立"), "要坚定拥护“", "两个确立", "”、坚决做到"),
        ("s08", position_in("s08", PLEDGE, "两个确立"), "要坚定拥护“", "两个确立", "”、坚决做到"),
        ("s09", position_in("s09", DEFEND, "两个确立"), "始终把捍卫“", "两个确立", "”的信念融入"),
    ]


def test_kwic_width_counts_characters_and_pads_the_left_context(planted):
    rows = {planted.names[r["doc_id"]]: r for r in query(planted, "SELECT * FROM kwic('两个确立', 8)")}
    # 我们 would make 9 characters with the 。 before it: left stops at 8
    assert rows["s07"]["left_context"] == "我们要坚定拥护“" and rows["s07"]["right_context"] == "”、坚决做到“"
    # 7 characters on the left (the next token, a filler word, would make 9): padded to 16 columns
    assert rows["s09"]["left_context"] == "  。始终把捍卫“" and rows["s09"]["right_context"] == "”的信念融入血脉"


def test_kwic_of_a_term_nobody_uses_is_empty(planted):
    assert query(planted, "SELECT * FROM kwic('不存在的词', 6)") == []


def reference_collocates(planted, term, window, min_count=3, min_length=2):
    """Log-likelihood (G2) and PMI of every token near `term`, computed here from the token lists."""
    con = open_db(str(planted.root / "speeches.duckdb"))
    try:
        rows = con.execute("SELECT doc_id, token FROM tokens JOIN speeches USING (doc_id) "
                           "ORDER BY doc_id, position").fetchall()
    finally:
        con.close()
    seqs: dict[str, list[str]] = {}
    for d, tok in rows:
        seqs.setdefault(d, []).append(tok)
    n = sum(map(len, seqs.values()))
    corpus: dict[str, int] = {}
    near: dict[str, int] = {}
    r1 = 0
    for seq in seqs.values():
        for tok in seq:
            corpus[tok] = corpus.get(tok, 0) + 1
        # every position within `window` of an occurrence, once; the term's own positions are not context
        window_positions = {j for i, tok in enumerate(seq) if tok == term
                            for j in range(max(0, i - window), min(len(seq), i + window + 1)) if seq[j] != term}
        r1 += len(window_positions)
        for j in window_positions:
            near[seq[j]] = near.get(seq[j], 0) + 1
    out = {}
    for tok, o11 in near.items():
        c1 = corpus[tok]
        if o11 < min_count or len(tok) < min_length or not any(ch.isalnum() for ch in tok):
            continue
        if o11 * n <= r1 * c1:
            continue  # negative association
        cells = [(o11, r1, c1), (r1 - o11, r1, n - c1), (c1 - o11, n - r1, c1), (n - r1 - c1 + o11, n - r1, n - c1)]
        g2 = 2 * sum(o * math.log(o * n / (r * c)) for o, r, c in cells if o > 0)
        out[tok] = (o11, c1, round(g2, 2), round(math.log2(o11 * n / (r1 * c1)), 2))
    return out


def test_collocates_rank_by_log_likelihood(planted):
    rows = query(planted, "SELECT * FROM collocates('新质生产力', 3, min_count := 2)")
    # 培育 stands only before 新质生产力 (培育新质生产力 in s01 and s05): the strongest association
    assert rows[0]["collocate"] == "培育" and rows[0]["together"] == 4 and rows[0]["corpus_count"] == 4
    expected = reference_collocates(planted, "新质生产力", 3, min_count=2)
    assert {r["collocate"]: (r["together"], r["corpus_count"], r["log_likelihood"], r["pmi"]) for r in rows} == expected
    g2 = [r["log_likelihood"] for r in rows]
    assert g2 == sorted(g2, reverse=True)
    assert all(r["collocate"] not in ("，", "。", "新质生产力") for r in rows)


def test_collocates_minimum_count_and_length(planted):
    rows = query(planted, "SELECT * FROM collocates('新质生产力', 3)")  # min_count 3 by default
    assert rows and all(r["together"] >= 3 for r in rows)
    assert set(r["collocate"] for r in rows) == set(reference_collocates(planted, "新质生产力", 3))
