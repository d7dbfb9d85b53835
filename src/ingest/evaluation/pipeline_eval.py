"""Run the real ingest code path over a dev-set directory, and the trafilatura-alone baseline."""
from __future__ import annotations

from pathlib import Path

import trafilatura

from ..model import Reject
from ..pipeline import process_batch, process_one
from ..sources.files import file_ref, read_file
from .extraction import ExtractionReport, evaluate_extraction

__all__ = ["evaluate_extraction", "evaluate_pipeline", "pipeline_page_text", "pipeline_thread_text",
           "trafilatura_page_text"]


def _raw(path: Path):
    return read_file(file_ref(path))


def pipeline_page_text(path: Path) -> str:
    """documents.text for this page ingested alone (exactly what `ingest run FILE` stores)."""
    out = process_one(_raw(path))
    return "" if isinstance(out, Reject) else out.document.text


def pipeline_thread_text(paths: list[Path]) -> str:
    """documents.text for the pages of one thread ingested together (as `ingest run DIR` does)."""
    result = process_batch([_raw(p) for p in paths])
    return "\n".join(d.document.text for d in result.documents)


def trafilatura_page_text(path: Path) -> str:
    """The baseline: trafilatura 2.x defaults on the raw bytes, no decoding or rules of ours."""
    return trafilatura.extract(path.read_bytes()) or ""


def evaluate_pipeline(directory: Path | str) -> tuple[ExtractionReport, ExtractionReport]:
    """(our pipeline, trafilatura alone) on the same directory in the same run."""
    ours = evaluate_extraction(directory, pipeline_page_text, predict_thread=pipeline_thread_text,
                               label="pipeline")
    base = evaluate_extraction(directory, trafilatura_page_text, label="trafilatura alone")
    return ours, base
