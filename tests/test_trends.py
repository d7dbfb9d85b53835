"""term_per_month() and term_trend() (warehouse/macros.sql) on the planted corpus: dated speeches only, per 10k tokens."""
from datetime import date

import duckdb
import pytest

from ingest.segment import get_segmenter
from planted_speeches import SPEECHES, planted_warehouse
from warehouse_db import open_db


@pytest.fixture(scope="module")
def planted(prefect_api, tmp_path_factory):
    return planted_warehouse(prefect_api, tmp_path_factory.mktemp("analyst"))


def query(planted, sql):
    con = open_db(str(planted.root / "speeches.duckdb"))
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def month_of(s) -> date:
    y, m, _ = map(int, s.date.split("-"))
    return date(y, m, 1)


def mentions(s, term) -> int:
    """How often the speech's tokens hold `term`: planted items that segment to it."""
    cut = get_segmenter().cut
    return sum(n * cut(item).count(term) for item, n in s.items.items())


def expected_trend(term, group, period=month_of):
    """(period, group, speeches, speeches using, hits, tokens, per 10k) from what the test planted."""
    cells: dict[tuple, list[int]] = {}
    for s in SPEECHES:
        if s.date is None:
            continue
        key = (period(s), group(s))
        cell = cells.setdefault(key, [0, 0, 0, 0])
        hits = mentions(s, term)
        cell[0] += 1
        cell[1] += hits > 0
        cell[2] += hits
        cell[3] += len(get_segmenter().cut(s.body()))
    return [(p, g, n, u, h, t, round(h * 10000 / t, 2)) for (p, g), (n, u, h, t) in sorted(cells.items())]


def test_term_per_month_counts_dated_speeches_only(planted):
    rows = query(planted, "SELECT month, hits FROM term_per_month('新质生产力')")
    # s09 and s15 (undated, 5 mentions) used to land in the month of the ingest; the repost of s01
    # (July) is a duplicate.
    assert rows == [(date(2024, 1, 1), 9), (date(2024, 2, 1), 7), (date(2024, 3, 1), 8),
                    (date(2024, 4, 1), 1), (date(2024, 5, 1), 2), (date(2024, 6, 1), 1)]
    assert sum(h for _, h in rows) == sum(mentions(s, "新质生产力") for s in SPEECHES if s.date)


def test_term_trend_per_organization_per_10k_tokens(planted):
    rows = query(planted, "SELECT * FROM term_trend('新质生产力', by := 'organization')")
    assert rows == expected_trend("新质生产力", lambda s: s.organization or "(unknown)")
    # e.g. March: 市科技局 (s05, 8 mentions) against 市教育局 (s06, none) and a speaker's speech
    march = {g: per for p, g, *_, per in rows if p == date(2024, 3, 1)}
    assert march["市教育局"] == 0 and march["市科技局"] > 300


def test_term_trend_by_speaker_and_genre_per_year(planted):
    by_speaker = query(planted, "SELECT * FROM term_trend('人才', by := 'speaker', period := 'year')")
    assert by_speaker == expected_trend("人才", lambda s: s.speaker or "(unknown)", lambda s: date(2024, 1, 1))
    by_genre = query(planted, "SELECT * FROM term_trend('全面从严治党', by := 'genre')")
    assert by_genre == expected_trend("全面从严治党", lambda s: s.genre)


def test_term_trend_without_by_is_the_whole_corpus(planted):
    rows = query(planted, "SELECT * FROM term_trend('人才')")
    assert rows == expected_trend("人才", lambda s: "(all)")


def test_term_trend_names_a_wrong_grouping(planted):
    with pytest.raises(duckdb.InvalidInputException, match="by must be organization, speaker or genre"):
        query(planted, "SELECT * FROM term_trend('人才', by := 'city')")
