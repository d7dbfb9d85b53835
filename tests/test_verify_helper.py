"""The helper process: started for real, it changes no decision; dead or unstartable, the decision goes on alone."""
from __future__ import annotations

import functools
import logging
import sys

import pytest
from dedup_fixtures import speeches, two_runs  # noqa: F401 (fixture)

from ingest import verify_helper
from ingest.dedup import verification
from ingest.verify_helper import HelperProcess
from tmpfs import fill, mounted_tmpfs


def corpus(speeches) -> dict[str, str]:
    docs = {}
    for name in ("000", "002", "003", "004"):
        v = speeches[name]
        docs.update({f"{name}-original": v.original(), f"{name}-trad": v.traditional(), f"{name}-forum": v.forum(),
                     f"{name}-masked": v.masked(), f"{name}-edited": v.edited(), f"{name}-excerpt": v.excerpt(0.6),
                     f"{name}-dropped": v.dropped_paragraph(), f"{name}-layout": v.layout()})
    docs["q004-quote"] = speeches["004"].quote(start=8, count=4)
    return docs


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
    with mounted_tmpfs(tmp_path / "disk", "1m") as mnt:
        fill(mnt)
        yield mnt


def test_no_room_for_the_lines_file_means_deciding_alone(speeches, small_chunks, full_disk, caplog):
    docs = corpus(speeches)
    with caplog.at_level(logging.WARNING, logger=verify_helper.__name__):
        helped = two_runs(docs, functools.partial(HelperProcess.start, spill_dir=full_disk))
    assert helped == two_runs(docs)
    assert "gets no documents" in caplog.text and "No space left" in caplog.text
