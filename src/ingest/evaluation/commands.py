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
        "pages": [{"name": r.name, "p": r.score.p, "r": r.score.r, "f1": r.score.f1,
                   "forbidden_hits": r.forbidden_hits, "required_missed": r.required_missed,
                   "error": r.error} for r in report.pages],
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
    the stitched document is scored against <thread>.thread_expected.txt.
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
