"""`ingest eval extraction DIR`: scores the real pipeline and the baseline; what it scores is
exactly what `ingest run` stores in documents.text (stitched threads included)."""
import json

from click.testing import CliRunner

from ingest import run_plan, stages
from ingest.evaluation.commands import eval_group
from ingest.evaluation.pipeline_eval import pipeline_page_text, pipeline_thread_text
from ingest.storage.warehouse import Warehouse
from fixtures.pages import BODY, CONTINUED, discuz_archiver, discuz_viewthread, news_article
from warehouse_db import open_db


def make_devset(root):
    root.mkdir()
    pages = {
        "news": news_article().encode("utf-8"),
        "t_p1": discuz_viewthread(page=1, pages=2, ending="<br />（未完，见下楼）").encode("utf-8"),
        "t_p2": discuz_viewthread(page=2, pages=2, opening="接上楼：", body=CONTINUED).encode("utf-8"),
        "arch": discuz_archiver().encode("gbk"),
    }
    for name, data in pages.items():
        (root / f"{name}.html").write_bytes(data)
    lead = "示例社北京6月5日电（记者 李华）" + BODY[0]
    (root / "news.expected.txt").write_text("\n".join([lead] + BODY[1:]), "utf-8")
    (root / "news.forbidden.txt").write_text("责任编辑：赵六\n上一篇：全县夏粮收购工作有序推进\n", "utf-8")
    (root / "news.required.txt").write_text(BODY[1] + "\n", "utf-8")
    (root / "t_p1.expected.txt").write_text("\n".join(BODY), "utf-8")
    (root / "t_p2.expected.txt").write_text("\n".join(CONTINUED), "utf-8")
    (root / "arch.expected.txt").write_text("\n".join(BODY), "utf-8")
    (root / "arch.forbidden.txt").write_text("本帖最后由\n写得很扎实\n", "utf-8")
    (root / "t.thread_expected.txt").write_text("\n".join(BODY + CONTINUED), "utf-8")
    (root / "threads.json").write_text(json.dumps({"t": ["t_p1", "t_p2"]}), "utf-8")
    return root


def test_eval_extraction_prints_pipeline_and_baseline(tmp_path):
    devset = make_devset(tmp_path / "set")
    out_json = tmp_path / "report.json"
    result = CliRunner().invoke(eval_group, ["extraction", str(devset), "--json", str(out_json)])
    assert result.exit_code == 0, result.output
    assert "[pipeline]" in result.output and "[trafilatura alone]" in result.output
    assert "summary" in result.output
    reports = json.loads(out_json.read_text("utf-8"))
    ours = reports[0]
    assert ours["macro"]["f1"] > 0.97
    assert ours["forbidden_hits"] == 0
    assert ours["required_recall"] == 1.0
    assert ours["thread_f1"] > 0.97
    assert reports[1]["label"] == "trafilatura alone"


def test_eval_extraction_rejects_directory_without_ground_truth(tmp_path):
    result = CliRunner().invoke(eval_group, ["extraction", str(tmp_path)])
    assert result.exit_code != 0
    assert "no *.expected.txt" in result.output


def test_run_stores_exactly_what_eval_scores(tmp_path):
    devset = make_devset(tmp_path / "set")
    wh = Warehouse.at(tmp_path / "wh")
    with wh.run_lock():
        stages.prepare_warehouse(wh)
        plan = run_plan.plan_run(wh, [str(devset)])
        batches = [stages.stage_batch(wh, plan.run_id, no, refs) for no, refs in enumerate(plan.batches)]
        known = stages.decide_duplicates(wh, plan.run_id).get("documents_known", 0)
        stages.load_run(wh, plan, batches, known, None, "rjieba")
    con = open_db(str(wh.db_path))
    try:
        stored = dict(con.execute("SELECT source_uri, text FROM documents").fetchall())
        hits = con.execute("SELECT count(*), count(DISTINCT rules_version) FROM boilerplate_hits "
                           "WHERE rule_id LIKE 'page.%' OR rule_id LIKE 'forum.%' OR rule_id LIKE 'discuz.%'").fetchone()
    finally:
        con.close()
    paths = {p.stem: str(p.resolve()) for p in devset.glob("*.html")}
    assert stored[paths["news"]] == pipeline_page_text(devset / "news.html")
    assert stored[paths["arch"]] == pipeline_page_text(devset / "arch.html")
    # The two pages of the thread are one document under page 1's path.
    assert paths["t_p2"] not in stored
    assert stored[paths["t_p1"]] == pipeline_thread_text([devset / "t_p1.html", devset / "t_p2.html"])
    assert hits[0] > 0 and hits[1] == 1


def test_eval_is_a_subcommand_of_the_ingest_cli(tmp_path):
    from ingest.cli import main

    devset = make_devset(tmp_path / "set")
    result = CliRunner().invoke(main, ["eval", "extraction", str(devset), "--no-baseline"])
    assert result.exit_code == 0, result.output
    assert "[pipeline]" in result.output and "trafilatura" not in result.output


def test_ingest_run_cli_over_pages_matches_eval(run_cli, tmp_path):
    """End to end through the Prefect flow: `ingest run DIR` stores what `ingest eval` scores."""
    devset = make_devset(tmp_path / "set")
    pages = tmp_path / "pages"
    pages.mkdir()
    for page in devset.glob("*.html"):
        (pages / page.name).write_bytes(page.read_bytes())
    wh = tmp_path / "wh"
    run_cli("run", str(pages), "--warehouse", str(wh))
    rows = json.loads(run_cli("sql", "SELECT source_uri, text, rules_version FROM documents",
                              "--warehouse", str(wh), "--format", "json").stdout)
    stored = {r["source_uri"]: r["text"] for r in rows}
    p = {x.stem: str(x.resolve()) for x in pages.glob("*.html")}
    assert set(stored) == {p["news"], p["arch"], p["t_p1"]}
    assert stored[p["news"]] == pipeline_page_text(pages / "news.html")
    assert stored[p["t_p1"]] == pipeline_thread_text([pages / "t_p1.html", pages / "t_p2.html"])
    rerun = run_cli("run", str(pages), "--warehouse", str(wh)).stdout
    assert "0 new" in rerun
