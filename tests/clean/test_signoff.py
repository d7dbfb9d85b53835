"""A dated sign-off at the end of a speech or official text is metadata (dev-set convention: no date lines)."""
from datetime import datetime

import pytest

from ingest.clean import clean
from ingest.model import Extracted

BODY = ["同志们：今年是全面完成规划目标任务的关键一年，各级各部门要切实扛起责任。",
        "让我们以更加饱满的热情、更加务实的作风，奋力开创各项工作新局面。谢谢大家！"]


def _clean(lines, **meta):
    return clean(Extracted(paragraphs=list(lines), meta=meta))


@pytest.mark.parametrize("closing,when,signer", [
    (["2025年3月10日"], datetime(2025, 3, 10), None),
    (["（2025年3月10日）"], datetime(2025, 3, 10), None),
    (["2025-03-10"], datetime(2025, 3, 10), None),
    (["江南县人民政府办公室　2025年3月10日"], datetime(2025, 3, 10), "江南县人民政府办公室"),
    (["江南县人民政府", "二〇二五年三月十日"], datetime(2025, 3, 10), "江南县人民政府"),
    (["中共江南县委办公室", "江南县人民政府办公室", "2025年12月23日"], datetime(2025, 12, 23),
     "中共江南县委办公室、江南县人民政府办公室"),
])
def test_closing_date_and_signer_leave_the_body_for_metadata(closing, when, signer):
    out = _clean([*BODY, *closing])
    assert out.paragraphs == BODY
    assert out.meta["published_at"] == when
    assert out.meta.get("signed_by") == signer
    rules = [h.rule_id for h in out.hits]
    assert rules.count("signoff.closing_date") == 1
    assert rules.count("signoff.signer") == (len(closing) - 1)
    if signer:
        assert out.facts.organization == signer


@pytest.mark.parametrize("last", [
    "今天是2025年3月10日",          # a sentence that ends with a date
    "会议定于2025年3月10日",
    "第十二条 本办法自2025年3月10日",
])
def test_sentences_ending_in_a_date_stay(last):
    assert _clean([*BODY, last]).paragraphs == [*BODY, last]


def test_a_one_line_body_is_never_emptied():
    assert _clean(["2025年3月10日"]).paragraphs == ["2025年3月10日"]


def test_a_date_the_page_gave_beats_the_closing_date():
    given = datetime(2025, 3, 12, 9, 30)
    out = _clean([*BODY, "2025年3月10日"], published_at=given)
    assert out.paragraphs == BODY and out.meta["published_at"] == given
    assert out.meta["closing_date"] == datetime(2025, 3, 10)


def test_print_edition_date_comes_before_the_closing_date():
    out = _clean([*BODY, "2025年3月10日"], published_fallback=datetime(2025, 3, 11))
    assert out.meta["published_at"] == datetime(2025, 3, 11)


def test_plain_text_file_footers_then_signoff():
    # A repost: the sign-off sits above the site's footer; the footer goes first, then the sign-off.
    out = _clean([*BODY, "江南县人民政府", "2025年3月10日", "稿源:江南县政府网", "责编:李明"])
    assert out.paragraphs == BODY
    assert out.meta["source_name"] == "江南县政府网" and out.meta["signed_by"] == "江南县人民政府"
