"""Dedup state in the warehouse: saved in the run's transaction, found again by the next run."""
import pytest

from dedup_fixtures import speeches, write_devset  # noqa: F401 (fixture)
from ingest.dedup import assign_clusters
from ingest.evaluation.dedup_run import ingest_files
from ingest.storage import dedup_store
from ingest.storage.warehouse import Warehouse
from warehouse_db import open_db


def rows(wh: Warehouse, query: str):
    con = open_db(str(wh.db_path))
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def partition(pairs):
    groups = {}
    for doc, cluster in pairs:
        groups.setdefault(cluster, set()).add(doc)
    return {frozenset(g) for g in groups.values()}


@pytest.fixture
def corpus(tmp_path, speeches):
    root = write_devset(tmp_path / "set", speeches)
    return sorted(str(p) for p in (root / "docs").glob("*.txt"))


OPENING = "同志们：今天我们召开全市工作会议，研究部署下一阶段的重点工作任务。"


@pytest.fixture
def three_loaded(tmp_path, corpus) -> Warehouse:
    """A warehouse holding the first three documents of the corpus."""
    wh = Warehouse.at(tmp_path / "wh")
    ingest_files(wh, [corpus[:3]])
    return wh


def plan_against(con, texts: dict[str, str], **options):
    """The duplicate plan of `texts` as new documents against what the warehouse holds."""
    from dedup_fixtures import candidates

    new = candidates(texts)
    return assign_clusters(new, dedup_store.load_prior(con, new), dedup_store.text_fetcher(con), **options)


def test_two_runs_give_the_clusters_of_one_run(tmp_path, corpus):
    once, twice = Warehouse.at(tmp_path / "once"), Warehouse.at(tmp_path / "twice")
    ingest_files(once, [corpus])
    ingest_files(twice, [corpus[::2]])
    first = dict(rows(twice, "SELECT doc_id, cluster_id FROM documents"))
    ingest_files(twice, [corpus[1::2]])
    query = "SELECT source_uri, cluster_id FROM documents"
    assert partition(rows(once, query)) == partition(rows(twice, query))
    assert len(partition(rows(once, query))) == 4  # three speeches and the quotation
    after = dict(rows(twice, "SELECT doc_id, cluster_id FROM documents"))
    assert all(after[d] == c for d, c in first.items())  # cluster ids never change
    for table in ("dedup_docs",):
        assert rows(twice, f"SELECT count(*) FROM {table}") == rows(twice, "SELECT count(*) FROM documents")
    assert rows(twice, "SELECT count(*) FROM documents WHERE is_canonical") == [(4,)]
    assert rows(twice, "SELECT count(*) FROM documents WHERE is_canonical AND canonical_reason IS NULL") == [(0,)]


def test_quotation_lands_in_text_reuse_and_its_views(tmp_path, corpus):
    wh = Warehouse.at(tmp_path / "wh")
    ingest_files(wh, [corpus])
    spans = rows(wh, "SELECT d.source_uri, substr(d.text, o.start_pos + 1, o.end_pos - o.start_pos), o.sentences"
                     " FROM passage_occurrences o JOIN documents d USING (doc_id)")
    quote = [(text, n) for uri, text, n in spans if "q004_quote" in uri]
    assert quote and all(n >= 1 for _, n in quote)
    # the quoted text is a span of every copy of speech 004 too (one family), and of nothing else
    family = rows(wh, "SELECT documents, clusters, passage FROM reused_passages ORDER BY chars DESC LIMIT 1")
    documents, clusters, passage = family[0]
    assert clusters == 2 and documents == 7 and any(passage == text for text, _ in quote)
    assert all("004" in uri or "q004" in uri for uri, _, _ in spans)
    pairs = rows(wh, "SELECT title, other_title, shared_passages, share_of_doc FROM text_reuse_pairs")
    assert len(pairs) == 1 and pairs[0][2] >= 1 and 0 < pairs[0][3] <= 1
    quote_id = rows(wh, "SELECT doc_id FROM documents WHERE source_uri LIKE '%q004_quote.txt'")[0][0]
    mine = rows(wh, f"SELECT passage, clusters, len(other_clusters_doc_ids) FROM reuse_of('{quote_id}')")
    assert mine and all(c == 2 and n == 6 for _, c, n in mine)


def test_save_plan_writes_nothing_when_the_transaction_rolls_back(three_loaded):
    con = three_loaded.connect()
    try:
        plan = plan_against(con, {"x1": OPENING})
        before = con.execute("SELECT count(*) FROM dedup_docs").fetchone()
        con.execute("BEGIN TRANSACTION")
        dedup_store.save_plan(con, plan, "run-x")
        assert con.execute("SELECT count(*) FROM dedup_docs").fetchone()[0] == before[0] + 1
        con.execute("ROLLBACK")
        assert con.execute("SELECT count(*) FROM dedup_docs").fetchone() == before
        assert con.execute("SELECT count(*) FROM dedup_bands WHERE doc_id = 'x1'").fetchone() == (0,)
    finally:
        con.close()


