"""Settings: where the sources and the store live, how the server runs, and its limits.

Every setting has a documented default, an environment variable, and (for `srg serve`) a flag;
but for `SRG_HUGE_PAGES` (on, off), read before the command line (`runtime/huge_pages.py`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

Number = TypeVar("Number", int, float)

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def _env(name: str, default: str) -> str:
    return os.environ.get(name, default)


class SettingError(ValueError):
    """An environment variable whose value the setting cannot take."""


def _env_number(name: str, default: str, kind: Callable[[str], Number]) -> Number:
    text = os.environ.get(name, default)
    try:
        return kind(text)
    except ValueError:
        whole = "a whole number" if kind is int else "a number"
        raise SettingError(f"{name} takes {whole}, not {text!r}") from None


def _env_size(name: str, default: str) -> int:
    try:
        return byte_size(os.environ.get(name, default))
    except ValueError as error:
        raise SettingError(f"{name}: {error}") from None


def _env_path(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).resolve() if value else default


def _env_url(name: str) -> str | None:
    return os.environ.get(name) or None


SWITCH = {"on": True, "true": True, "yes": True, "1": True}
SWITCH |= {"off": False, "false": False, "no": False, "0": False}


def switch(name: str, default: str, environ: Mapping[str, str] = os.environ) -> bool:
    """An on/off setting from the environment (on, off; true, false; yes, no; 1, 0)."""
    text = environ.get(name, default)
    try:
        return SWITCH[text.strip().lower()]
    except KeyError:
        raise ValueError(f"{name} takes on or off, not {text!r}") from None


SIZE_UNITS = {"": 1, "k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40}


def byte_size(text: str) -> int:
    """A size in bytes from `1073741824`, `512M`, `1GiB` or `1.5 GB` (binary units)."""
    number = text.strip().lower().removesuffix("b").removesuffix("i")
    unit = number[-1:] if number[-1:] in SIZE_UNITS else ""
    try:
        value = float(number.removesuffix(unit) if unit else number)
    except ValueError:
        raise ValueError(f"{text!r} is not a size; write bytes or e.g. 512M, 1G") from None
    if value < 0:
        raise ValueError(f"{text!r} is not a size; it is negative")
    return int(value * SIZE_UNITS[unit])


def _answer_cache_default() -> int:
    """A sixteenth of the machine's memory, at most 256 MiB."""
    memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return min(256 * 2**20, memory // 16)


def _env_tokens() -> tuple[str, ...]:
    return tuple(t.strip() for t in _env("SRG_WRITE_TOKENS", "").split(",") if t.strip())


@dataclass(frozen=True)
class Settings:
    """Everything configurable; environment variables are read when Settings() is made."""

    root: Path = field(default_factory=lambda: _env_path("SRG_ROOT", PACKAGE_ROOT))
    store: Path = field(
        default_factory=lambda: _env_path("SRG_STORE", PACKAGE_ROOT / "var" / "store")
    )
    host: str = field(default_factory=lambda: _env("SRG_HOST", "127.0.0.1"))
    port: int = field(default_factory=lambda: _env_number("SRG_PORT", "8000", int))
    write_tokens: tuple[str, ...] = field(default_factory=_env_tokens)
    query_timeout: float = field(
        default_factory=lambda: _env_number("SRG_QUERY_TIMEOUT", "10", float)
    )
    workers: int = field(default_factory=lambda: _env_number("SRG_WORKERS", "2", int))
    queue_timeout: float = field(
        default_factory=lambda: _env_number("SRG_QUEUE_TIMEOUT", "10", float)
    )
    # what one running query or update may take (0: no limit); see runtime/memory_limit.py
    max_query_memory: int = field(default_factory=lambda: _env_size("SRG_MAX_QUERY_MEMORY", "1G"))
    # memory for answers kept per dataset version (0: off); see web/answer_cache.py
    answer_cache: int = field(
        default_factory=lambda: _env_size("SRG_ANSWER_CACHE", str(_answer_cache_default()))
    )
    # past versions of the dataset the query worker keeps for time travel (each costs about
    # the dataset's memory; see dataset/versions.py)
    history_versions: int = field(
        default_factory=lambda: _env_number("SRG_HISTORY_VERSIONS", "2", int)
    )
    max_rows: int = field(default_factory=lambda: _env_number("SRG_MAX_ROWS", "100000", int))
    max_result_bytes: int = field(
        default_factory=lambda: _env_number("SRG_MAX_RESULT_BYTES", "52428800", int)
    )
    max_body_bytes: int = field(
        default_factory=lambda: _env_number("SRG_MAX_BODY_BYTES", "10485760", int)
    )
    # the smallest answer sent gzip-compressed to a client that accepts it; see web/compression.py
    compress_min_bytes: int = field(
        default_factory=lambda: _env_number("SRG_COMPRESS_MIN_BYTES", "1024", int)
    )
    max_query_chars: int = field(
        default_factory=lambda: _env_number("SRG_MAX_QUERY_CHARS", "100000", int)
    )
    max_depth: int = field(default_factory=lambda: _env_number("SRG_MAX_DEPTH", "64", int))
    base_iri: str = field(default_factory=lambda: _env("SRG_BASE_IRI", "https://w3id.org/srg/id/"))
    # Remote-store mode: serve a SPARQL 1.1 store instead of the embedded one.
    sparql_endpoint: str | None = field(default_factory=lambda: _env_url("SRG_SPARQL_ENDPOINT"))
    update_endpoint: str | None = field(default_factory=lambda: _env_url("SRG_UPDATE_ENDPOINT"))
    gsp_endpoint: str | None = field(default_factory=lambda: _env_url("SRG_GSP_ENDPOINT"))
    # how long a read-only replica may take its cached reports and ETags to be current
    remote_refresh: float = field(
        default_factory=lambda: _env_number("SRG_REMOTE_REFRESH", "10", float)
    )

    @property
    def remote(self) -> bool:
        return self.sparql_endpoint is not None

    @property
    def queries(self) -> Path:
        return self.root / "queries"


def read_token_file(path: Path) -> tuple[str, ...]:
    """Tokens from a file, one per line (blank lines and `#` comments ignored)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return tuple(t.strip() for t in lines if t.strip() and not t.lstrip().startswith("#"))
