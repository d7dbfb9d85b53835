"""Extraction scorer for dev-set style directories (same measures as devset/score_extraction.py)."""
from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .leftovers import Leftover, find_leftovers

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)


def norm(text: str) -> str:
    """NFKC, zero-width characters and all whitespace removed: what every comparison sees."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text).translate(_ZERO_WIDTH))


def prf(pred: Counter, gold: Counter) -> tuple[float, float, float, int, int, int]:
    overlap = sum((pred & gold).values())
    n_pred, n_gold = sum(pred.values()), sum(gold.values())
    p = overlap / n_pred if n_pred else (1.0 if n_gold == 0 else 0.0)
    r = overlap / n_gold if n_gold else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f, overlap, n_pred, n_gold


def _bigrams(s: str) -> Counter:
    return Counter(s[i:i + 2] for i in range(len(s) - 1))


@dataclass
class PairScore:
    p: float
    r: float
    f1: float
    bigram_f1: float
    overlap: int
    pred_chars: int
    gold_chars: int


def score_pair(pred: str, gold: str) -> PairScore:
    pn, gn = norm(pred), norm(gold)
    p, r, f, ov, n_pred, n_gold = prf(Counter(pn), Counter(gn))
    bf = prf(_bigrams(pn), _bigrams(gn))[2]
    return PairScore(p, r, f, bf, ov, n_pred, n_gold)


@dataclass
class PageResult:
    name: str
    score: PairScore
    forbidden_hits: list[str]
    required_missed: list[str]
    required_total: int
    error: str | None = None
    # Boilerplate-like lines at the edges of the prediction (gold-free leak detector).
    leftovers: list[Leftover] = field(default_factory=list)


@dataclass
class UnlabelledPage:
    """A page without `<name>.expected.txt`: only the leak detector can say something about it."""

    name: str
    leftovers: list[Leftover]
    chars: int
    error: str | None = None


@dataclass
class ThreadResult:
    name: str
    pages: int
    score: PairScore


@dataclass
class ExtractionReport:
    label: str
    pages: list[PageResult]
    threads: list[ThreadResult] = field(default_factory=list)
    unlabelled: list[UnlabelledPage] = field(default_factory=list)

    @property
    def macro(self) -> dict[str, float]:
        n = len(self.pages) or 1
        return {k: sum(getattr(r.score, k) for r in self.pages) / n for k in ("p", "r", "f1", "bigram_f1")}

    @property
    def micro(self) -> dict[str, float]:
        ov = sum(r.score.overlap for r in self.pages)
        tp = sum(r.score.pred_chars for r in self.pages)
        tg = sum(r.score.gold_chars for r in self.pages)
        p, r = (ov / tp if tp else 0.0), (ov / tg if tg else 0.0)
        return {"p": p, "r": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}

    @property
    def clean_rate(self) -> float:
        return sum(1 for r in self.pages if not r.forbidden_hits) / (len(self.pages) or 1)

    @property
    def forbidden_total(self) -> int:
        return sum(len(r.forbidden_hits) for r in self.pages)

    @property
    def leftover_pages(self) -> int:
        """Pages (labelled or not) whose text still has a boilerplate-like line at an edge."""
        return sum(1 for r in [*self.pages, *self.unlabelled] if r.leftovers)

    @property
    def leftover_total(self) -> int:
        return sum(len(r.leftovers) for r in [*self.pages, *self.unlabelled])

    @property
    def required_recall(self) -> float:
        total = sum(r.required_total for r in self.pages)
        missed = sum(len(r.required_missed) for r in self.pages)
        return (total - missed) / total if total else 1.0

    @property
    def thread_f1(self) -> float | None:
        if not self.threads:
            return None
        return sum(t.score.f1 for t in self.threads) / len(self.threads)


def _read(path: Path) -> str:
    data = path.read_bytes()
    for enc in ("utf-8", "utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            pass
    return data.decode("utf-8", "replace")


def _lines(path: Path) -> list[str]:
    return [ln.strip() for ln in _read(path).splitlines() if ln.strip()] if path.exists() else []


def page_names(directory: Path) -> list[str]:
    return sorted(p.name[: -len(".expected.txt")] for p in directory.glob("*.expected.txt"))


def unlabelled_names(directory: Path) -> list[str]:
    """`<name>.html` pages that have no expected text."""
    labelled = set(page_names(directory))
    return sorted(n for n in (p.stem for p in directory.glob("*.htm*")) if n not in labelled)


def _predict(predict: Callable[[Path], str], path: Path) -> tuple[str, str | None]:
    try:
        return predict(path), None
    except Exception as exc:  # one broken page is a score of zero, not a crashed evaluation
        return "", f"{type(exc).__name__}: {exc}"


def evaluate_extraction(
    directory: Path | str,
    predict: Callable[[Path], str],
    *,
    predict_thread: Callable[[list[Path]], str] | None = None,
    label: str = "pipeline",
) -> ExtractionReport:
    """Score `predict(<name>.html)` for every page with an `<name>.expected.txt` in `directory`.

    Multi-page threads listed in `threads.json` are scored against `<thread>.thread_expected.txt`,
    using `predict_thread(page paths in order)` or, without it, the page outputs joined in order.
    Every output also goes through the leak detector; pages without an expected text get only that.
    """
    directory = Path(directory)
    names = page_names(directory)
    others = unlabelled_names(directory)
    if not names and not others:
        raise FileNotFoundError(f"no *.expected.txt and no *.html in {directory}")
    outputs: dict[str, str] = {}
    rows: list[PageResult] = []
    for name in names:
        pred, error = _predict(predict, directory / f"{name}.html")
        outputs[name] = pred
        gold = _read(directory / f"{name}.expected.txt")
        pn = norm(pred)
        forbidden = _lines(directory / f"{name}.forbidden.txt")
        required = _lines(directory / f"{name}.required.txt")
        rows.append(PageResult(
            name=name, score=score_pair(pred, gold),
            forbidden_hits=[x for x in forbidden if norm(x) and norm(x) in pn],
            required_missed=[x for x in required if norm(x) not in pn],
            required_total=len(required), error=error, leftovers=find_leftovers(pred),
        ))
    unlabelled = []
    for name in others:
        path = next(directory.glob(f"{name}.htm*"))
        pred, error = _predict(predict, path)
        unlabelled.append(UnlabelledPage(name, find_leftovers(pred), len(norm(pred)), error))
    threads: list[ThreadResult] = []
    threads_file = directory / "threads.json"
    if threads_file.exists():
        for thread, pages in sorted(json.loads(_read(threads_file)).items()):
            gold_path = directory / f"{thread}.thread_expected.txt"
            if not gold_path.exists():
                continue
            if predict_thread is not None:
                pred = predict_thread([directory / f"{p}.html" for p in pages])
            else:
                pred = "\n".join(outputs.get(p, "") for p in pages)
            threads.append(ThreadResult(thread, len(pages), score_pair(pred, _read(gold_path))))
    return ExtractionReport(label=label, pages=rows, threads=threads, unlabelled=unlabelled)


def format_report(report: ExtractionReport, *, verbose: bool = False) -> str:
    """The per-page table and the summary lines, laid out like the dev-set scorer's output."""
    w = max([len(r.name) for r in [*report.pages, *report.unlabelled]] + [4])
    out = [f"[{report.label}]"]
    if report.pages:
        out.append(f"{'page':<{w}}  {'P':>6} {'R':>6} {'F1':>6} {'bgF1':>6} {'forb':>4} {'req':>5} {'left':>4}"
                   "  pred/gold chars")
    for r in report.pages:
        s = r.score
        ok = r.required_total - len(r.required_missed)
        line = (f"{r.name:<{w}}  {s.p:6.3f} {s.r:6.3f} {s.f1:6.3f} {s.bigram_f1:6.3f} "
                f"{len(r.forbidden_hits):4d} {ok:2d}/{r.required_total:<2d} {len(r.leftovers):4d}"
                f"  {s.pred_chars}/{s.gold_chars}")
        out.append(line + (f"  [ERROR {r.error}]" if r.error else ""))
        if verbose:
            out += [f"{'':<{w}}    forbidden present: {x}" for x in r.forbidden_hits]
            out += [f"{'':<{w}}    required missing : {x}" for x in r.required_missed]
            out += _leftover_lines(r.leftovers, w)
    if report.unlabelled:
        out.append(f"{'page (no expected text)':<{w}}  {'left':>4}  chars")
        for u in report.unlabelled:
            out.append(f"{u.name:<{w}}  {len(u.leftovers):4d}  {u.chars}" + (f"  [ERROR {u.error}]" if u.error else ""))
            if verbose:
                out += _leftover_lines(u.leftovers, w)
    out.append(summary_line(report))
    return "\n".join(out)


def _leftover_lines(leftovers: list[Leftover], w: int) -> list[str]:
    return [f"{'':<{w}}    leftover {x.where} {x.kind:<9}: {x.line}" for x in leftovers]


def summary_line(report: ExtractionReport) -> str:
    m, mi = report.macro, report.micro
    parts = []
    if report.pages:
        parts += [f"pages={len(report.pages)}",
                  f"macro P={m['p']:.4f} R={m['r']:.4f} F1={m['f1']:.4f}",
                  f"micro F1={mi['f1']:.4f}",
                  f"zero-forbidden pages={report.clean_rate:.4f} (hits={report.forbidden_total})",
                  f"required recall={report.required_recall:.4f}"]
    if report.thread_f1 is not None:
        parts.append(f"thread F1={report.thread_f1:.4f} over {len(report.threads)}")
    if report.unlabelled:
        parts.append(f"unlabelled pages={len(report.unlabelled)}")
    total = len(report.pages) + len(report.unlabelled)
    parts.append(f"leftover-like pages={report.leftover_pages}/{total} (lines={report.leftover_total})")
    return "  ".join(parts)
