"""The extraction scorer: normalisation, bag-of-chars P/R/F1, forbidden/required, thread level."""
import json

import pytest

from ingest.evaluation.extraction import evaluate_extraction, format_report, norm, score_pair


def test_norm_folds_width_and_whitespace():
    assert norm("，Ａ b\u200b\n　c") == ",Abc"


def test_score_pair_bag_of_chars():
    s = score_pair("甲乙丙丁", "甲乙丙戊戊")
    assert s.p == pytest.approx(3 / 4)
    assert s.r == pytest.approx(3 / 5)
    assert s.f1 == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert score_pair("", "").f1 == 1.0 and score_pair("", "甲").f1 == 0.0


def make_set(tmp_path):
    (tmp_path / "a.html").write_text("<p>x</p>")
    (tmp_path / "a.expected.txt").write_text("第一段正文\n第二段正文\n")
    (tmp_path / "a.forbidden.txt").write_text("责任编辑：某\n")
    (tmp_path / "a.required.txt").write_text("第一段正文\n第二段正文\n")
    for n, text in (("t_p1", "上半部分"), ("t_p2", "下半部分")):
        (tmp_path / f"{n}.html").write_text("<p>x</p>")
        (tmp_path / f"{n}.expected.txt").write_text(text)
    (tmp_path / "t.thread_expected.txt").write_text("上半部分\n下半部分")
    (tmp_path / "threads.json").write_text(json.dumps({"t": ["t_p1", "t_p2"]}))
    return tmp_path


def test_evaluate_counts_forbidden_required_and_threads(tmp_path):
    outputs = {"a": "第一段正文\n责任编辑：某", "t_p1": "上半部分", "t_p2": "下半部分"}
    report = evaluate_extraction(make_set(tmp_path), lambda p: outputs[p.stem])
    rows = {r.name: r for r in report.pages}
    assert rows["a"].forbidden_hits == ["责任编辑：某"]
    assert rows["a"].required_missed == ["第二段正文"]
    assert report.required_recall == pytest.approx(0.5)
    assert report.clean_rate == pytest.approx(2 / 3)
    assert report.thread_f1 == pytest.approx(1.0)
    assert rows["t_p1"].score.f1 == 1.0


def test_thread_predictor_and_errors(tmp_path):
    def predict(p):
        if p.stem == "a":
            raise ValueError("boom")
        return ""
    report = evaluate_extraction(make_set(tmp_path), predict,
                                 predict_thread=lambda paths: "上半部分下半部分")
    assert report.thread_f1 == pytest.approx(1.0)
    assert report.pages[0].error.startswith("ValueError")
    text = format_report(report, verbose=True)
    assert "required missing" in text and "ERROR" in text and "thread F1=1.0000" in text


def test_matches_reference_scorer_on_a_small_set(tmp_path):
    outputs = {"a": "第一段正文 第二段", "t_p1": "上半", "t_p2": "下半部分多余"}
    report = evaluate_extraction(make_set(tmp_path), lambda p: outputs[p.stem])
    expected = score_pair("第一段正文第二段", "第一段正文第二段正文")
    assert report.pages[0].score.f1 == pytest.approx(expected.f1)
    assert report.macro["f1"] == pytest.approx(sum(r.score.f1 for r in report.pages) / 3)
