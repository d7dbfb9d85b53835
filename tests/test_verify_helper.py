"""The helper process: started for real, it changes no decision; dead or unstartable, the decision goes on alone."""
from __future__ import annotations

import functools
import logging
import os
import signal
import socket
import sys
import threading
import time

import numpy as np
import pytest
from dedup_fixtures import speeches, two_runs  # noqa: F401 (fixture)

from ingest import verify_helper
from ingest.dedup import verification
from ingest.dedup.containment import Shingled, compare
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


def _paragraphs(speech) -> str:
    return "\n".join(line for line in speech.original().split("\n") if line.strip())


def _exchange(helper: HelperProcess, chunks: list[tuple[np.ndarray, np.ndarray]]) -> list:
    """As the decision does: every chunk handed over before the first answer is read."""
    handed = [helper.submit(k, a, b) for k, (a, b) in enumerate(chunks)]
    return handed + [helper.result(k) for k in range(len(chunks))]


def test_answers_larger_than_the_socket_buffer_do_not_stall_the_decision(speeches, monkeypatch):
    """Chunks and answers of megabytes: with the helper reading only between its answers, it
    waited to send its first answer while the decision waited to hand over the second chunk."""
    monkeypatch.setenv("INGEST_WORKERS", "2")
    helper = HelperProcess.start()
    with socket.socket(fileno=os.dup(helper.conn.fileno())) as end:
        buffer = end.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
    pairs = 4 * buffer // (2 * 8)  # a chunk of 4 buffers, its answer of 10
    texts = [_paragraphs(speeches[name]) for name in ("000", "002", "003")]
    assert helper.send_documents(["d0", "d1", "d2"], texts, np.zeros(3, dtype=bool))
    chunks = [(np.zeros(pairs, np.int64) + k % 2, np.full(pairs, 2, np.int64)) for k in range(3)]
    done: list = []
    exchange = threading.Thread(target=lambda: done.extend(_exchange(helper, chunks)), daemon=True)
    exchange.start()
    exchange.join(timeout=120)
    stalled = exchange.is_alive()
    if stalled:
        helper.proc.kill()  # (unblocks the exchange's thread)
    helper.close()
    assert not stalled, "the decision and its helper waited on each other"
    assert done[:3] == [True] * 3
    answers = done[3:]
    assert [a.shape for a in answers] == [(pairs, verification.RESULT_WIDTH)] * 3
    alone = [compare(Shingled.from_lines(i, texts[i], False), Shingled.from_lines(2, texts[2], False))
             for i in (0, 1)]
    for k, rows in enumerate(answers):  # every row the overlap of its pair, as compared here
        assert (rows == verification.overlap_row(alone[k % 2], k % 2)).all()
    assert helper.proc.returncode == 0  # the socket's end stopped it


def test_a_helper_that_stops_reading_is_given_up(speeches, monkeypatch, caplog):
    """A helper that stopped (SIGSTOP here) cannot hold the decision on a send, and it is said."""
    monkeypatch.setenv("INGEST_WORKERS", "2")
    monkeypatch.setattr(verify_helper, "_RESULT_TIMEOUT", 1.5)
    helper = HelperProcess.start()
    try:
        assert helper.send_documents(["d0", "d1"], [_paragraphs(speeches["000"])] * 2, np.zeros(2, dtype=bool))
        os.kill(helper.proc.pid, signal.SIGSTOP)
        big = np.zeros(1 << 20, np.int64)  # 8 MB: more than any socket buffer holds
        started = time.monotonic()
        with caplog.at_level(logging.WARNING, logger=verify_helper.__name__):
            assert not helper.submit(1, big, big + 1)
        assert time.monotonic() - started < 30
        assert "takes no more pairs" in caplog.text
    finally:
        helper.close()  # (kills the stopped helper after its few seconds of grace)
    assert helper.proc.returncode == -signal.SIGKILL
