"""The verification's cache of shingle sets: bounded by the bytes its sets really hold."""
from ingest.dedup.containment import Shingled
from ingest.dedup.shingle_cache import RecentShingles

LINES = "\n".join(f"第{i}段，各地区各部门要认真贯彻落实会议精神，推动工作取得新成效。" for i in range(12))


def doc(doc_id: str, lines: str = LINES) -> Shingled:
    return Shingled.from_lines(doc_id, lines, False)


def test_a_set_counts_its_hashes_and_overhead_then_its_paragraph_sets_when_they_are_built():
    cache = RecentShingles(budget=1 << 30)
    s = cache.add(doc("a"))
    assert cache.held == s.hashes.nbytes + Shingled.OVERHEAD
    flat, starts = s.paragraphs  # what a comparison builds for the larger text of a containment
    # each paragraph shingle's place in the set (4 bytes, as the shingle itself), the runs' starts and lengths
    assert cache.held == s.hashes.nbytes + Shingled.OVERHEAD + flat.nbytes + starts.nbytes + 4 * len(starts) == s.nbytes
    s.paragraphs  # built once, counted once
    assert cache.held == s.nbytes


def test_the_least_recently_used_sets_go_when_the_budget_is_passed():
    one = doc("probe").nbytes
    cache = RecentShingles(budget=3 * one)
    for name in "abc":
        cache.add(doc(name))
    assert cache.get("a") is not None  # "a" is now the most recent
    cache.add(doc("d"))
    assert list(cache.sets) == ["c", "a", "d"] and cache.held == 3 * one
    # paragraph sets built for "c" (now the most recent) push out the least recent set
    cache.get("c").paragraphs
    assert "a" not in cache.sets and (cache.held <= cache.budget or list(cache.sets) == ["c"])


def test_a_set_no_longer_held_does_not_count_what_it_builds_later():
    cache = RecentShingles(budget=2 * doc("probe").nbytes)
    first = cache.add(doc("a"))
    cache.add(doc("b"))
    cache.add(doc("c"))  # "a" goes while a comparison may still hold it
    held = cache.held
    first.paragraphs
    assert cache.held == held and first.on_grow is None


def test_the_newest_set_stays_even_alone_over_the_budget():
    cache = RecentShingles(budget=10)
    cache.add(doc("a"))
    cache.add(doc("b"))
    assert list(cache.sets) == ["b"]
    cache.clear()
    assert not cache.sets and cache.held == 0
