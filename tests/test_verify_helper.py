"""The helper process: started for real, it changes no decision; dead or unstartable, the decision goes on alone."""
from __future__ import annotations

import errno
import functools
import logging
import os
import shutil
import subprocess
import sys

import pytest
from dedup_fixtures import candidates, speeches  # noqa: F401 (fixture)

from ingest import verify_helper
from ingest.dedup import MemoryState, assign_clusters, verification
from ingest.verify_helper import HelperProcess


def corpus(speeches) -> dict[str, str]:
    docs = {}
    for name in ("000", "002", "003", "004"):
        v = speeches[name]
        docs.update({f"{name}-original": v.original(), f"{name}-trad": v.traditional(), f"{name}-forum": v.forum(),
                     f"{name}-masked": v.masked(), f"{name}-edited": v.edited(), f"{name}-excerpt": v.excerpt(0.6),
                     f"{name}-dropped": v.dropped_paragraph(), f"{name}-layout": v.layout()})
    docs["q004-quote"] = speeches["004"].quote(start=8, count=4)
    return docs


def two_runs(docs, start_helper=None):
    state, plans = MemoryState(), []
    ids = sorted(docs)
    for part in (ids[::2], ids[1::2]):
        new = candidates({d: docs[d] for d in part})
        plan = assign_clusters(new, state.prior_for(new), state.fetch_texts, reuse=state, start_helper=start_helper)
        state.apply(plan)
        plans.append((plan.assignments, plan.updates, plan.links, plan.stats, len(plan.occurrences)))
    return plans, state.clusters()


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(verification, "CHUNK", 2)
    monkeypatch.setattr(verification, "HELPER_MIN_PAIRS", 0)
    monkeypatch.setenv("INGEST_WORKERS", "2")


class Watched(HelperProcess):
    """A real helper whose answers and end are recorded; `kill_after` kills it after that many
    chunks were handed to it."""

    started: list["Watched"] = []
    kill_after: int | None = None

    @classmethod
    def start(cls, policy):
        helper = super().start(policy)
        cls.started.append(helper)
        helper.answers, helper.handed = 0, 0
        return helper

    def submit(self, chunk, a, b):
        self.handed += 1
        sent = super().submit(chunk, a, b)
        if self.kill_after is not None and self.handed == self.kill_after:
            self.proc.kill()
        return sent

    def result(self, chunk):
        rows = super().result(chunk)
        self.answers += rows is not None and len(rows) > 0
        return rows


def test_a_real_helper_process_changes_no_decision(speeches, small_chunks, monkeypatch):
    monkeypatch.setattr(Watched, "started", [])
    docs = corpus(speeches)
    assert two_runs(docs, Watched.start) == two_runs(docs)
    assert len(Watched.started) == 2
    assert all(h.answers > 0 for h in Watched.started)  # it did compare pairs
    assert all(h.proc.returncode == 0 for h in Watched.started)  # and was told to stop


def test_a_helper_killed_half_way_leaves_its_pairs_to_the_decision(speeches, small_chunks, monkeypatch, caplog):
    monkeypatch.setattr(Watched, "started", [])
    monkeypatch.setattr(Watched, "kill_after", 2)
    docs = corpus(speeches)
    with caplog.at_level(logging.WARNING, logger=verify_helper.__name__):
        assert two_runs(docs, Watched.start) == two_runs(docs)
    assert all(h.proc.returncode is not None and h.proc.returncode < 0 for h in Watched.started)
    assert "helper process ended" in caplog.text


def test_one_worker_means_no_helper(monkeypatch):
    monkeypatch.setenv("INGEST_WORKERS", "1")
    assert HelperProcess.start() is None


def test_a_helper_that_cannot_start_is_said_and_the_decision_goes_on(speeches, small_chunks, monkeypatch, caplog):
    monkeypatch.setattr(sys, "executable", "/nonexistent/python3")
    docs = corpus(speeches)
    with caplog.at_level(logging.WARNING, logger=verify_helper.__name__):
        assert two_runs(docs, HelperProcess.start) == two_runs(docs)
    assert "no helper process for the duplicate decision" in caplog.text


@pytest.fixture
def full_disk(tmp_path):
    """A real 1 MB tmpfs, filled to the last byte."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root to mount a tmpfs")
    mnt = tmp_path / "disk"
    mnt.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")
    try:
        with open(mnt / "filler", "wb", buffering=0) as fh:
            for size in (1 << 16, 1 << 10, 1):
                try:
                    while True:
                        fh.write(b"\0" * size)
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_no_room_for_the_lines_file_means_deciding_alone(speeches, small_chunks, full_disk, caplog):
    docs = corpus(speeches)
    with caplog.at_level(logging.WARNING, logger=verify_helper.__name__):
        helped = two_runs(docs, functools.partial(HelperProcess.start, spill_dir=full_disk))
    assert helped == two_runs(docs)
    assert "gets no documents" in caplog.text and "No space left" in caplog.text
