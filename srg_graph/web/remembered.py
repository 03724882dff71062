"""Results of pure functions of a request's bytes or text, remembered for the small requests
that come again: `lru_cache` with a bound on what one entry may hold, so that the memory it
keeps stays small whatever the requests' size."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

R = TypeVar("R")
LARGEST = 16_384  # bytes or characters (of a call's arguments, together) that are remembered


def remembered(
    maxsize: int, largest: int = LARGEST
) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """The function's last `maxsize` results of calls whose `bytes` and `str` arguments hold
    at most `largest` bytes and characters together; a larger call is worked out each time.
    (An exception is not remembered.)"""

    def decorate(function: Callable[..., R]) -> Callable[..., R]:
        kept = functools.lru_cache(maxsize=maxsize)(function)

        @functools.wraps(function)
        def call(*args: Any) -> R:
            size = sum(len(arg) for arg in args if isinstance(arg, bytes | str))
            return kept(*args) if size <= largest else function(*args)

        return call

    return decorate
