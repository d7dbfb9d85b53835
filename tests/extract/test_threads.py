"""Stitching the pages of a thread: the starter's continuation joins, replies by others do not."""
from ingest.clean.page_rules import apply_page_rules
from ingest.extract import extract_html
from ingest.extract.threads import group_threads, stitch_thread, thread_key
from ingest.model import Extracted
from fixtures.pages import BODY, CONTINUED, discuz_archiver, discuz_viewthread


def page(html):
    return apply_page_rules(extract_html(html))


def test_two_page_viewthread_is_stitched_in_page_order():
    p1 = page(discuz_viewthread(page=1, pages=2, ending="<br />（未完，见下楼）"))
    p2 = page(discuz_viewthread(page=2, pages=2, opening="接上楼：", body=CONTINUED))
    assert thread_key(p1) == thread_key(p2)
    doc = stitch_thread([p2, p1])
    assert doc.paragraphs == BODY + CONTINUED
    assert doc.meta["pages"] == [1, 2]
    assert "continues" not in doc.meta


def test_archiver_thread_stitched_by_same_poster_without_markers():
    p1 = page(discuz_archiver(page=1, pages=2))
    p2 = page(discuz_archiver(page=2, pages=2, body=CONTINUED))
    assert stitch_thread([p1, p2]).paragraphs == BODY + CONTINUED


def test_later_page_by_another_user_is_not_stitched():
    p1 = page(discuz_viewthread(page=1, pages=2))
    p2 = page(discuz_viewthread(page=2, pages=2, first_poster="别人", body=["我也来说两句，写得不错。"]))
    assert stitch_thread([p1, p2]).paragraphs == BODY


def test_page_alone_keeps_its_own_text():
    p2 = page(discuz_viewthread(page=2, pages=2, opening="接上楼：", body=CONTINUED))
    assert p2.paragraphs == CONTINUED


def test_group_threads_passes_other_pages_through():
    p1 = page(discuz_viewthread(page=1, pages=2))
    p2 = page(discuz_viewthread(page=2, pages=2, body=CONTINUED))
    other = Extracted(paragraphs=["一篇普通文章。"], extractor="article")
    groups = group_threads([("b.html", p2), ("x.html", other), ("a.html", p1)])
    assert [g[0] for g in groups] == [["a.html", "b.html"], ["x.html"]]
    assert groups[0][1].paragraphs == BODY + CONTINUED


def test_plan_keeps_a_directorys_html_pages_in_one_batch(tmp_path):
    from ingest import run_plan, stages
    from ingest.storage.warehouse import Warehouse

    pages = tmp_path / "forum"
    pages.mkdir()
    for n in (1, 2):
        (pages / f"thread_p{n}.html").write_text(discuz_viewthread(page=n, pages=2), "utf-8")
    (tmp_path / "notes.txt").write_text("一篇普通的文本。\n" * 50, "utf-8")
    wh = Warehouse.at(tmp_path / "wh")
    with wh.run_lock():
        stages.prepare_warehouse(wh)
        budget = (pages / "thread_p1.html").stat().st_size + 1  # one page fills a batch
        plan = run_plan.plan_run(wh, [str(tmp_path / "notes.txt"), str(pages)], batch_bytes=budget)
    names = [[ref.path.rsplit("/", 1)[-1] for ref in batch] for batch in plan.batches]
    assert names == [["notes.txt"], ["thread_p1.html", "thread_p2.html"]]
