"""Authentication of OneBot traffic: Bearer access tokens and ``X-Signature`` HMAC-SHA1."""

from __future__ import annotations

import hashlib
import hmac

from aiohttp import web


def presented_token(request: web.Request) -> str | None:
    """The token a client presents: ``Authorization: Bearer|Token x`` or ``?access_token=x``."""
    header = request.headers.get("Authorization", "").strip()
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() in ("bearer", "token") and value.strip():
            return value.strip()
        return ""
    query = request.query.get("access_token")
    return query if query is not None else None


def check_token(request: web.Request, expected: str) -> web.Response | None:
    """None when allowed; 401 when no token is presented, 403 when it is wrong."""
    if not expected:
        return None
    token = presented_token(request)
    if token is None:
        return web.Response(status=401, text="missing access token")
    if not hmac.compare_digest(token.encode(), expected.encode()):
        return web.Response(status=403, text="wrong access token")
    return None


def sign(secret: str, body: bytes) -> str:
    """The ``X-Signature`` header value for ``body``: ``sha1=<hex HMAC-SHA1(secret, body)>``."""
    return "sha1=" + hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


def check_signature(secret: str, body: bytes, header: str | None) -> web.Response | None:
    """None when allowed; 401 when the signature is missing, 403 when it does not match."""
    if not secret:
        return None
    if not header:
        return web.Response(status=401, text="missing X-Signature")
    if not hmac.compare_digest(header.strip().lower().encode(), sign(secret, body).encode()):
        return web.Response(status=403, text="bad X-Signature")
    return None
