"""A helper process that compares candidate pairs on the second core while the decision compares others.

The decision runs on one core after staging has stopped its workers; comparing pairs is two
thirds of it on a corpus of shared paragraphs. The helper is a fresh interpreter (`python -m
ingest.verify_helper FD`), not a fork: a fork of the flow's process would start with its pages,
counted again in the run's RSS, and with Prefect's threads' locks. It gets the matching lines of
the documents in pairs once, then chunks of pairs, and sends back each pair's overlap. It holds
those lines (UTF-8) and its own bounded cache of shingle sets, and exits when its socket closes.
"""
from __future__ import annotations

import logging
import socket
import subprocess
import sys
from multiprocessing.connection import Connection

import numpy as np

from .dedup.containment import MatchPolicy, Shingled, compare
from .dedup.shingle_cache import RecentShingles
from .dedup.verification import RESULT_WIDTH, overlap_row
from .parallel import worker_count

# The helper's shingle sets: half of what the decision's own cache may hold, since both build
# sets for the same documents.
HELPER_SHINGLED_BYTES = 64 << 20
# How long a result may take before the helper is checked for life (a dead one is given up),
# and before a live one is given up too (a chunk takes ~0.1 s; a helper that stopped answering
# must not hold the run).
_POLL_SECONDS = 0.5
_RESULT_TIMEOUT = 300.0
# Documents' lines are sent in pieces of this many documents.
_PIECE = 4096

log = logging.getLogger(__name__)


class HelperProcess:
    """The decision's side of a running helper (see verification.Helper)."""

    def __init__(self, proc: subprocess.Popen, conn: Connection, policy: MatchPolicy) -> None:
        self.proc, self.conn, self.policy = proc, conn, policy

    @classmethod
    def start(cls, policy: MatchPolicy = MatchPolicy()) -> "HelperProcess | None":
        """A helper, or None when this process may use one core only ($INGEST_WORKERS=1) or
        cannot start one (then the decision compares every pair itself)."""
        if worker_count() < 2:
            return None
        mine, theirs = socket.socketpair()
        try:
            proc = subprocess.Popen([sys.executable, "-m", __name__, str(theirs.fileno())],
                                    pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL)
        except OSError as e:
            log.warning("no helper process for the duplicate decision (%s): comparing on one core", e)
            mine.close()
            return None
        finally:
            theirs.close()
        return cls(proc, Connection(mine.detach()), policy)

    def send_documents(self, ids: list[str], lines: list[str | None], titled: np.ndarray) -> bool:
        # as UTF-8, a piece at a time: all of them encoded at once were twice their bytes more
        # in this process, at the decision's busiest moment
        if not self._send(("documents", self.policy, ids, titled)):
            return False
        for lo in range(0, len(lines), _PIECE):
            encoded = [(x or "").encode() for x in lines[lo:lo + _PIECE]]
            offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
            np.cumsum([len(x) for x in encoded], out=offsets[1:])
            if not (self._send(offsets) and self._send_bytes(b"".join(encoded))):
                return False
        return True

    def submit(self, chunk: int, a: np.ndarray, b: np.ndarray) -> bool:
        return self._send((chunk, a, b))

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
        self._send(None)
        self.conn.close()
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def _send(self, message) -> bool:
        try:
            self.conn.send(message)
            return True
        except (OSError, ValueError):  # (ValueError: closed here already)
            return False

    def _send_bytes(self, data: bytes) -> bool:
        try:
            self.conn.send_bytes(data)
            return True
        except (OSError, ValueError):
            return False


def serve(conn: Connection) -> None:
    """The helper's loop: the documents once, then (chunk, a, b) until None or the end of the socket."""
    try:
        _, policy, ids, titled = conn.recv()
        pieces = [(conn.recv().tolist(), conn.recv_bytes()) for _ in range(0, len(ids), _PIECE)]
    except EOFError:
        return
    recent = RecentShingles(HELPER_SHINGLED_BYTES)

    def shingled(i: int) -> Shingled:
        hit = recent.get(ids[i])
        if hit is None:
            offsets, blob = pieces[i // _PIECE]
            at = i % _PIECE
            hit = recent.add(Shingled.from_lines(ids[i], blob[offsets[at]:offsets[at + 1]].decode(), bool(titled[i])))
        return hit

    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message is None:
            return
        chunk, a, b = message
        rows = np.empty((len(a), RESULT_WIDTH))
        for j, (x, y) in enumerate(zip(a.tolist(), b.tolist())):
            rows[j] = overlap_row(compare(shingled(x), shingled(y), policy), ids[x])
        conn.send((chunk, rows))


if __name__ == "__main__":
    serve(Connection(int(sys.argv[1])))
