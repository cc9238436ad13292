"""Insights for the dashboard: messages per member and day, messages per chat and UTC hour.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "member_days",
        sa.Column("chat", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("chat", "user_id", "day"),
    )
    op.create_index("ix_member_days_chat_day", "member_days", ["chat", "day"])
    op.create_table(
        "activity_hours",
        sa.Column("chat", sa.String(length=128), nullable=False),
        sa.Column("hour", TS, nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("chat", "hour"),
    )


def downgrade() -> None:
    op.drop_table("activity_hours")
    op.drop_index("ix_member_days_chat_day", table_name="member_days")
    op.drop_table("member_days")
