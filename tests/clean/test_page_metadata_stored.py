"""End to end into a real warehouse: the values the page rules move out of the text land in columns."""
from datetime import datetime
from pathlib import Path


from ingest.evaluation.dedup_run import ingest_files
from ingest.storage.warehouse import Warehouse
from warehouse_db import open_db

FIXTURES = Path(__file__).parents[1] / "fixtures" / "extraction"


def test_print_edition_signoff_and_credits_reach_the_documents_table(tmp_path):
    pages = [FIXTURES / f"{name}.html" for name in
             ("print_edition_citation", "gov_speech_signoff", "credits_bars_spaced_keys", "wechat_tail_stack")]
    wh = Warehouse.at(tmp_path / "wh")
    ingest_files(wh, [[str(p) for p in pages]])
    con = open_db(str(wh.db_path))
    try:
        rows = {Path(r[0]).stem: r[1:] for r in con.execute(
            "SELECT source_uri, print_edition, source_name, published_at, organization, editor, author, text "
            "FROM documents").fetchall()}
        hits = {r[0] for r in con.execute("SELECT rule_id FROM boilerplate_hits").fetchall()}
    finally:
        con.close()
    edition, source, published, _org, _editor, _author, text = rows["print_edition_citation"]
    assert edition == "《江南日报》2024-05-20 第5版" and source == "江南日报"
    assert published == datetime(2024, 5, 20)  # nothing else dates the page: the edition's date
    assert "版）" not in text
    _e, source, published, org, _editor, _author, text = rows["gov_speech_signoff"]
    # The page's own publish line dates it and the title names the organisation (it wins over the
    # signer); the sign-off leaves the body.
    assert published == datetime(2024, 7, 5) and source == "市工信局" and org == "市工信局"
    assert not text.endswith("2024年7月3日") and "江南市工业和信息化局" not in text
    assert rows["credits_bars_spaced_keys"][4] == "林晓"
    assert rows["wechat_tail_stack"][5] == "王涛" and rows["wechat_tail_stack"][0] is None
    assert {"page.print_edition", "page.credit_fields", "page.meta_fields", "page.correction_buttons",
            "signoff.closing_date", "signoff.signer"} <= hits


def test_issue_citations_keyless_sources_and_plain_texts_reach_the_documents_table(tmp_path):
    speech = tmp_path / "speech.txt"
    speech.write_text("在全县防汛工作会议上的讲话\n2024年5月6日\n同志们：\n今年汛期来得早，各镇要提前做好准备。\n"
                      "谢谢大家！\n（原载《江南文摘》2024年第10期）\n责任编辑 | 林晓\n", "utf-8")
    pages = [FIXTURES / f"{name}.html" for name in
             ("magazine_issue_citation", "repost_keyless_source", "traditional_script_credits")]
    wh = Warehouse.at(tmp_path / "wh")
    ingest_files(wh, [[str(p) for p in pages] + [str(speech)]])
    con = open_db(str(wh.db_path))
    try:
        rows = {Path(r[0]).stem: r[1:] for r in con.execute(
            "SELECT source_uri, print_edition, source_name, editor, published_at, text FROM documents").fetchall()}
        hits = {r[0] for r in con.execute("SELECT rule_id FROM boilerplate_hits").fetchall()}
    finally:
        con.close()
    assert rows["magazine_issue_citation"][:2] == ("《江南文摘》2024年第10期", "江南文摘")
    assert rows["repost_keyless_source"][1:3] == ("江南观察", "林晓")
    assert rows["traditional_script_credits"][1:3] == ("江南時報", "陳小明")
    edition, _source, editor, published, text = rows["speech"]
    assert edition == "《江南文摘》2024年第10期" and editor == "林晓" and published == datetime(2024, 5, 6)
    assert text.endswith("谢谢大家！") and "2024年5月6日" not in text
    assert {"page.source_tail", "page.inline_credit_tail", "page.dateline"} <= hits
