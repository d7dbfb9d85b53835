"""A helper process that compares candidate pairs on the second core while the decision compares others.

The decision runs on one core after staging has stopped its workers; comparing pairs is two
thirds of it on a corpus of shared paragraphs. The helper is a fresh interpreter (`python -m
ingest.verify_helper SOCKET_FD LINES_FD`), not a fork: a fork of the flow's process would start
with its pages, counted again in the run's RSS, and with Prefect's threads' locks. The matching
lines of the documents in pairs are written once to an unnamed file (beside the run's staged
files), which the helper reads a document at a time as it builds a shingle set: held in its
memory, they were ~100 MB more of the run's top at 120 MB of real paragraphs. It then gets
chunks of pairs and sends back each pair's overlap, and exits when its socket closes.
"""
from __future__ import annotations

import logging
import os
import queue
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np

from .dedup.containment import MatchPolicy, Shingled, compare
from .dedup.shingle_cache import RecentShingles
from .dedup.verification import RESULT_WIDTH, overlap_row
from .memory import trim_heap
from .parallel import worker_count

# The helper's shingle sets, their lines counted (it alone holds them): with 48 MB it waited on
# rebuilding sets at 120 MB of real paragraphs and saved nothing; with 96 MB the decision took
# 16-21 % less time there (replays, interleaved), and the helper's RSS tops at ~165 MB.
HELPER_BYTES = 96 << 20
# How long a result may take before the helper is checked for life (a dead one is given up),
# and before a live one is given up too (a chunk takes ~0.1 s; a helper that stopped answering
# must not hold the run). A send to a helper that stopped reading gives up after as long.
_POLL_SECONDS = 0.5
_RESULT_TIMEOUT = 300.0
# Documents' lines are written in pieces of this many documents.
_PIECE = 4096

log = logging.getLogger(__name__)


class HelperProcess:
    """The decision's side of a running helper (see verification.Helper)."""

    def __init__(self, proc: subprocess.Popen, conn: Connection, lines, policy: MatchPolicy) -> None:
        self.proc, self.conn, self.lines, self.policy = proc, conn, lines, policy

    @classmethod
    def start(cls, policy: MatchPolicy = MatchPolicy(), spill_dir: str | Path | None = None) -> "HelperProcess | None":
        """A helper, or None when this process may use one core only ($INGEST_WORKERS=1) or
        cannot start one (then the decision compares every pair itself). The documents' lines
        go to a file in `spill_dir` (the system's temporary directory if None) that has no name
        and is gone when both processes have closed it."""
        if worker_count() < 2:
            return None
        mine, theirs = socket.socketpair()
        lines = None
        try:
            seconds, fraction = divmod(_RESULT_TIMEOUT, 1.0)
            mine.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO,
                            struct.pack("ll", int(seconds), int(fraction * 1e6)))
            lines = tempfile.TemporaryFile(dir=spill_dir)
            proc = subprocess.Popen([sys.executable, "-m", __name__, str(theirs.fileno()), str(lines.fileno())],
                                    pass_fds=(theirs.fileno(), lines.fileno()), stdin=subprocess.DEVNULL)
        except OSError as e:
            log.warning("no helper process for the duplicate decision (%s): comparing on one core", e)
            mine.close()
            if lines is not None:
                lines.close()
            return None
        finally:
            theirs.close()
        return cls(proc, Connection(mine.detach()), lines, policy)

    def send_documents(self, ids: list[str], lines: list[str | None], titled: np.ndarray) -> bool:
        offsets = np.zeros(len(lines) + 1, dtype=np.int64)
        try:
            # as UTF-8, a piece at a time: all of them encoded at once were twice their bytes more
            # in this process, at the decision's busiest moment
            for lo in range(0, len(lines), _PIECE):
                encoded = [(x or "").encode() for x in lines[lo:lo + _PIECE]]
                offsets[lo + 1:lo + 1 + len(encoded)] = offsets[lo] + np.cumsum([len(x) for x in encoded])
                self.lines.write(b"".join(encoded))
            self.lines.flush()
        except OSError as e:  # a full disk, say: the decision compares alone
            log.warning("the duplicate decision's helper gets no documents (%s): comparing on one core", e)
            return False
        return self._send(("documents", self.policy, ids, titled, offsets))

    def submit(self, chunk: int, a: np.ndarray, b: np.ndarray) -> bool:
        return self._send((chunk, a, b))

    def ready(self) -> bool:
        try:
            return self.conn.poll(0) or self.proc.poll() is not None
        except OSError:
            return True

    def result(self, chunk: int) -> np.ndarray | None:
        got = rows = None
        waited = 0.0
        try:
            while not self.conn.poll(_POLL_SECONDS) and self.proc.poll() is None:
                waited += _POLL_SECONDS
                if waited >= _RESULT_TIMEOUT:
                    self.proc.kill()
            if self.conn.poll(0):
                got, rows = self.conn.recv()
        except (EOFError, OSError):
            pass
        if got != chunk or rows is None or rows.ndim != 2 or rows.shape[1] != RESULT_WIDTH:
            self.proc.poll()
            log.warning("the duplicate decision's helper process ended (status %s) or sent nothing usable: "
                        "comparing the rest on one core", self.proc.returncode)
            return None
        return rows

    def close(self) -> None:
        # The socket's end is the helper's signal to stop (no last message, which a helper that
        # stopped reading would leave this process waiting to send).
        self.conn.close()
        self.lines.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def _send(self, message) -> bool:
        try:
            self.conn.send(message)
            return True
        except (OSError, ValueError) as e:  # (ValueError: closed here already)
            log.warning("the duplicate decision's helper process takes no more pairs (%s): "
                        "comparing the rest on one core", e)
            return False


