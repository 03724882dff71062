"""Content negotiation: Accept -> media type, Accept-Language -> language. Standard library only.

Follows RFC 9110 section 12.5.1: the quality of an offered type is the q of the *most specific*
media range that matches it (so `*/*, text/csv;q=0` refuses CSV), not the highest q among all
ranges that match. Ties are broken by that range's specificity, then by the server's order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .remembered import remembered

# RFC 9110 qvalue: "0" ["." 0*3DIGIT] / "1" ["." 0*3("0")]. Looser numbers such as "0.8000" or
# "2" are clamped into [0, 1] rather than dropped, because clients that send them mean a weight.
_EXACT, _SUBTYPE_WILDCARD, _ANY = 2, 1, 0


@dataclass(frozen=True)
class MediaRange:
    """One member of an Accept header, lower-cased; `params` excludes q and accept-ext."""

    type: str
    subtype: str
    params: dict[str, str] = field(default_factory=dict)
    q: float = 1.0

    @property
    def specificity(self) -> int:
        if self.type == "*":
            return _ANY
        return _SUBTYPE_WILDCARD if self.subtype == "*" else _EXACT

    def matches(self, media_type: str) -> bool:
        """Whether this range covers `media_type` (type/subtype; parameters ignored)."""
        type_, _, subtype = media_type.partition(";")[0].strip().lower().partition("/")
        if self.type == "*":
            return True
        return self.type == type_ and self.subtype in ("*", subtype)


def _parse_q(value: str) -> float | None:
    try:
        q = float(value)
    except ValueError:
        return None
    if q != q:  # NaN compares false with everything; it carries no preference
        return None
    return min(max(q, 0.0), 1.0)


def _parse_member(member: str) -> MediaRange | None:
    head, *raw_params = member.split(";")
    type_, slash, subtype = head.strip().lower().partition("/")
    if not slash or not _is_token(type_) or not _is_token(subtype):
        return None
    if type_ == "*" and subtype != "*":
        return None
    params: dict[str, str] = {}
    q = 1.0
    for raw in raw_params:
        name, eq, value = raw.strip().partition("=")
        name = name.strip().lower()
        if not eq or not name:
            continue
        if name == "q":
            parsed = _parse_q(value.strip())
            if parsed is None:
                return None  # an unreadable weight makes the whole member unreadable
            q = parsed
            break  # what follows q are accept-ext, not media-type parameters
        params[name] = value.strip().strip('"')
    return MediaRange(type_, subtype, params, q)


_TOKEN_CHARS = frozenset("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz")


def _is_token(text: str) -> bool:
    return bool(text) and all(char in _TOKEN_CHARS for char in text)


def parse_accept(header: str | None) -> list[MediaRange]:
    """The readable media ranges of an Accept header, in header order.

    Malformed members (no slash, bad characters, `*/json`, a q that is not a number) are
    skipped, so one bad member cannot turn a header into "accept nothing". Numeric q outside
    [0, 1] is clamped.
    """
    if not header:
        return []
    ranges = (_parse_member(member) for member in header.split(","))
    return [media_range for media_range in ranges if media_range is not None]


def _best_range(ranges: Sequence[MediaRange], offer: str) -> MediaRange | None:
    """The most specific range that matches `offer`; ties go to the first in the header."""
    matching = [media_range for media_range in ranges if media_range.matches(offer)]
    return max(matching, key=lambda r: r.specificity, default=None)


def choose(accept: str | None, offered: Sequence[str], default: str | None = None) -> str | None:
    """The best offered media type for an Accept header, or None when none is acceptable.

    Ranking: q-value, then specificity of the range that matched (type/subtype > type/* > */*),
    then the order of `offered`. A missing, empty or wholly unreadable Accept means "anything",
    which answers `default` (or the first offer). None means the caller should answer 406.
    """
    return _choose(accept, tuple(offered), default)


# Clients send the same few Accept headers again and again; reading one is a few tens of
# microseconds, a good part of a small answer. Remembered up to this length (a few KiB kept).
@remembered(maxsize=64, largest=512)
def _choose(accept: str | None, offered: tuple[str, ...], default: str | None) -> str | None:
    ranges = parse_accept(accept)
    if not ranges:
        return default if default is not None else (offered[0] if offered else None)
    best: tuple[float, int, int] | None = None
    chosen: str | None = None
    for position, offer in enumerate(offered):
        media_range = _best_range(ranges, offer)
        if media_range is None or media_range.q <= 0:
            continue
        rank = (media_range.q, media_range.specificity, -position)
        if best is None or rank > best:
            best, chosen = rank, offer
    return chosen


def _is_language_tag(tag: str) -> bool:
    return all(part.isascii() and part.isalnum() for part in tag.split("-"))


def _parse_language_ranges(header: str) -> list[tuple[str, float]]:
    ranges = []
    for member in header.split(","):
        tag, *raw_params = member.split(";")
        tag = tag.strip().lower()
        if tag != "*" and not _is_language_tag(tag):
            continue
        q: float | None = 1.0
        for raw in raw_params:
            name, _, value = raw.strip().partition("=")
            if name.strip().lower() == "q":
                q = _parse_q(value.strip())
        if q is not None:
            ranges.append((tag, q))
    return ranges


def _language_matches(language_range: str, tag: str) -> bool:
    """RFC 4647 basic filtering (`nl` covers `nl-BE`) plus lookup's fallback (`nl-BE` -> `nl`)."""
    if language_range == tag:
        return True
    return tag.startswith(language_range + "-") or language_range.startswith(tag + "-")


def _language_q(ranges: Sequence[tuple[str, float]], tag: str) -> float | None:
    """The weight of `tag`: the best specific range that covers it, else the `*` range."""
    tag = tag.lower()
    specific = [q for language_range, q in ranges if _language_matches(language_range, tag)]
    if specific:
        return max(specific)
    wildcard = [q for language_range, q in ranges if language_range == "*"]
    return max(wildcard) if wildcard else None


def choose_language(accept_language: str | None, available: Sequence[str], default: str) -> str:
    """The best available language for an Accept-Language header; `default` when none fits.

    Languages the header rates q=0 are never chosen; ties go to the order of `available`.
    """
    ranges = _parse_language_ranges(accept_language or "")
    best_q, chosen = 0.0, default
    for tag in available:
        q = _language_q(ranges, tag)
        if q is not None and q > best_q:
            best_q, chosen = q, tag
    return chosen
