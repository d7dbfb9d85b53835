"""URL facts for fetching: is it a URL, its canonical form, and whether its host may be contacted."""
from __future__ import annotations

import ipaddress
import os
import re
import socket
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

ALLOWED_SCHEMES = ("http", "https")
# Parameters that name how a page was reached, not which page it is.
TRACKING_PARAMS = {"spm", "from", "fromuid", "share_token", "fbclid", "gclid"}
# Sitemaps allow 2,048 characters; twice that leaves room for long forum queries, and a longer
# "URL" in a feed is junk (httpx itself gives up at 65,536).
MAX_URL_CHARS = 4096
# A command-line source that names a URL of a scheme we do not fetch: rejected in the run, not
# taken for a missing file. (`C:/x` has a one-letter "scheme" and is not matched.)
_OTHER_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]+://|^(javascript|data|mailto|vbscript|about):", re.I)
_LABEL = re.compile(r"^[A-Za-z0-9_-]{1,63}$")  # underscores: not in the standard, but on real hosts
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_UNDECODABLE = re.compile("[\udc80-\udcff]")


class ForbiddenURL(ValueError):
    """A URL the fetcher refuses to request; the message is the reject reason."""


def is_url(text: str) -> bool:
    """An http(s) URL (what the fetcher may request, if it is well formed)."""
    try:
        return urlsplit(text.strip()).scheme.lower() in ALLOWED_SCHEMES and "://" in text
    except ValueError:
        return False


def names_url(text: str) -> bool:
    """A source meant as a URL, of any scheme; an existing file of that name is a file."""
    if is_url(text) or text.lower().startswith(("http://", "https://")):
        return True
    return bool(_OTHER_SCHEME.match(text)) and not os.path.exists(text)


def local_paths(sources: list[str] | None, sources_file: str | None = None) -> list[str] | None:
    """The files and directories a run reads: None when nothing at all is named (the sample corpus)."""
    if not sources:
        return [] if sources_file else None
    return [s for s in sources if not names_url(s)]


def allow_private_from_env() -> bool:
    return os.environ.get("INGEST_ALLOW_PRIVATE_HOSTS", "").strip().lower() in ("1", "true", "yes", "on")


def printable_url(url: str) -> str:
    """The URL with bytes that were not UTF-8 (a command-line argument) percent-encoded, as a
    browser sends them: it can then be stored, logged and requested."""
    return _UNDECODABLE.sub(lambda m: f"%{ord(m.group()) - 0xDC00:02X}", url)


def url_problem(url: str) -> str | None:
    """Why URL cannot be requested (a reject reason), or None when it is a well-formed http(s) URL."""
    if len(url) > MAX_URL_CHARS:
        return f"URL too long ({len(url)} characters, limit {MAX_URL_CHARS})"
    if _CONTROL.search(url):
        return "URL contains control characters"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises for a port that is not a number from 0 to 65535
    except ValueError as exc:
        return f"malformed URL: {exc}"
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        return f"scheme not allowed: {scheme or '(none)'} (only http and https)"
    if parts.username is not None or parts.password is not None:
        return "URL with a user name or password refused (user@host)"
    host = parts.hostname
    if not host:
        return "URL has no host"
    if ":" in host:  # an IPv6 literal: urlsplit checked the brackets, ipaddress checks the rest
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return f"invalid IPv6 address {host!r}"
        return None
    return None if _valid_host_name(host) else f"invalid host name {host!r}"


def _valid_host_name(host: str) -> bool:
    import idna  # the IDNA 2008 / UTS 46 rules httpx applies to the name it connects to

    name = host[:-1] if host.endswith(".") else host
    if not name or len(name) > 253:
        return False
    try:
        if not name.isascii():
            idna.encode(name, uts46=True)
            return True
        for label in name.split("."):
            if not _LABEL.match(label):
                return False
            if label.lower().startswith("xn--"):
                idna.decode(label)  # a malformed A-label fails here, not in the middle of the fetch
    except (UnicodeError, ValueError):  # idna.IDNAError is a UnicodeError
        return False
    return True


def canonical_url(url: str, base: str | None = None) -> str:
    """Lower-case scheme and host, no default port, no fragment, no tracking parameters.

    Never raises: a URL that cannot be taken apart (a bad IPv6 literal, a port out of range) or
    that names a user is returned as given (its password masked), and the fetch rejects it with `url_problem`'s reason.
    """
    try:
        return without_password(_canonical(url, base))
    except ValueError:
        return without_password(url.strip())


# scheme://user:password@ -- up to the first '@' before the path, whatever the password holds
_PASSWORD = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*://[^/?#@:]*):[^/?#]*@")


def without_password(url: str) -> str:
    """URL with the password of its user part replaced by ***: rejects, logs and tables never hold one."""
    return _PASSWORD.sub(r"\1:***@", url, count=1)


def _canonical(url: str, base: str | None) -> str:
    if base:
        url = urljoin(base, url.strip())
    parts = urlsplit(url.strip())
    if parts.username is not None or parts.password is not None:
        return url.strip()
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"  # an IPv6 literal keeps its brackets, or the port cannot be told apart
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    path = parts.path or "/"
    query = parts.query
    if query and "=" in query:
        pairs = parse_qsl(query, keep_blank_values=True)
        kept = [(k, v) for k, v in pairs if k.lower() not in TRACKING_PARAMS and not k.lower().startswith("utm_")]
        if len(kept) != len(pairs):
            query = urlencode(kept, safe="/:%")
    return urlunsplit((scheme, netloc, path, query, ""))


def host_of(url: str) -> str:
    """scheme://host:port of a URL, for pacing and grouping (a malformed URL is its own group)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "/".join(url.split("/", 3)[:3]).lower()
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_scheme(url: str) -> None:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise ForbiddenURL(f"scheme not allowed: {scheme or '(none)'} (only http and https)")


def _is_public(addr: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped:
        addr = addr.ipv4_mapped
    return not (addr.is_private or addr.is_loopback or addr.is_link_local or addr.is_multicast
                or addr.is_reserved or addr.is_unspecified)


def is_public_address(address: str) -> bool:
    try:
        return _is_public(ipaddress.ip_address(address.split("%")[0]))
    except ValueError:
        return False


def check_public_host(url: str, allow_private: bool = False) -> None:
    """Refuse malformed URLs, and hosts that are, or resolve to, private, loopback, link-local
    or reserved addresses."""
    problem = url_problem(url)
    if problem:
        raise ForbiddenURL(problem)
    host = urlsplit(url).hostname
    if allow_private:
        return
    try:
        literal = ipaddress.ip_address(host.strip("[]"))
        addresses = [literal]
    except ValueError:
        if host == "localhost" or host.endswith(".localhost"):
            raise ForbiddenURL(f"private or loopback host refused: {host} (use --allow-private-hosts)") from None
        try:
            infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except socket.gaierror as exc:
            raise ForbiddenURL(f"cannot resolve host {host}: {exc.strerror or exc}") from None
        addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    for addr in addresses:
        if not _is_public(addr):
            raise ForbiddenURL(f"private or loopback address refused: {host} ({addr}) (use --allow-private-hosts)")
