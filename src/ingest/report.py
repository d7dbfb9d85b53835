"""What a run did, as the markdown summary and the table of new speeches the Prefect UI shows."""
from __future__ import annotations

from datetime import date, datetime

TOP_REASONS = 5
TOP_SPEECHES = 5
TOP_REJECTED = 10


def text_reuse_count(dups: dict) -> int:
    """Reused-passage spans the run wrote (its new documents' and earlier documents' whose spans
    grew), from decide_duplicates' counts."""
    return int(dups.get("passage_occurrences", 0) or 0)


def _mb(n: int | float) -> str:
    return f"{n / 1e6:.2f} MB"


def summary_markdown(s: dict, speeches: list[dict] | None = None, rejected: list[dict] | None = None) -> str:
    """A markdown summary of one run from the flow's summary dict (counts per stage, seconds per
    stage), with the first few new canonical speeches (rows of speeches_table) so the page says
    what came in, and the files it rejected (rows with source_uri, stage, reason)."""
    elapsed = float(s.get("elapsed_s") or 0.0)
    read, bytes_read = s.get("inputs_read", 0), s.get("bytes_read", 0)
    new_docs = s.get("documents_new", 0)
    lines = [
        f"# Ingest run `{s.get('run_id', '?')}`",
        "",
        f"Sources: {_sources_line(s.get('sources'))}  ",
        f"Warehouse: `{s.get('warehouse', '?')}`",
        "",
        "| stage | count |",
        "|---|---:|",
        f"| inputs seen | {s.get('inputs_seen', 0)} |",
        f"| unchanged since last run (skipped) | {s.get('inputs_unchanged', 0)} |",
        f"| new or changed, read | {read} ({_mb(bytes_read)}) |",
        f"| rejected | {s.get('rejects', 0)} |",
        f"| already in the warehouse | {s.get('documents_known', 0)} |",
        f"| exact duplicates | {s.get('exact_duplicates', 0)} |",
        f"| near duplicates | {s.get('near_duplicates', 0)} |",
        f"| **documents loaded** | **{new_docs}** |",
        f"| text reuse: spans of passages shared with other clusters, written this run | {s.get('text_reuse', 0)} |",
        f"| earlier documents whose canonical status changed | {s.get('canonical_changes', 0)} |",
        f"| earlier duplicates relabelled (e.g. `near` to `exact` when a copy of one arrived) | {s.get('kind_changes', 0)} |",
    ]
    web = s.get("web")
    if web:
        lines.append(f"| web pages: seen / new / changed / unchanged / rejected | {web.get('seen', 0)} / "
                     f"{web.get('new', 0)} / {web.get('changed', 0)} / {web.get('unchanged', 0)} / "
                     f"{web.get('rejected', 0)} ({web.get('requests', 0)} requests, "
                     f"{web.get('not_modified', 0)} answered 304) |")
    lines += [
        "",
        f"Elapsed: {elapsed:.1f} s. Throughput: {_rate(read, elapsed)} files/s, "
        f"{_rate(bytes_read / 1e6, elapsed, 2)} MB/s, {_rate(new_docs, elapsed)} documents/s.",
    ]
    timings = s.get("stage_seconds") or {}
    if timings:
        lines += ["", "| stage | seconds |", "|---|---:|"]
        lines += [f"| {name} | {seconds:.2f} |" for name, seconds in timings.items()]
    reasons = sorted((s.get("reject_reasons") or {}).items(), key=lambda kv: (-kv[1], kv[0]))
    if reasons:
        lines += ["", f"Top reject reasons ({min(len(reasons), TOP_REASONS)} of {len(reasons)}):", ""]
        lines += [f"{i}. {reason}: {n}" for i, (reason, n) in enumerate(reasons[:TOP_REASONS], 1)]
    if rejected:
        total = max(int(s.get("rejects", 0) or 0), len(rejected))
        lines += ["", f"Rejected files ({total}; the first {min(len(rejected), TOP_REJECTED)}):", ""]
        lines += [f"- `{_code(r['source_uri'])}`: {_md(r['stage'])}, {_md(r['reason'])}" for r in rejected[:TOP_REJECTED]]
    if speeches:
        lines += ["", f"New canonical speeches ({len(speeches)}; the first {min(len(speeches), TOP_SPEECHES)}):", ""]
        for r in speeches[:TOP_SPEECHES]:
            who = f" ({r['speaker']})" if r.get("speaker") else ""
            when = f", {r['date']}" if r.get("date") else ""
            lines.append(f"- {_md(r['title'])}{_md(who)}{when}")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    # Masked names like **书记 would otherwise turn the rest of the line bold.
    return "".join("\\" + ch if ch in "\\`*_[]<>|#" else ch for ch in text)


def _code(text: str) -> str:
    return text.replace("`", "'")


def _sources_line(sources) -> str:
    if not sources:
        return "the bundled sample corpus"
    shown = ", ".join(f"`{x}`" for x in sources[:5])
    return shown + (f" and {len(sources) - 5} more" if len(sources) > 5 else "")


def _rate(amount: float, seconds: float, digits: int = 1) -> str:
    return f"{amount / seconds:.{digits}f}" if seconds > 0 else "n/a"


def speeches_table(rows: list[dict]) -> list[dict]:
    """Rows of the new-canonical-speeches table artifact: title, speaker, date, source (strings)."""
    out = []
    for r in rows:
        when = r.get("published_at")
        if isinstance(when, (datetime, date)):
            when = when.strftime("%Y-%m-%d")
        out.append({
            "title": r.get("title") or "(untitled)",
            "speaker": r.get("speaker") or "",
            "date": when or "",
            "source": r.get("source_name") or r.get("source_uri") or "",
        })
    return out
