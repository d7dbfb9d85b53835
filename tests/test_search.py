"""Search: the query language, and `ingest search` / search(query) over the planted corpus in a real warehouse."""
import json
import math
import os
import pty
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from ingest.search import MAX_CLAUSES, QueryError, parse_query, parse_since
from planted_speeches import REPOST_OF, planted_warehouse
from warehouse_db import open_db

INGEST = str(Path(sys.executable).with_name("ingest"))


@pytest.fixture(scope="module")
def planted(prefect_api, tmp_path_factory):
    return planted_warehouse(prefect_api, tmp_path_factory.mktemp("analyst"))


def cli(*args, check=True, env=None):
    proc = subprocess.run([INGEST, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "200", **(env or {})})
    if check and proc.returncode != 0:
        raise AssertionError(f"ingest {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def search_json(planted, query, *options):
    rows = json.loads(cli("search", query, "--warehouse", str(planted.root), "--format", "json", "--limit", "50",
                          *options).stdout)
    return rows, [planted.names[r["doc_id"]] for r in rows]


def reference_bm25(root: Path, leaves, clauses, k1=1.2, b=0.75) -> dict[str, float]:
    """BM25 computed here, from the canonical speeches' token lists, independently of the SQL."""
    con = open_db(str(root / "speeches.duckdb"))
    try:
        canonical = {d for (d,) in con.execute("SELECT doc_id FROM documents WHERE is_canonical").fetchall()}
        seqs: dict[str, list[str]] = {}
        for d, tok in con.execute("SELECT doc_id, token FROM tokens ORDER BY doc_id, position").fetchall():
            if d in canonical:
                seqs.setdefault(d, []).append(tok)
    finally:
        con.close()
    n, avgdl = len(seqs), sum(map(len, seqs.values())) / len(seqs)

    def occurrences(seq, leaf):
        return sum(seq[i:i + len(leaf)] == leaf for i in range(len(seq) - len(leaf) + 1))

    tf = {d: [occurrences(seq, leaf) for leaf in leaves] for d, seq in seqs.items()}
    df = [sum(1 for counts in tf.values() if counts[i]) for i in range(len(leaves))]
    idf = [math.log(1 + (n - x + 0.5) / (x + 0.5)) for x in df]
    scores = {}
    for d, counts in tf.items():
        held = {i + 1 for i, x in enumerate(counts) if x}
        if any(set(c) <= held for c in clauses):
            dl = len(seqs[d])
            scores[d] = sum(idf[i] * f * (k1 + 1) / (f + k1 * (1 - b + b * dl / avgdl))
                            for i, f in enumerate(counts) if f)
    return scores


# -- the query language ------------------------------------------------------------------------

def test_words_are_all_required_and_or_binds_looser_than_and():
    q = parse_query("新质生产力 人才 OR 两个确立")
    assert q.leaves == [["新质生产力"], ["人才"], ["两个确立"]]
    assert q.clauses == [[1, 2], [3]]
    assert parse_query("新质生产力 AND 人才").clauses == [[1, 2]]
    grouped = parse_query("新质生产力 (人才 OR 两个确立)")
    assert grouped.clauses == [[1, 2], [1, 3]]


def test_phrases_in_ascii_or_chinese_quotes_and_split_words_keep_their_order():
    assert parse_query('"两个确立"').leaves == [["两个确立"]]
    assert parse_query("“组织 工作”").leaves == [["组织", "工作"]]
    # the segmenter splits 组织工作: typed as one word, its pieces must stand side by side
    assert parse_query("组织工作").leaves == [["组织", "工作"]]
    assert parse_query("组织 工作").leaves == [["组织"], ["工作"]]
    # full-width brackets group like ASCII ones
    assert parse_query("人才（新质生产力 OR 组织）").clauses == [[1, 2], [1, 3]]


def test_redundant_alternatives_are_dropped():
    # (a) OR (a b) matches exactly what a matches
    assert parse_query("人才 OR (人才 新质生产力)").clauses == [[1]]
    assert parse_query("人才 人才").clauses == [[1]]


@pytest.mark.parametrize("query, message", [
    ("", "empty query"),
    ("   ", "empty query"),
    ("人才 OR", "OR needs a word"),
    ("OR 人才", "OR needs a word"),
    ("人才 AND", "AND needs a word"),
    ("(人才", "'(' is not closed"),
    ("人才)", "')' without its '('"),
    ('"两个确立', "unbalanced quotes"),
    ('""', "nothing to search for"),
])
def test_unreadable_queries_say_why(query, message):
    with pytest.raises(QueryError, match=re.escape(message)):
        parse_query(query)


def test_a_query_that_multiplies_out_too_far_is_refused():
    words = " ".join(f"(a{i} OR b{i})" for i in range(7))  # 2**7 alternatives
    with pytest.raises(QueryError, match=f"more than {MAX_CLAUSES}"):
        parse_query(words, cut=lambda w: [w])


def test_since_takes_a_year_a_month_or_a_day():
    assert parse_since("2024").isoformat() == "2024-01-01T00:00:00"
    assert parse_since("2024-03").isoformat() == "2024-03-01T00:00:00"
    assert parse_since("2024-03-15").isoformat() == "2024-03-15T00:00:00"
    with pytest.raises(QueryError, match="2024-03-15"):
        parse_since("March")


# -- ingest search over the planted corpus ---------------------------------------------------------

def test_and_query_ranks_speeches_by_bm25(planted):
    rows, names = search_json(planted, "新质生产力 人才")
    # s02 (3 + 3 mentions) edges out s01 (6 + 2: the second mention of a term is worth less
    # than the first), s04 holds s01's counts in three times the length, s05 and s06 lack a term.
    assert names == ["s02", "s01", "s09", "s04", "s03", "s13"]
    expected = reference_bm25(planted.root, [["新质生产力"], ["人才"]], [[1, 2]])
    assert {r["doc_id"]: r["score"] for r in rows} == pytest.approx({d: round(s, 4) for d, s in expected.items()}, abs=1e-4)
    assert all(r["matched"] == ["新质生产力", "人才"] for r in rows)


def test_or_query_takes_either_term(planted):
    rows, names = search_json(planted, "新质生产力 OR 人才")
    assert names == ["s02", "s01", "s09", "s04", "s03", "s06", "s13", "s05", "s11", "s15", "s16", "s18"]
    expected = reference_bm25(planted.root, [["新质生产力"], ["人才"]], [[1], [2]])
    assert [round(expected[r["doc_id"]], 4) for r in rows] == [r["score"] for r in rows]


def test_phrases_match_tokens_side_by_side_only(planted):
    _, quoted = search_json(planted, '"组织工作"')
    _, typed = search_json(planted, "组织工作")
    _, both_words = search_json(planted, "组织 工作")
    assert quoted == typed == ["s08", "s11"]  # s10 has 组织 and 工作, never next to each other
    assert sorted(both_words) == ["s08", "s10", "s11"]
    rows, _ = search_json(planted, '"组织工作"')
    expected = reference_bm25(planted.root, [["组织", "工作"]], [[1]])
    assert [r["score"] for r in rows] == [round(expected[r["doc_id"]], 4) for r in rows]
    assert "【组织工作】" in rows[0]["snippet"]


def test_since_org_and_limit_filter_without_changing_scores(planted):
    all_rows, _ = search_json(planted, "新质生产力 人才")
    rows, names = search_json(planted, "新质生产力 人才", "--since", "2024-02", "--org", "市")
    assert names == ["s03"]  # s01, s02 are January; s04 is 县委宣传部; s09 undated; s13 a speaker
    assert rows[0]["score"] == next(r["score"] for r in all_rows if r["doc_id"] == rows[0]["doc_id"])
    _, names = search_json(planted, "新质生产力 人才", "--since", "2024-03")
    assert names == ["s13"]  # undated s09 is left out
    _, names = search_json(planted, "新质生产力 人才", "--limit", "2")
    assert names == ["s02", "s01"]


def test_reposts_are_not_results_and_not_counted(planted):
    rows, names = search_json(planted, "培育新质生产力")
    assert sorted(names) == [REPOST_OF, "s05"] and "r01" not in names
    expected = reference_bm25(planted.root, [["培育", "新质生产力"]], [[1]])
    assert {r["doc_id"]: r["score"] for r in rows} == {d: round(s, 4) for d, s in expected.items()}


def test_plain_output_marks_matches_in_brackets(planted):
    out = cli("search", "两个确立", "--warehouse", str(planted.root)).stdout
    assert "【两个确立】" in out and "\x1b[" not in out
    assert "(3 speeches)" in out  # s07 and s08 pledge, s09 defends


def test_terminal_output_highlights_matches(planted):
    """On a real terminal (a pty) the matches are styled and carry no brackets."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([INGEST, "search", "两个确立", "--warehouse", str(planted.root)], stdout=slave,
                            stderr=subprocess.PIPE, env={**os.environ, "COLUMNS": "200", "TERM": "xterm"})
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    out = b"".join(chunks).decode("utf-8")
    assert proc.returncode == 0
    assert "\x1b[1;31m两个确立\x1b[0m" in out and "【两个确立】" not in out


def test_csv_output(planted):
    lines = cli("search", "全面从严治党", "--warehouse", str(planted.root), "--format", "csv").stdout.splitlines()
    assert lines[0].startswith("doc_id,score,title,published_at,organization,speaker,genre,matched,snippet")
    assert [planted.names[line.split(",")[0]] for line in lines[1:]] == ["s12", "s07", "s20"]


def test_unreadable_query_is_one_line_and_status_2(planted):
    proc = cli("search", "人才 OR", "--warehouse", str(planted.root), check=False)
    assert proc.returncode == 2 and "OR needs a word or a group on each side" in proc.stderr
    proc = cli("search", "人才", "--since", "last week", "--warehouse", str(planted.root), check=False)
    assert proc.returncode == 2 and "--since" in proc.stderr


# -- the same search in SQL ------------------------------------------------------------------------

def sql_json(planted, query):
    return json.loads(cli("sql", query, "--warehouse", str(planted.root), "--format", "json").stdout)


def test_search_macro_in_ingest_sql_ranks_like_the_command(planted):
    rows, _ = search_json(planted, "新质生产力 人才 OR 全面从严治党")
    in_sql = sql_json(planted, "SELECT doc_id, score FROM search('新质生产力 人才 OR 全面从严治党')")
    assert [(r["doc_id"], r["score"]) for r in in_sql] == [(r["doc_id"], r["score"]) for r in rows]
    (struct,) = sql_json(planted, "SELECT segment_query('组织工作 OR 人才') AS q")
    assert struct["q"] == {"leaves": [["组织", "工作"], ["人才"]], "clauses": [[1], [2]]}
    (seg,) = sql_json(planted, "SELECT segment('发展新质生产力') AS tokens")
    assert seg["tokens"] == ["发展", "新质生产力"]


def test_plain_duckdb_has_search_tokens_and_search_query(planted):
    """Without the session's Python functions: the macros stored in the database file."""
    rows, _ = search_json(planted, "新质生产力 人才")
    con = open_db(str(planted.root / "speeches.duckdb"))
    try:
        plain = con.execute("SELECT doc_id, score FROM search_tokens(['新质生产力', '人才'])").fetchall()
        either = con.execute("SELECT doc_id FROM search_tokens(['新质生产力', '人才'], any_term := true)").fetchall()
        phrase = con.execute("SELECT doc_id FROM search_query([['组织', '工作']], [[1]])").fetchall()
        with pytest.raises(duckdb.CatalogException, match="search"):
            con.execute("SELECT * FROM search('人才')")
    finally:
        con.close()
    assert plain == [(r["doc_id"], r["score"]) for r in rows]
    assert len(either) == 12
    assert sorted(planted.names[d] for (d,) in phrase) == ["s08", "s11"]


def test_warehouses_of_older_versions_get_token_counts_from_the_lake(planted, run_cli, tmp_path):
    """documents.token_count was added later: the next run fills it in from the tokens."""
    wh = tmp_path / "old"
    shutil.copytree(planted.root, wh)
    con = open_db(str(wh / "speeches.duckdb"), read_only=False)
    con.execute("UPDATE documents SET token_count = NULL")
    con.close()
    out = run_cli("run", str(planted.corpus), "--warehouse", str(wh)).stdout
    assert "0 read" in out
    con = open_db(str(wh / "speeches.duckdb"))
    try:
        mismatched = con.execute("""
            SELECT count(*) FROM documents d
            LEFT JOIN (SELECT doc_id, count(*) AS n FROM tokens GROUP BY doc_id) t USING (doc_id)
            WHERE d.token_count IS DISTINCT FROM t.n""").fetchone()[0]
    finally:
        con.close()
    assert mismatched == 0
