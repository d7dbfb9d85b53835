"""`ingest eval dedup DIR`: the real pipeline over a dev-set-format directory, scored."""
from click.testing import CliRunner

from dedup_fixtures import speeches, write_devset  # noqa: F401 (fixture)
from ingest.cli import main


def test_eval_dedup_scores_all_at_once_and_in_two_runs(tmp_path, speeches):
    root = write_devset(tmp_path / "set", speeches)
    runner = CliRunner()
    for parts in ("1", "2"):
        pred = tmp_path / f"pred{parts}.csv"
        result = runner.invoke(main, ["eval", "dedup", str(root), "--parts", parts, "--predictions", str(pred)])
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert lines[0].startswith(f"ingested 19 documents in {parts} run(s)")
        assert "pairwise  P=1.0000 R=1.0000 F1=1.0000" in result.output
        assert "B-cubed" in result.output and "wrongly_merged=0" in result.output
        assert "doc-level recall by transform" in result.output and "excerpt" in result.output
        assert lines[-1] == "1.0000"
        assert pred.read_text("utf-8").startswith("file,cluster_id\n") and len(pred.read_text().splitlines()) == 20


def test_eval_dedup_explains_a_directory_without_labels(tmp_path):
    (tmp_path / "docs").mkdir()
    result = CliRunner().invoke(main, ["eval", "dedup", str(tmp_path)])
    assert result.exit_code != 0 and "labels.csv is missing" in result.output
