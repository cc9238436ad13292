"""Alembic environment for async engines: a handed-over connection, or a URL (developer CLI)."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from storage.models import Base

config = context.config


def run_on(connection: Connection) -> None:
    """Run the migrations on a synchronous connection (inside ``AsyncConnection.run_sync``)."""
    context.configure(connection=connection, target_metadata=Base.metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


async def run_on_url(url: str) -> None:
    """The developer path (``alembic -x url=… revision --autogenerate``): own async engine."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(run_on)
    finally:
        await engine.dispose()


def main() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:  # storage.db.Database.upgrade() hands over its connection
        run_on(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option(
        "sqlalchemy.url")
    if not url:
        raise RuntimeError("run through storage.db.Database.upgrade() or pass -x url=<async url>")
    if context.is_offline_mode():
        context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(run_on_url(url))


main()
