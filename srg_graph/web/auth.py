"""Who may write: a bearer token from `SRG_WRITE_TOKENS` or `--token-file`.

Checked from the headers alone, before any body is read. A token may be named, `name:token`:
the name is the agent the history records for the write (`anonymous` for a bare token).
"""

from __future__ import annotations

import hmac

from .errors import HttpError

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="srg"'}


ANONYMOUS = "anonymous"


def named(entry: str) -> tuple[str, str]:
    """(agent name, secret) of a configured token: `name:token` or a bare token."""
    name, colon, secret = entry.partition(":")
    return (name, secret) if colon and name and secret else (ANONYMOUS, entry)


def check_bearer(authorization: str | None, tokens: tuple[str, ...]) -> str:
    """The agent a valid bearer token names; 403 when writes are off, 401 when the token is
    missing or wrong. Every configured token is compared (in constant time)."""
    if not tokens:
        raise HttpError(403, "writes are disabled: the server has no write token configured")
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HttpError(
            401, "this write needs an 'Authorization: Bearer <token>' header", CHALLENGE
        )
    given = token.strip().encode()
    agents = [
        name for name, secret in map(named, tokens) if hmac.compare_digest(given, secret.encode())
    ]
    if not agents:
        raise HttpError(401, "the bearer token is not valid for writes", CHALLENGE)
    return agents[0]
