"""Word segmentation: rjieba (fast) by default, jieba as reference, one shared domain dictionary."""
from __future__ import annotations

import logging
import re
from functools import lru_cache
from importlib import resources
from itertools import compress
from typing import Protocol

USER_DICT = "political_terms.txt"
# jieba splits ASCII runs joined by '-', '_' or '.' ('2020-5-12'); rjieba keeps them whole.
_JIEBA_ASCII_SPLIT = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")
_NEEDS_SPLIT = re.compile(r"^[\x21-\x7e]*[a-zA-Z0-9][-_.][\x21-\x7e]*$")
# Only a text with this can hold a token needing the post-split (decimals mostly).
_MAY_SPLIT = re.compile(r"[a-zA-Z0-9][-_.]")


class Segmenter(Protocol):
    name: str

    def cut(self, text: str) -> list[str]: ...


@lru_cache(maxsize=1)
def user_dictionary() -> tuple[str, list[tuple[str, str | None]]]:
    """(version, [(term, pos)]) of the bundled domain dictionary."""
    raw = resources.files("ingest.data.userdict").joinpath(USER_DICT).read_text("utf-8")
    version, terms = "unversioned", []
    for line in raw.splitlines():
        line = line.strip()
        if line.startswith("#"):
            m = re.search(r"version:\s*(\S+)", line)
            if m:
                version = m.group(1)
            continue
        if line:
            parts = line.split()
            pos = parts[-1] if len(parts) > 1 and not parts[-1].isdigit() else None
            terms.append((parts[0], pos))
    return version, terms


def _drop_space(tokens: list[str]) -> list[str]:
    return [t for t in tokens if not t.isspace()]


class RJiebaSegmenter:
    """jieba-rs through rjieba, post-split so its tokens match jieba's."""

    name = "rjieba"

    def __init__(self) -> None:
        import rjieba

        self._engine = rjieba.Jieba()
        for term, pos in user_dictionary()[1]:
            self._engine.add_word(term, None, pos)

    def cut(self, text: str) -> list[str]:
        tokens = self._engine.cut(text, True)
        # Per-token Python work costs as much as the Rust cut itself: the common path is one
        # C-level filter. Only a text with a letter or digit before '-', '_' or '.' can hold an
        # ASCII token that jieba splits and rjieba keeps whole (2020-5-12; not 1.99 or 41.4%).
        tokens = list(filter(str.strip, tokens))  # drops whitespace tokens, at C speed
        if _MAY_SPLIT.search(text) is None:  # no letter or digit followed by '-', '_' or '.'
            return tokens
        # Decide per distinct token, then splice the few split ones in (a test per token was
        # the cost on texts full of decimals, versions and file names). Only ASCII tokens can
        # split, and picking those out is one C loop: hashing every token into a set was not.
        is_ascii = list(map(str.isascii, tokens))
        ascii_at = list(compress(range(len(tokens)), is_ascii))
        split = {}
        for tok in set(compress(tokens, is_ascii)):
            if _NEEDS_SPLIT.match(tok):
                parts = _jieba_ascii_split(tok)
                if len(parts) > 1:
                    split[tok] = parts
        if not split:
            return tokens
        out: list[str] = []
        start = 0
        for i in [i for i in ascii_at if tokens[i] in split]:
            out.extend(tokens[start:i])
            out.extend(split[tokens[i]])
            start = i + 1
        out.extend(tokens[start:])
        return out


def _jieba_ascii_split(token: str) -> list[str]:
    return [p for p in _JIEBA_ASCII_SPLIT.split(token) if p]


class JiebaSegmenter:
    """The reference engine: plain jieba with HMM and the same user dictionary."""

    name = "jieba"

    def __init__(self) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._engine = jieba.Tokenizer()
        for term, pos in user_dictionary()[1]:
            self._engine.add_word(term, tag=pos)

    def cut(self, text: str) -> list[str]:
        return _drop_space(self._engine.lcut(text, HMM=True))


ENGINES = {"rjieba": RJiebaSegmenter, "jieba": JiebaSegmenter}


@lru_cache(maxsize=None)
def get_segmenter(name: str = "rjieba") -> Segmenter:
    """One engine per process (each worker process loads the user dictionary itself)."""
    try:
        return ENGINES[name]()
    except KeyError:
        raise ValueError(f"unknown segmenter {name!r}; choose one of {sorted(ENGINES)}") from None
    except ImportError:
        if name == "jieba":
            raise
        logging.getLogger(__name__).warning("rjieba unavailable, falling back to jieba")
        return ENGINES["jieba"]()
