"""Token encodings that work offline.

The two OpenAI rank files ship gzipped inside the package. On first use each is
decompressed, its SHA-256 compared with the published hash (the same one tiktoken checks),
and a ``tiktoken.Encoding`` built from it. The regex pattern and special tokens come from
tiktoken's own constructor (``tiktoken_ext.openai_public``), whose download step is
replaced by our verified ranks, so patterns never drift from tiktoken's.
A local ``.tiktoken`` rank file can be given for other models (counted with the
``o200k_base`` pattern, reported as an approximation).
"""

from __future__ import annotations

import binascii
import gzip
import hashlib
import threading
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import tiktoken

from ftprep.errors import ConfigError

BUNDLED: dict[str, str] = {
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}
_lock = threading.Lock()


def parse_ranks(data: bytes, in_order: bool = False) -> dict[bytes, int]:
    """Parse tiktoken's rank-file format: one ``base64(token) rank`` pair per line.

    One split of the whole file and ``a2b_base64`` mapped over the tokens: twice as fast
    as a loop over lines, and every command that counts tokens pays it at startup.
    ``in_order``: the ranks are known to be 0, 1, 2, ... line by line (a bundled file,
    whose hash was checked: tests/test_encodings.py holds them to it), so they are
    numbered instead of parsed (~25 ms less at every start)."""
    parts = data.split()
    if len(parts) % 2:
        raise ValueError("rank file: every line must be 'base64-token rank'")
    ranks = range(len(parts) // 2) if in_order else map(int, parts[1::2])
    return dict(zip(map(binascii.a2b_base64, parts[0::2]), ranks, strict=True))


def _bundled_ranks(name: str) -> dict[bytes, int]:
    blob = (
        resources.files("ftprep.tokens")
        .joinpath("data")
        .joinpath(f"{name}.tiktoken.gz")
        .read_bytes()
    )
    data = gzip.decompress(blob)
    digest = hashlib.sha256(data).hexdigest()
    if digest != BUNDLED[name]:
        raise ConfigError(
            f"bundled encoding {name} is corrupt (sha256 {digest[:12]}…, expected "
            f"{BUNDLED[name][:12]}…); reinstall ftprep"
        )
    return parse_ranks(data, in_order=True)


def _constructor_params(name: str, ranks: dict[bytes, int]) -> dict[str, Any]:
    import tiktoken_ext.openai_public as public

    ctor = getattr(public, name)
    with _lock:
        original = public.load_tiktoken_bpe
        public.load_tiktoken_bpe = lambda *_a, **_k: ranks
        try:
            params: dict[str, Any] = ctor()
        finally:
            public.load_tiktoken_bpe = original
    return params


@lru_cache(maxsize=4)
def bundled_pattern(name: str) -> str:
    """The split pattern (regex) of a bundled encoding, as tiktoken's constructor gives it
    (no rank file read)."""
    return str(_constructor_params(name, {})["pat_str"])


@lru_cache(maxsize=8)
def get_encoding(name: str, pattern: str = "o200k_base") -> tiktoken.Encoding:
    """An encoding by name (bundled ones offline) or by path to a local ``.tiktoken`` file.

    A local rank file is split with ``pattern``, the regex of a bundled encoding:
    ``cl100k_base`` for Llama 3 style rank files, ``o200k_base`` otherwise.
    """
    if name in BUNDLED:
        return tiktoken.Encoding(**_constructor_params(name, _bundled_ranks(name)))
    path = Path(name)
    if path.suffix in (".tiktoken", ".gz", ".model") or "/" in name or "\\" in name:
        if pattern not in BUNDLED:
            raise ConfigError(f"unknown split pattern '{pattern}': use one of {', '.join(BUNDLED)}")
        try:
            raw = path.read_bytes()
            ranks = parse_ranks(gzip.decompress(raw) if path.suffix == ".gz" else raw)
        except FileNotFoundError:
            raise ConfigError(f"{name}: tiktoken rank file not found") from None
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            raise ConfigError(
                f"{name}: not a tiktoken rank file (one 'base64-token rank' pair per line): {exc}"
            ) from None
        if not ranks:
            raise ConfigError(f"{name}: tiktoken rank file is empty")
        params = _constructor_params(pattern, _bundled_ranks(pattern))
        n = max(ranks.values()) + 1
        return tiktoken.Encoding(
            name=path.name,
            pat_str=params["pat_str"],
            mergeable_ranks=ranks,
            special_tokens={"<|endoftext|>": n},
        )
    raise ConfigError(
        f"unknown encoding '{name}': use one of {', '.join(sorted(BUNDLED))} or a "
        "path to a local .tiktoken rank file (ftprep never downloads encodings)"
    )


def describe_encoding(name: str, pattern: str = "o200k_base") -> str:
    """Which tokenizer counts, in words, for the report."""
    if name in BUNDLED:
        return f"tiktoken {name} (bundled, sha256-verified)"
    return f"local rank file {name} ({pattern} split pattern)"
