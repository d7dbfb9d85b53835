"""bench/spy_shares.py sums a sampler's stacks into shares of a root's samples; stage_alone.py stages."""
import subprocess
import sys

from conftest import ROOT, SAMPLE

sys.path.insert(0, str(ROOT / "bench"))
from spy_shares import shares  # noqa: E402


def test_shares_count_a_function_once_per_sample_and_only_under_the_root():
    raw = ["<module> (run.py:1);stage_part (/x/src/ingest/stages.py:121);cut (/x/src/ingest/segment.py:60) 3",
           "<module> (run.py:1);stage_part (/x/src/ingest/stages.py:121);clean (/x/src/ingest/clean/__init__.py:154) 1",
           # recursion: the function is on the stack twice, counted once
           "<module> (run.py:1);stage_part (/x/src/ingest/stages.py:121);f (/x/src/ingest/a.py:1);f (/x/src/ingest/a.py:2) 1",
           "<module> (run.py:1);import (/x/lib/python3.11/site-packages/prefect/x.py:9) 5",  # not under the root
           "garbage"]
    total, inclusive, own = shares(raw, "stage_part")
    assert total == 5
    assert inclusive["stage_part (ingest/stages.py)"] == 5 and inclusive["f (ingest/a.py)"] == 1
    assert own["cut (ingest/segment.py)"] == 3 and own["clean (ingest/clean/__init__.py)"] == 1
    assert not any("prefect" in name for name in inclusive)


def test_stage_alone_stages_the_sample_corpus_and_says_how_long_it_took():
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "stage_alone.py"), str(SAMPLE), "1"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "files" in out.stdout and "CPU s" in out.stdout