def test_a_staged_plan_saves_the_rows_its_tables_save(tmp_path, three_loaded):
    # the load hands save_plan the staging directory (DuckDB reads the Parquet files itself)
    con = three_loaded.connect()
    try:
        texts = {"x1": OPENING,
                 "x2": "各位代表：过去一年，全省经济运行总体平稳，粮食生产再获丰收，城乡居民收入稳步增长。"
                       + OPENING + "新的一年，我们要坚持稳中求进，扎实推进乡村振兴，持续改善生态环境质量。"}
        plan = plan_against(con, texts, new_texts=lambda ids: {d: texts[d] for d in ids},
                            reuse=dedup_store.PriorReuseSQL(con))
        tables = dedup_store.plan_tables(plan)
        dedup_store.write_tables(tables, tmp_path / "staged")
        saved = []
        for source in (tables, tmp_path / "staged"):
            con.execute("BEGIN TRANSACTION")
            dedup_store.save_plan(con, source, "run-x")
            saved.append([con.execute(f"SELECT * EXCLUDE (run_id) FROM {t} WHERE run_id = 'run-x' ORDER BY ALL")
                          .fetchall() for t in ("dedup_docs", "passage_occurrences")]
                         + [con.execute("SELECT * FROM dedup_bands WHERE doc_id LIKE 'x%' ORDER BY ALL").fetchall(),
                            con.execute("SELECT * FROM dedup_passages WHERE doc_id LIKE 'x%' ORDER BY ALL").fetchall()])
            con.execute("ROLLBACK")
        assert all(saved[0]) and saved[0] == saved[1]
        # the views over the staged files are gone with the statements that read them
        assert con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name LIKE 'dedup_%'").fetchone() == (0,)
    finally:
        con.close()


def test_a_staged_plan_that_fails_to_save_raises_its_own_error(tmp_path, three_loaded):
    # A statement that fails inside the load's transaction aborts it: dropping the plan's views
    # then failed too, and that error ("transaction is aborted") hid the real one (an
    # out-of-memory error, which the load turns into its message about the memory limit).
    import duckdb

    con = three_loaded.connect()
    try:
        plan = plan_against(con, {"x1": OPENING})
        dedup_store.write_tables(dedup_store.plan_tables(plan), tmp_path / "staged")
        # a span whose offset is no number: the insert fails while it runs (a conversion error)
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.table({"doc_id": ["x1"], "cluster_id": ["cx1"], "passage_key": [1], "start_pos": ["x"],
                                 "end_pos": [2], "sentences": [1], "link_keys": [[1]]}),
                       tmp_path / "staged" / "dedup-occurrences.parquet")
        con.execute("BEGIN TRANSACTION")
        with pytest.raises(duckdb.Error) as failed:
            dedup_store.save_plan(con, tmp_path / "staged", "run-x")
        assert isinstance(failed.value, duckdb.ConversionException), repr(failed.value)
        con.execute("ROLLBACK")
        assert con.execute("SELECT count(*) FROM dedup_docs WHERE doc_id = 'x1'").fetchone() == (0,)
    finally:
        con.close()


def test_earlier_documents_come_back_as_the_warehouse_holds_them(tmp_path):
    """load_prior's PriorDocs, built column by column, field for field as the tables hold them
    (signatures as their stored little-endian uint32 values, dates as datetimes)."""
    import numpy as np

    from conftest import SAMPLE
    from dedup_fixtures import candidates

    wh = Warehouse.at(tmp_path / "wh")
    ingest_files(wh, [sorted(str(p) for p in SAMPLE.glob("*.txt"))])
    con = open_db(str(wh.db_path))
    try:
        texts = {f"again-{i}": t for i, (t,) in enumerate(con.execute("SELECT text FROM documents ORDER BY doc_id").fetchall())}
        prior = dedup_store.load_prior(con, candidates(texts))
        expected = con.execute("""
            SELECT d.doc_id, d.cluster_id, f.exact_hash, f.signature, f.n_shingles, d.has_masking OR f.has_masking,
                   f.was_traditional, f.dropped_lines, d.published_at, d.source_kind, d.is_canonical, d.dup_kind,
                   coalesce(d.title, '') <> ''
            FROM documents d JOIN dedup_docs f USING (doc_id) ORDER BY d.doc_id""").fetchall()
    finally:
        con.close()
    assert list(prior.docs) == [r[0] for r in expected] and len(expected) == len(texts)
    for r in expected:
        p = prior.docs[r[0]]
        assert (p.doc_id, p.cluster_id, p.exact_hash, p.n_shingles, p.has_masking, p.was_traditional, p.dropped_lines,
                p.published_at, p.source_kind, p.is_canonical, p.dup_kind, p.titled) == r[:3] + r[4:]
        assert p.signature.dtype == np.uint32 and p.signature.tobytes() == r[3]
    assert sum(p.published_at is not None for p in prior.docs.values()) >= 2
    assert {type(p.published_at).__name__ for p in prior.docs.values()} == {"datetime", "NoneType"}
