"""Text reuse as passage occurrences: linear in documents, families of any size, migrated on open."""
import random

import pytest

from dedup_fixtures import speeches, write_devset  # noqa: F401 (fixture)
from ingest import stages
from ingest.evaluation.dedup_run import ingest_files
from ingest.storage import dedup_migrations
from ingest.storage.warehouse import Warehouse
from warehouse_db import open_db

# A common-character pool: documents made of it are distinct from each other (no shared 5-grams
# to speak of) and read as Chinese text to every pipeline step.
POOL = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面"
        "而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好"
        "应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命"
        "此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老")
PASSAGE = ("各地要把学习贯彻全会精神作为当前和今后一个时期的首要政治任务，切实抓紧抓实抓出成效。"
           "要坚持以人民为中心的发展思想，着力解决群众急难愁盼问题，不断增强人民群众的获得感幸福感安全感。"
           "要持之以恒正风肃纪，驰而不息纠治四风，以优良作风保障各项任务落地见效。")


def distinct_text(rng: random.Random, sentences: int = 10) -> str:
    out = []
    for _ in range(sentences):
        out.append("".join(rng.choice(POOL) for _ in range(rng.randint(24, 40))) + "。")
    return "".join(out)


def planted_corpus(root, n: int = 200):
    """n small files, each its own text with one passage every file carries (at a varying place)."""
    rng = random.Random(14)
    root.mkdir(parents=True)
    for i in range(n):
        head, tail = distinct_text(rng, rng.randint(3, 8)), distinct_text(rng, rng.randint(3, 8))
        (root / f"city_{i:03d}.txt").write_text(f"第{i}号城市工作会议讲话\n\n{head}\n{PASSAGE}\n{tail}\n", "utf-8")
    return root


