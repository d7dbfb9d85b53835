"""The run report: markdown summary and new-speeches table built from the flow's counts."""
from datetime import datetime

from ingest.report import speeches_table, summary_markdown

SUMMARY = {
    "run_id": "20261123T010203-abcd1234", "warehouse": "/data/wh", "sources": None,
    "inputs_seen": 12, "inputs_unchanged": 2, "inputs_read": 10, "bytes_read": 2_500_000,
    "documents_known": 1, "rejects": 4, "documents_new": 5, "exact_duplicates": 2,
    "near_duplicates": 1, "elapsed_s": 2.0,
    "reject_reasons": {"empty file": 1, "binary content": 2, "no body text": 1},
}


def test_summary_has_every_stage_count_and_throughput():
    md = summary_markdown(SUMMARY)
    assert md.startswith("# Ingest run `20261123T010203-abcd1234`")
    for row in ["| inputs seen | 12 |", "| unchanged since last run (skipped) | 2 |",
                "| new or changed, read | 10 (2.50 MB) |", "| rejected | 4 |",
                "| already in the warehouse | 1 |", "| exact duplicates | 2 |",
                "| near duplicates | 1 |", "| **documents loaded** | **5** |"]:
        assert row in md
    assert "Elapsed: 2.0 s. Throughput: 5.0 files/s, 1.25 MB/s, 2.5 documents/s." in md
    assert "the bundled sample corpus" in md


def test_top_reject_reasons_are_ordered_by_count():
    md = summary_markdown(SUMMARY)
    lines = md.splitlines()
    start = lines.index("Top reject reasons (3 of 3):")
    assert lines[start + 2:start + 5] == ["1. binary content: 2", "2. empty file: 1", "3. no body text: 1"]


def test_zero_elapsed_and_no_rejects():
    md = summary_markdown({**SUMMARY, "elapsed_s": 0, "reject_reasons": {}, "rejects": 0})
    assert "Throughput: n/a files/s" in md and "reject reasons" not in md


def test_speeches_table_and_markdown_list_escape_masked_names():
    rows = speeches_table([
        {"title": "**书记在全市组织工作会议上的讲话", "speaker": "**书记", "published_at": datetime(2024, 7, 4, 9, 18),
         "source_name": None, "source_uri": "/in/001.txt"},
        {"title": None, "speaker": None, "published_at": None, "source_name": "荆楚网", "source_uri": "/in/004.txt"},
    ])
    assert rows == [
        {"title": "**书记在全市组织工作会议上的讲话", "speaker": "**书记", "date": "2024-07-04", "source": "/in/001.txt"},
        {"title": "(untitled)", "speaker": "", "date": "", "source": "荆楚网"},
    ]
    md = summary_markdown(SUMMARY, rows)
    assert "- \\*\\*书记在全市组织工作会议上的讲话 (\\*\\*书记), 2024-07-04" in md
    assert "New canonical speeches (2; the first 2):" in md


def test_long_source_lists_are_shortened():
    md = summary_markdown({**SUMMARY, "sources": [f"/d/{i}" for i in range(8)]})
    assert "`/d/4` and 3 more" in md


def test_web_counts_get_a_row_when_the_run_fetched():
    web = {"seen": 16, "new": 10, "changed": 0, "unchanged": 0, "rejected": 6, "requests": 32, "not_modified": 0}
    md = summary_markdown({**SUMMARY, "web": web})
    assert "| web pages: seen / new / changed / unchanged / rejected | 16 / 10 / 0 / 0 / 6 (32 requests, 0 answered 304) |" in md
    assert "web pages" not in summary_markdown({**SUMMARY, "web": None})


def test_reuse_canonical_changes_and_seconds_per_stage():
    md = summary_markdown({**SUMMARY, "text_reuse": 7, "canonical_changes": 2, "kind_changes": 3,
                           "stage_seconds": {"plan": 0.012, "stage batches": 3.5, "load warehouse": 1.25}})
    assert "| text reuse: spans of passages shared with other clusters, written this run | 7 |" in md
    assert "| earlier documents whose canonical status changed | 2 |" in md
    assert "| earlier duplicates relabelled (e.g. `near` to `exact` when a copy of one arrived) | 3 |" in md
    lines = md.splitlines()
    start = lines.index("| stage | seconds |")
    assert lines[start + 2:start + 5] == ["| plan | 0.01 |", "| stage batches | 3.50 |", "| load warehouse | 1.25 |"]


def test_rejected_files_are_named():
    rejected = [{"source_uri": f"/in/bad_{i:02d}.txt", "stage": "decode", "reason": "binary content"} for i in range(12)]
    md = summary_markdown({**SUMMARY, "rejects": 12}, rejected=rejected)
    assert "Rejected files (12; the first 10):" in md
    assert "- `/in/bad_00.txt`: decode, binary content" in md and "bad_10" not in md


def test_text_reuse_count_reads_the_key_decide_duplicates_gives():
    from ingest.report import text_reuse_count

    assert text_reuse_count({"passage_occurrences": 5, "canonical_changes": 1}) == 5
    assert text_reuse_count({"unique": 2}) == 0
