"""Learned per-chat knowledge: long texts' near-duplicate sketches and trusted domains.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "text_posts",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("chat", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("posted_at", TS, nullable=False),
        sa.Column("sketch", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_text_posts_chat_time", "text_posts", ["chat", "posted_at"])
    op.create_index("ix_text_posts_time", "text_posts", ["posted_at"])
    op.create_table(
        "learned_domains",
        sa.Column("chat", sa.String(length=128), nullable=False),
        sa.Column("domain", sa.String(length=253), nullable=False),
        sa.Column("voters", sa.JSON(), nullable=False),
        sa.Column("trusted_at", TS, nullable=True),
        sa.Column("blocked_until", TS, nullable=True),
        sa.Column("last_used", TS, nullable=False),
        sa.PrimaryKeyConstraint("chat", "domain"),
    )


def downgrade() -> None:
    op.drop_table("learned_domains")
    op.drop_index("ix_text_posts_time", table_name="text_posts")
    op.drop_index("ix_text_posts_chat_time", table_name="text_posts")
    op.drop_table("text_posts")
