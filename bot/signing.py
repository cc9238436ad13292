"""Signed, expiring tokens (HMAC-SHA256) for dashboard login links and session cookies."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

#: A secret shorter than this is refused: a guessable key forges every link and cookie.
MIN_SECRET_BYTES = 16


def new_secret() -> str:
    """A fresh random secret (URL-safe text, 256 bits)."""
    return secrets.token_urlsafe(32)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Signer:
    """Signs small JSON payloads for one ``purpose`` (a login link never opens as a cookie).

    A token is ``payload.signature``; the payload carries its expiry (``exp``, Unix seconds).
    """

    def __init__(self, secret: str, *, clock: Callable[[], datetime]) -> None:
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"the dashboard secret must be at least {MIN_SECRET_BYTES} bytes")
        self._key = hashlib.sha256(b"qunguan-dashboard\0" + secret.encode()).digest()
        self.clock = clock

    def _mac(self, purpose: str, body: str) -> str:
        message = purpose.encode() + b"\0" + body.encode("ascii")
        return _b64(hmac.new(self._key, message, hashlib.sha256).digest())

    def sign(self, purpose: str, payload: dict[str, Any], ttl: timedelta) -> str:
        data = {**payload, "exp": int((self.clock() + ttl).timestamp())}
        body = _b64(json.dumps(data, separators=(",", ":"), sort_keys=True).encode())
        return f"{body}.{self._mac(purpose, body)}"

    def read(self, purpose: str, token: str) -> dict[str, Any] | None:
        """The payload of a genuine, unexpired token for ``purpose``; None otherwise."""
        body, dot, mac = token.partition(".")
        if not dot or len(token) > 4096:
            return None
        if not hmac.compare_digest(mac.encode("ascii", "replace"),
                                   self._mac(purpose, body).encode("ascii")):
            return None
        try:
            data = json.loads(_unb64(body))
        except (ValueError, binascii.Error):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("exp"), int):
            return None
        if data["exp"] <= self.clock().timestamp():
            return None
        return data


@dataclass(frozen=True, slots=True)
class Ticket:
    """A login link's content: who it is for, its one-use nonce, and what it opens first."""

    user: str
    nonce: str
    name: str = ""
    chat: str = ""
    owner: bool = False


LOGIN = "login"
LOGIN_TTL = timedelta(minutes=10)


def mint(signer: Signer, user: str, *, name: str = "", chat: str = "", owner: bool = False,
         ttl: timedelta = LOGIN_TTL) -> str:
    """A login token for ``user`` (single use is enforced where it is redeemed)."""
    payload: dict[str, Any] = {"u": user, "n": secrets.token_urlsafe(12)}
    if name:
        payload["nm"] = name[:64]
    if chat:
        payload["c"] = chat
    if owner:
        payload["o"] = 1
    return signer.sign(LOGIN, payload, ttl)


def read_ticket(signer: Signer, token: str) -> Ticket | None:
    data = signer.read(LOGIN, token)
    if data is None or not isinstance(data.get("u"), str) or not isinstance(data.get("n"), str):
        return None
    return Ticket(user=data["u"], nonce=data["n"], name=str(data.get("nm", "")),
                  chat=str(data.get("c", "")), owner=bool(data.get("o")))


@dataclass
class LoginLinks:
    """Mints login links; the composition root sets ``signer`` and ``base`` once it started
    (the secret may live in the database, the port may be chosen by the OS)."""

    ttl: timedelta
    signer: Signer | None = None
    base: str = ""

    def link(self, user: str, *, name: str = "", chat: str = "", owner: bool = False,
             ttl: timedelta | None = None) -> str:
        if self.signer is None:
            raise RuntimeError("login links are not ready before the app started")
        token = mint(self.signer, user, name=name, chat=chat, owner=owner, ttl=ttl or self.ttl)
        return f"{self.base.rstrip('/')}/dashboard/login?t={token}"