def query(wh: Warehouse, sql: str):
    con = open_db(str(wh.db_path))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_a_passage_shared_by_200_documents_is_one_family_in_linear_state(tmp_path):
    corpus = planted_corpus(tmp_path / "cities")
    wh = Warehouse.at(tmp_path / "wh")
    ingest_files(wh, [[str(corpus)]])
    assert query(wh, "SELECT count(*), count(DISTINCT cluster_id) FROM documents") == [(200, 200)]
    # linear: one occurrence row per document carrying the passage, not one per pair
    n_occ, n_docs = query(wh, "SELECT count(*), count(DISTINCT doc_id) FROM passage_occurrences")[0]
    assert n_docs == 200 and n_occ <= 210
    families = query(wh, "SELECT documents, clusters, sentences, passage, weight FROM reused_passages"
                         " ORDER BY documents DESC")
    documents, clusters, sentences, passage, weight = families[0]
    assert (documents, clusters, sentences) == (200, 200, 3)
    assert passage == PASSAGE and weight == 0.0  # carried by every cluster: ranked last
    # the pair view is derived on demand: every pair of the 200 clusters, once
    assert query(wh, "SELECT count(*), min(shared_passages), max(shared_passages) FROM text_reuse_pairs") \
        == [(200 * 199 // 2, 1, 1)]
    doc = query(wh, "SELECT doc_id FROM documents ORDER BY doc_id LIMIT 1")[0][0]
    reuse = query(wh, f"SELECT passage, clusters, len(other_clusters_doc_ids) FROM reuse_of('{doc}')")
    assert reuse == [(PASSAGE, 200, 199)]


def test_a_later_run_extends_the_spans_of_earlier_documents(tmp_path):
    """The first copy of a passage is alone (no reuse); the second, in a later run, makes both reuse."""
    rng = random.Random(3)
    one, two = tmp_path / "one.txt", tmp_path / "two.txt"
    one.write_text(distinct_text(rng, 5) + "\n" + PASSAGE + "\n" + distinct_text(rng, 5), "utf-8")
    two.write_text(distinct_text(rng, 6) + "\n" + PASSAGE + "\n" + distinct_text(rng, 4), "utf-8")
    wh = Warehouse.at(tmp_path / "wh")
    ingest_files(wh, [[str(one)]])
    assert query(wh, "SELECT count(*) FROM passage_occurrences") == [(0,)]
    ingest_files(wh, [[str(two)]])
    rows = query(wh, "SELECT d.source_uri, substr(d.text, o.start_pos + 1, o.end_pos - o.start_pos), o.sentences"
                     " FROM passage_occurrences o JOIN documents d USING (doc_id) ORDER BY 1")
    assert rows == [(str(one.resolve()), PASSAGE, 3), (str(two.resolve()), PASSAGE, 3)]
    assert query(wh, "SELECT documents FROM reused_passages") == [(2,)]


@pytest.fixture
def corpus(tmp_path, speeches):
    root = write_devset(tmp_path / "set", speeches)
    return sorted(str(p) for p in (root / "docs").glob("*.txt"))


def families(wh: Warehouse) -> set[frozenset[tuple[str, int, int]]]:
    rows = query(wh, "SELECT family, d.source_uri, start_pos, end_pos FROM passage_families JOIN documents d USING (doc_id)")
    out: dict[int, set] = {}
    for family, uri, start, end in rows:
        out.setdefault(family, set()).add((uri, start, end))
    return {frozenset(v) for v in out.values()}


def make_old(wh: Warehouse) -> None:
    """The shape a warehouse written before passage occurrences has: text_reuse, no pair keys."""
    con = wh.connect()
    try:
        con.execute("CREATE TABLE text_reuse (doc_id VARCHAR, other_doc_id VARCHAR, cluster_id VARCHAR,"
                    " other_cluster_id VARCHAR, passage_key BIGINT, start_pos INTEGER, end_pos INTEGER,"
                    " passage VARCHAR, run_id VARCHAR)")
        con.execute("INSERT INTO text_reuse SELECT a.doc_id, b.doc_id, a.cluster_id, b.cluster_id, 0,"
                    " a.start_pos, a.end_pos, 'x', a.run_id FROM passage_occurrences a, passage_occurrences b"
                    " WHERE a.cluster_id <> b.cluster_id")
        con.execute("DELETE FROM passage_occurrences")
        con.execute("ALTER TABLE dedup_passages DROP COLUMN pair_key")
        con.execute("DELETE FROM dedup_meta WHERE name = 'reuse_state'")
    finally:
        con.close()


def test_an_older_warehouse_is_migrated_on_open(tmp_path, corpus, capsys):
    fresh, old = Warehouse.at(tmp_path / "fresh"), Warehouse.at(tmp_path / "old")
    ingest_files(fresh, [corpus])
    ingest_files(old, [corpus])
    expected = families(fresh)
    assert expected and any(len(f) > 1 for f in expected)
    make_old(old)
    assert query(old, "SELECT count(*) FROM text_reuse")[0][0] > 0
    capsys.readouterr()
    with old.run_lock():
        stages.prepare_warehouse(old)
    assert "rebuilding them from dedup_passages" in capsys.readouterr().err
    assert families(old) == expected
    assert query(old, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'text_reuse'") == [(0,)]
    assert query(old, "SELECT count(*) FROM dedup_passages WHERE pair_key IS NULL") == \
        query(old, "SELECT count(DISTINCT doc_id) FROM dedup_passages")
    with old.run_lock():  # a second open has nothing to do
        stages.prepare_warehouse(old)
    assert "rebuilding" not in capsys.readouterr().err


def test_a_failed_migration_leaves_the_old_state(tmp_path, corpus, monkeypatch):
    wh = Warehouse.at(tmp_path / "wh")
    ingest_files(wh, [corpus])
    make_old(wh)
    before = query(wh, "SELECT count(*) FROM text_reuse")

    def crash(*_):
        raise RuntimeError("killed mid-migration")

    monkeypatch.setattr(dedup_migrations, "spans", crash)
    con = wh.connect()
    try:
        with pytest.raises(RuntimeError):
            dedup_migrations.ensure_reuse_state(con)
    finally:
        con.close()
    assert query(wh, "SELECT count(*) FROM text_reuse") == before
    assert query(wh, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'dedup_passages'"
                     " AND column_name = 'pair_key'") == [(0,)]
    assert query(wh, "SELECT count(*) FROM dedup_meta WHERE name = 'reuse_state'") == [(0,)]
