"""`ingest eval …` commands: score the real pipeline on dev-set style directories."""
from __future__ import annotations

import json
from pathlib import Path

import click

from .extraction import ExtractionReport, format_report, summary_line


@click.group(name="eval")
def eval_group() -> None:
    """Evaluate pipeline stages against directories with ground truth."""


def _as_dict(report: ExtractionReport) -> dict:
    return {
        "label": report.label,
        "macro": report.macro, "micro": report.micro,
        "zero_forbidden_rate": report.clean_rate, "forbidden_hits": report.forbidden_total,
        "required_recall": report.required_recall, "thread_f1": report.thread_f1,
        "leftover_pages": report.leftover_pages, "leftover_lines": report.leftover_total,
        "pages": [{"name": r.name, "p": r.score.p, "r": r.score.r, "f1": r.score.f1,
                   "forbidden_hits": r.forbidden_hits, "required_missed": r.required_missed,
                   "leftovers": [vars(x) for x in r.leftovers],
                   "error": r.error} for r in report.pages],
        "unlabelled": [{"name": u.name, "chars": u.chars, "leftovers": [vars(x) for x in u.leftovers],
                        "error": u.error} for u in report.unlabelled],
        "threads": [{"name": t.name, "pages": t.pages, "f1": t.score.f1} for t in report.threads],
    }


@eval_group.command(name="extraction")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--verbose", is_flag=True, help="List the forbidden strings found and required sentences missed.")
@click.option("--baseline/--no-baseline", default=True, show_default=True,
              help="Also score trafilatura alone on the same pages.")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write both reports as JSON to this file.")
def extraction_command(directory: Path, verbose: bool, baseline: bool, json_out: Path | None) -> None:
    """Score extraction on DIRECTORY (<name>.html + <name>.expected.txt [+ .forbidden/.required]).

    Each page goes through the same decode -> extract -> clean code that `ingest run` uses to fill
    documents.text; the pages of a multi-page thread (threads.json) are also ingested together and
    the stitched document is scored against <thread>.thread_expected.txt. Every output is also
    checked for boilerplate-like lines left at its top or bottom (column `left`, no gold needed);
    .html pages without an expected text get only that check.
    """
    from .pipeline_eval import evaluate_extraction, pipeline_page_text, pipeline_thread_text, \
        trafilatura_page_text

    try:
        ours = evaluate_extraction(directory, pipeline_page_text, predict_thread=pipeline_thread_text,
                                   label="pipeline")
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(format_report(ours, verbose=verbose))
    reports = [ours]
    if baseline:
        base = evaluate_extraction(directory, trafilatura_page_text, label="trafilatura alone")
        reports.append(base)
        click.echo("")
        click.echo(format_report(base, verbose=False))
        click.echo("")
        click.echo("summary")
        for report in reports:
            click.echo(f"  {report.label:<18} {summary_line(report)}")
    if json_out:
        json_out.write_text(json.dumps([_as_dict(r) for r in reports], ensure_ascii=False, indent=1),
                            encoding="utf-8")


@eval_group.command(name="dedup")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--parts", type=click.IntRange(1, 20), default=1, show_default=True,
              help="Ingest in this many runs (files dealt round-robin); 2 = the half-then-half check.")
@click.option("--predictions", type=click.Path(dir_okay=False), default=None,
              help="Also write the predicted clusters as a file,cluster_id CSV.")
@click.option("--keep-warehouse", type=click.Path(file_okay=False), default=None,
              help="Build the scratch warehouse here and keep it (default: a temporary directory).")
@click.option("--verbose", is_flag=True, help="List the cluster pairs that were wrongly merged.")
def dedup_command(directory: str, parts: int, predictions: str | None, keep_warehouse: str | None,
                  verbose: bool) -> None:
    """Run the real pipeline over DIRECTORY (docs/*.txt, labels.csv, meta.csv) and score its clusters.

    The files go through the same stages as `ingest run` (read, extract, clean, segment,
    fingerprint, dedup against the warehouse, load) into a scratch warehouse, and the
    warehouse's cluster_ids are scored: pairwise and B-cubed P/R/F1, hard-negative merges (same
    topic, different text) and recall per transformation, like devset/score_dedup.py; the last
    line is the pairwise F1.
    """
    from ..storage.warehouse import WarehouseError
    from .dedup import format_score
    from .dedup_run import evaluate_directory

    try:
        result = evaluate_directory(directory, parts=parts, warehouse=keep_warehouse)
    except (FileNotFoundError, WarehouseError) as exc:
        raise click.ClickException(str(exc)) from exc
    if predictions:
        with open(predictions, "w", encoding="utf-8") as fh:
            fh.write("file,cluster_id\n")
            fh.writelines(f"{f},{c}\n" for f, c in sorted(result.predicted.items()))
    click.echo(f"ingested {result.documents} documents in {result.runs} run(s): {result.seconds:.1f} s")
    click.echo(format_score(result.score, verbose=verbose))