def serve(conn: Connection, lines_fd: int) -> None:
    """The helper's loop: the documents once, then (chunk, a, b) until the end of the socket."""
    try:
        _, policy, ids, titled, offsets = conn.recv()
    except EOFError:
        return
    # Documents go by their doc_id's rank: `compare` orders texts of one size by doc_id, which
    # ranks order alike, in an array (the strings were ~30 MB of the helper at 360,000 notices).
    rank = np.empty(len(ids), dtype=np.int64)
    rank[sorted(range(len(ids)), key=ids.__getitem__)] = np.arange(len(ids))
    del ids
    trim_heap()
    recent = RecentShingles(HELPER_BYTES)

    def shingled(i: int) -> Shingled:
        r = int(rank[i])
        hit = recent.get(r)
        if hit is None:
            lo, hi = int(offsets[i]), int(offsets[i + 1])
            text = os.pread(lines_fd, hi - lo, lo).decode()
            hit = Shingled.from_lines(r, text, bool(titled[i]))
            hit.owned = sys.getsizeof(text)  # (the set keeps its lines, which only it holds here)
            recent.add(hit)
        return hit

    # The chunks are read as they come, by a thread of their own: had this loop read them
    # between its answers, an answer larger than the socket's buffer would wait for the decision
    # to read it while the decision waited to hand over the next chunks (both sides sending,
    # neither reading). The decision keeps a few chunks in flight, so few wait here.
    inbox: queue.SimpleQueue = queue.SimpleQueue()
    threading.Thread(target=_receive, args=(conn, inbox), daemon=True).start()
    while True:
        message = inbox.get()
        if message is None:
            return
        chunk, a, b = message
        rows = np.empty((len(a), RESULT_WIDTH))
        for j, (x, y) in enumerate(zip(a.tolist(), b.tolist())):
            rows[j] = overlap_row(compare(shingled(x), shingled(y), policy), int(rank[x]))
        try:
            conn.send((chunk, rows))
        except OSError:  # the decision closed its end: it is done, or gave this helper up
            return


def _receive(conn: Connection, inbox: queue.SimpleQueue) -> None:
    """Every message of the decision into `inbox`, then None at the socket's end."""
    try:
        while True:
            inbox.put(conn.recv())
    except (EOFError, OSError):
        inbox.put(None)


if __name__ == "__main__":
    serve(Connection(int(sys.argv[1])), int(sys.argv[2]))
