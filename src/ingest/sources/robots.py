"""robots.txt per host (RFC 9309: groups, longest match, `*` and `$`), fetched once per run and honoured."""
from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from .urls import host_of


@dataclass
class RobotsRules:
    """The rules of the group that applies to us; allow/disallow by longest matching pattern."""

    rules: list[tuple[int, bool, re.Pattern]] = field(default_factory=list)  # (pattern length, allow, regex)
    crawl_delay: float | None = None
    disallow_all: bool = False

    def allowed(self, url: str) -> bool:
        if self.disallow_all:
            return False
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        best: tuple[int, bool] | None = None
        for length, allow, regex in self.rules:
            if regex.match(target) and (best is None or length > best[0] or (length == best[0] and allow)):
                best = (length, allow)
        return True if best is None else best[1]


def _pattern(path: str) -> re.Pattern:
    anchored = path.endswith("$")
    body = re.escape(path[:-1] if anchored else path).replace(r"\*", ".*")
    return re.compile(body + ("$" if anchored else ""))


def parse_robots(text: str, product: str) -> RobotsRules:
    """Rules for `product` (our user-agent token); the `*` group when no group names us."""
    groups: list[tuple[set[str], list, list]] = []  # (agents, rules, delays)
    current, in_agents = None, False
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if ":" not in line:
            continue
        key, value = (s.strip() for s in line.split(":", 1))
        key = key.lower()
        if key == "user-agent":
            if current is None or not in_agents:
                current = (set(), [], [])
                groups.append(current)
            current[0].add(value.lower())
            in_agents = True
            continue
        in_agents = False
        if current is None:
            continue
        if key in ("allow", "disallow") and value:
            current[1].append((len(value), key == "allow", _pattern(value)))
        elif key == "crawl-delay":
            try:
                current[2].append(float(value))
            except ValueError:
                pass
    product = product.lower()
    mine = [g for g in groups if any(a != "*" and product.startswith(a) for a in g[0])]
    chosen = mine or [g for g in groups if "*" in g[0]]
    rules = RobotsRules([r for g in chosen for r in g[1]])
    delays = [d for g in chosen for d in g[2]]
    rules.crawl_delay = max(delays) if delays else None
    return rules


class RobotsCache:
    """Rules per host; a missing robots.txt allows all, a server error on it disallows all (RFC 9309)."""

    def __init__(self, fetcher) -> None:
        self._fetcher = fetcher
        self._rules: dict[str, RobotsRules] = {}
        self._guard = threading.Lock()

    @property
    def product(self) -> str:
        return self._fetcher.policy.user_agent.split("/", 1)[0]

    def rules(self, url: str) -> RobotsRules:
        host = host_of(url)
        with self._guard:
            if host in self._rules:
                return self._rules[host]
        resp = self._fetcher.get(f"{host}/robots.txt", check_robots=False)
        if resp.ok:
            rules = parse_robots(resp.body.decode("utf-8", "replace"), self.product)
        elif 500 <= resp.status < 600:
            rules = RobotsRules(disallow_all=True)
        else:
            rules = RobotsRules()  # 4xx or unreachable robots.txt: the pages themselves will tell
        if rules.crawl_delay:
            self._fetcher.host_delays[host] = min(rules.crawl_delay, 60.0)
        with self._guard:
            self._rules[host] = rules
        return rules

    def allowed(self, url: str) -> bool:
        return self.rules(url).allowed(url)
