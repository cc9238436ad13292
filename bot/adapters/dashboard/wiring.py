"""Serve the dashboard: the signing secret (env, else generated once and kept), sessions, routes."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from aiohttp import web
from sqlalchemy.exc import IntegrityError

from bot.config import LoadedConfig
from bot.desk import Desk
from bot.signing import LoginLinks, Signer, new_secret
from storage.db import Database
from storage.state import StateRepo
from storage.updates import mark_processed

from .server import Claim, Dashboard
from .session import Sessions

log = logging.getLogger(__name__)

#: Where a generated secret is kept: every worker on the database then signs alike.
_KEY = ("", "dashboard:secret")


async def dashboard_secret(db: Database, env: Mapping[str, str], name: str,
                           now: datetime) -> str:
    """``env[name]`` when set; else the stored secret, generated and stored the first time."""
    if env.get(name, "").strip():
        return env[name].strip()
    async with db.session() as session:
        stored = (await StateRepo(session).get(*_KEY)).get("secret")
    if isinstance(stored, str) and stored:
        return stored
    try:  # the first worker to store one wins; a worker starting with it adopts it below
        async with db.session() as session:
            if await StateRepo(session).put_new(*_KEY, {"secret": new_secret()}, now):
                log.info("dashboard: generated a signing secret (set %s to choose one)", name)
    except IntegrityError:  # the conflict surfaced at commit (PostgreSQL, concurrent insert)
        pass
    async with db.session() as session:  # every worker signs with the one stored
        return str((await StateRepo(session).get(*_KEY))["secret"])


def single_use(db: Database, clock: Callable[[], datetime]) -> Claim:
    """A nonce is accepted once: an atomic insert-if-absent into the processed-keys table, done
    at once (not the lease of an update's claim, which another worker may take over); the
    ledger forgets keys after its horizon, long after any link expired)."""

    async def claim(nonce: str) -> bool:
        async with db.session() as session:
            return await mark_processed(session, f"dashboard-login:{nonce}", clock())

    return claim


def base_url(config: LoadedConfig, port: int) -> str:
    server = config.app.server
    if server.public_url:
        return server.public_url.rstrip("/")
    host = "127.0.0.1" if server.host in ("0.0.0.0", "::", "") else server.host
    return f"http://{host}:{port}"


async def install_dashboard(app: web.Application, *, config: LoadedConfig, db: Database,
                            desk: Desk, links: LoginLinks, env: Mapping[str, str],
                            clock: Callable[[], datetime]) -> Dashboard | None:
    """Add ``/dashboard/`` to ``app`` and make ``links`` able to mint; None when turned off."""
    settings = config.app.server.dashboard
    if not settings.enabled:
        return None
    secret = await dashboard_secret(db, env, settings.secret_env, clock())
    signer = Signer(secret, clock=clock)
    sessions = Sessions(signer, ttl=settings.session_ttl,
                        secure=config.app.server.public_url.startswith("https://"))
    dashboard = Dashboard(desk, signer, sessions, single_use(db, clock))
    dashboard.install(app)
    links.signer = signer
    return dashboard
