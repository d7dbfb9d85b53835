"""robots.txt per host, fetched once per run through the same fetcher and honoured for every URL."""
from __future__ import annotations

import threading
from urllib.robotparser import RobotFileParser

from .urls import host_of


class RobotsCache:
    """Rules per host; a missing robots.txt allows all, a server error on it disallows all (RFC 9309)."""

    def __init__(self, fetcher) -> None:
        self._fetcher = fetcher
        self._rules: dict[str, RobotFileParser] = {}
        self._guard = threading.Lock()

    def rules(self, url: str) -> RobotFileParser:
        host = host_of(url)
        with self._guard:
            if host in self._rules:
                return self._rules[host]
        parser = RobotFileParser()
        resp = self._fetcher.get(f"{host}/robots.txt", check_robots=False)
        if resp.ok:
            parser.parse(resp.body.decode("utf-8", "replace").splitlines())
        elif 500 <= resp.status < 600:
            parser.disallow_all = True
        else:
            parser.allow_all = True  # 4xx, or unreachable robots.txt only: the pages will fail on their own
        delay = parser.crawl_delay(self._fetcher.policy.user_agent)
        if delay:
            self._fetcher.host_delays[host] = min(float(delay), 60.0)
        with self._guard:
            self._rules[host] = parser
        return parser

    def allowed(self, url: str) -> bool:
        return self.rules(url).can_fetch(self._fetcher.policy.user_agent, url)
