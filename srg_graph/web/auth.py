"""Who may write: a bearer token from `SRG_WRITE_TOKENS` or `--token-file`.

Checked from the headers alone, before any body is read.
"""

from __future__ import annotations

import hmac

from .errors import HttpError

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="srg"'}


def check_bearer(authorization: str | None, tokens: tuple[str, ...]) -> None:
    """Raise 403 when writes are off, 401 when the token is missing or wrong."""
    if not tokens:
        raise HttpError(403, "writes are disabled: the server has no write token configured")
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HttpError(
            401, "this write needs an 'Authorization: Bearer <token>' header", CHALLENGE
        )
    if not any(hmac.compare_digest(token.strip().encode(), t.encode()) for t in tokens):
        raise HttpError(401, "the bearer token is not valid for writes", CHALLENGE)
