"""Delivery claims with a state: claimed by a worker under a lease, then done when durable.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

CLAIMED = sa.text("state = 'claimed'")


def upgrade() -> None:
    with op.batch_alter_table("processed_updates") as batch:
        batch.add_column(sa.Column("state", sa.String(length=8), nullable=False,
                                   server_default="done"))
        batch.add_column(sa.Column("worker", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_processed_updates_claimed", "processed_updates", ["worker"],
                    postgresql_where=CLAIMED, sqlite_where=CLAIMED)


def downgrade() -> None:
    op.drop_index("ix_processed_updates_claimed", table_name="processed_updates")
    with op.batch_alter_table("processed_updates") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("worker")
        batch.drop_column("state")
