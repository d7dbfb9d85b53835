"""bench/decision_rss.py stages a run once and replays its duplicate decision, step by step, as often as asked."""
import sys

from conftest import ROOT, SAMPLE

sys.path.insert(0, str(ROOT / "bench"))
import decision_rss  # noqa: E402


def test_a_staged_run_replays_every_step_to_the_same_plan(tmp_path):
    root = tmp_path / "staged"
    decision_rss.stage(str(SAMPLE), root)
    first, lines = decision_rss.replay(root, out=[].append), []
    again = decision_rss.replay(root, out=lines.append)
    assert first["digest"] == again["digest"] and again["digest"]["decisions"].startswith("10 rows")
    assert again["counts"]["unique"] + again["counts"]["exact"] + again["counts"]["near"] == 10
    steps = [line.split("start ")[1].split()[0] for line in lines if " start " in line]
    assert steps == [name for _, name in decision_rss.STEPS]
    assert sum(" end " in line for line in lines) == len(decision_rss.STEPS)
    assert again["max_rss_mb"] >= again["baseline_rss_mb"] > 0
    # the top RSS of the stretches sampled (steps of a few ms may see no sample), by step
    stretches = {"decision starts"} | {name for _, name in decision_rss.STEPS} | \
        {f"after {name}" for _, name in decision_rss.STEPS}
    tops = again["step_top_rss_mb"]
    assert tops and set(tops) <= stretches and all(0 < mb <= again["max_rss_mb"] for mb in tops.values())
