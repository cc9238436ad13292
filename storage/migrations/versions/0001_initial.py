"""Initial schema: chats, members, warns, the moderation log, community state, bookkeeping.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

#: Aware timestamps (timestamptz on PostgreSQL; storage.models.UTCDateTime adds UTC on SQLite).
TS = sa.DateTime(timezone=True)
#: 64-bit row ids on servers; SQLite needs INTEGER PRIMARY KEY to alias the rowid.
BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "chat_state",
        sa.Column("chat", sa.String(length=128), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("chat", "key"),
    )
    op.create_table(
        "chats",
        sa.Column("chat", sa.String(length=128), nullable=False),
        sa.Column("platform", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("chat_type", sa.String(length=32), nullable=False),
        sa.Column("profile", sa.String(length=64), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("missing_rights", sa.JSON(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("member_count", sa.Integer(), nullable=True),
        sa.Column("added_at", TS, nullable=True),
        sa.Column("updated_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("chat"),
    )
    op.create_table(
        "checkins",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("chat", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chat", "user_id", "day", name="uq_checkin_day"),
    )
    op.create_table(
        "classifier_state",
        sa.Column("scope", sa.String(length=128), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("scope"),
    )
    op.create_table(
        "contributions",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("chat", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("points", sa.Float(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_contrib_member_time", "contributions", ["chat", "user_id", "created_at"], unique=False
    )

    op.create_table(
        "duty_roster",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("chat", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chat", "user_id", name="uq_duty_member"),
    )
    op.create_table(
        "gates",
        sa.Column("chat", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("answer", sa.String(length=64), nullable=False),
        sa.Column("ref", sa.String(length=256), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("deadline", TS, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("chat", "user_id"),
    )
    op.create_index("ix_gates_deadline", "gates", ["deadline"], unique=False)

    op.create_table(
        "join_queue",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("chat", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("ref", sa.String(length=256), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("chat", "user_id", name="uq_join_queue_member"),
    )
    op.create_table(
        "members",
        sa.Column("chat", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("name", sa.String(length=256), nullable=False),
        sa.Column("username", sa.String(length=128), nullable=False),
        sa.Column("role", sa.Integer(), nullable=False),
        sa.Column("joined_at", TS, nullable=True),
        sa.Column("left_at", TS, nullable=True),
        sa.Column("first_seen", TS, nullable=True),
        sa.Column("last_seen", TS, nullable=True),
        sa.Column("message_count", sa.Integer(), nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("voice_allowed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("chat", "user_id"),
    )
    op.create_index("ix_members_user", "members", ["user_id"], unique=False)
    op.create_index("ix_members_username", "members", ["username"], unique=False)

    op.create_table(
        "mod_log",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("chat", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.Integer(), nullable=False),
        sa.Column("shadow_action", sa.Integer(), nullable=True),
        sa.Column("degraded_from", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("symbols", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("observe", sa.Boolean(), nullable=False),
        sa.Column("warn_id", BIGID, nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("until", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("undone_at", TS, nullable=True),
        sa.Column("undone_by", sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_mod_log_chat_time", "mod_log", ["chat", "created_at"], unique=False)
    op.create_index("ix_mod_log_created_at", "mod_log", ["created_at"], unique=False)

    op.create_table(
        "pending_deletions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("chat", sa.String(length=128), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("due", TS, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pending_deletions_due", "pending_deletions", ["due"], unique=False)

    op.create_table(
        "processed_updates",
        sa.Column("key", sa.String(length=190), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index(
        "ix_processed_updates_created_at", "processed_updates", ["created_at"], unique=False
    )

    op.create_table(
        "warns",
        sa.Column("id", BIGID, autoincrement=True, nullable=False),
        sa.Column("chat", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.String(length=128), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_warns_member", "warns", ["chat", "user_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_warns_member", table_name="warns")

    op.drop_table("warns")
    op.drop_index("ix_processed_updates_created_at", table_name="processed_updates")

    op.drop_table("processed_updates")
    op.drop_index("ix_pending_deletions_due", table_name="pending_deletions")

    op.drop_table("pending_deletions")
    op.drop_index("ix_mod_log_created_at", table_name="mod_log")
    op.drop_index("ix_mod_log_chat_time", table_name="mod_log")

    op.drop_table("mod_log")
    op.drop_index("ix_members_username", table_name="members")
    op.drop_index("ix_members_user", table_name="members")

    op.drop_table("members")
    op.drop_table("join_queue")
    op.drop_index("ix_gates_deadline", table_name="gates")

    op.drop_table("gates")
    op.drop_table("duty_roster")
    op.drop_index("ix_contrib_member_time", table_name="contributions")

    op.drop_table("contributions")
    op.drop_table("classifier_state")
    op.drop_table("checkins")
    op.drop_table("chats")
    op.drop_table("chat_state")
