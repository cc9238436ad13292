"""ORM models: typed tables for chats, members, warns, the log, community state and bookkeeping."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

ID = String(128)
#: Row ids of the big append-only tables: 64-bit on servers; SQLite needs INTEGER to alias rowid.
BIGID = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every dialect (SQLite stores naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to storage; use aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base: ``datetime`` annotations map to aware-UTC columns, dicts to JSON."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(),
                                                    dict[str, Any]: JSON}


class ChatRow(Base):
    __tablename__ = "chats"
    chat: Mapped[str] = mapped_column(ID, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(256), default="")
    chat_type: Mapped[str] = mapped_column(String(32), default="group")
    profile: Mapped[str] = mapped_column(String(64), default="default")
    language: Mapped[str] = mapped_column(String(8), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    missing_rights: Mapped[list[str]] = mapped_column(JSON, default=list)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    member_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    added_at: Mapped[datetime | None] = mapped_column(nullable=True)
    updated_at: Mapped[datetime | None] = mapped_column(nullable=True)


class MemberRow(Base):
    __tablename__ = "members"
    __table_args__ = (Index("ix_members_user", "user_id"),)
    chat: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(256), default="")
    username: Mapped[str] = mapped_column(String(128), default="", index=True)
    role: Mapped[int] = mapped_column(Integer, default=0)
    joined_at: Mapped[datetime | None] = mapped_column(nullable=True)
    left_at: Mapped[datetime | None] = mapped_column(nullable=True)
    first_seen: Mapped[datetime | None] = mapped_column(nullable=True)
    last_seen: Mapped[datetime | None] = mapped_column(nullable=True)
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    approved: Mapped[bool] = mapped_column(Boolean, default=False)
    voice_allowed: Mapped[bool] = mapped_column(Boolean, default=False)


class WarnRow(Base):
    __tablename__ = "warns"
    __table_args__ = (Index("ix_warns_member", "chat", "user_id"),)
    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    chat: Mapped[str] = mapped_column(ID)
    user_id: Mapped[str] = mapped_column(ID)
    reason: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(ID, default="auto")
    created_at: Mapped[datetime] = mapped_column()
    expires_at: Mapped[datetime] = mapped_column()
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class LogRow(Base):
    __tablename__ = "mod_log"
    __table_args__ = (Index("ix_mod_log_chat_time", "chat", "created_at"),
                      Index("ix_mod_log_created_at", "created_at"))
    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    chat: Mapped[str] = mapped_column(ID)
    user_id: Mapped[str] = mapped_column(ID)
    message_id: Mapped[str] = mapped_column(String(64), default="")
    action: Mapped[int] = mapped_column(Integer)
    shadow_action: Mapped[int | None] = mapped_column(Integer, nullable=True)
    degraded_from: Mapped[int | None] = mapped_column(Integer, nullable=True)
    actor: Mapped[str] = mapped_column(ID, default="auto")
    score: Mapped[float] = mapped_column(Float, default=0.0)
    symbols: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    reason: Mapped[str] = mapped_column(Text, default="")
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    observe: Mapped[bool] = mapped_column(Boolean, default=False)
    warn_id: Mapped[int | None] = mapped_column(BIGID, nullable=True)
    outcome: Mapped[str] = mapped_column(Text, default="pending")
    until: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column()
    undone_at: Mapped[datetime | None] = mapped_column(nullable=True)
    undone_by: Mapped[str] = mapped_column(ID, default="")


class ContributionRow(Base):
    __tablename__ = "contributions"
    __table_args__ = (Index("ix_contrib_member_time", "chat", "user_id", "created_at"),)
    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    chat: Mapped[str] = mapped_column(ID)
    user_id: Mapped[str] = mapped_column(ID)
    kind: Mapped[str] = mapped_column(String(32))
    points: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column()


class DailyTallyRow(Base):
    """Capped points granted per member, kind and local day: the cap's one shared counter."""

    __tablename__ = "daily_tallies"
    chat: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    used: Mapped[float] = mapped_column(Float, default=0.0)
    #: what the last claim granted (set by the same UPDATE that raises ``used``)
    granted: Mapped[float] = mapped_column(Float, default=0.0)


class CheckinRow(Base):
    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("chat", "user_id", "day", name="uq_checkin_day"),)
    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    chat: Mapped[str] = mapped_column(ID)
    user_id: Mapped[str] = mapped_column(ID)
    day: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column()


class JoinQueueRow(Base):
    __tablename__ = "join_queue"
    __table_args__ = (UniqueConstraint("chat", "user_id", name="uq_join_queue_member"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat: Mapped[str] = mapped_column(ID)
    user_id: Mapped[str] = mapped_column(ID)
    name: Mapped[str] = mapped_column(String(256), default="")
    ref: Mapped[str] = mapped_column(String(256), default="")
    created_at: Mapped[datetime] = mapped_column()


class ProcessedRow(Base):
    """A delivery key: ``claimed`` by ``worker`` until ``lease_until`` (renewed while it
    works), then ``done`` once the update's effects are durable (one process writes ``done``)."""

    __tablename__ = "processed_updates"
    __table_args__ = (Index("ix_processed_updates_claimed", "worker",
                            postgresql_where=text("state = 'claimed'"),
                            sqlite_where=text("state = 'claimed'")),)
    key: Mapped[str] = mapped_column(String(190), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(index=True)
    state: Mapped[str] = mapped_column(String(8), server_default="done")
    worker: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column()


class PendingDeletionRow(Base):
    __tablename__ = "pending_deletions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat: Mapped[str] = mapped_column(ID)
    message_id: Mapped[str] = mapped_column(String(64))
    due: Mapped[datetime] = mapped_column(index=True)


class ClassifierRow(Base):
    __tablename__ = "classifier_state"
    scope: Mapped[str] = mapped_column(ID, primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column()


class DutyRow(Base):
    __tablename__ = "duty_roster"
    __table_args__ = (UniqueConstraint("chat", "user_id", name="uq_duty_member"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    chat: Mapped[str] = mapped_column(ID)
    user_id: Mapped[str] = mapped_column(ID)
    name: Mapped[str] = mapped_column(String(256), default="")
    created_at: Mapped[datetime] = mapped_column()


class GateRow(Base):
    __tablename__ = "gates"
    chat: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, primary_key=True)
    answer: Mapped[str] = mapped_column(String(64), default="")
    ref: Mapped[str] = mapped_column(String(256), default="")
    message_id: Mapped[str] = mapped_column(String(64), default="")
    deadline: Mapped[datetime] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column()


class CounterRow(Base):
    """Small per-chat key/value counters and markers (e.g. last duty announcement)."""

    __tablename__ = "chat_state"
    chat: Mapped[str] = mapped_column(ID, primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column()


class TextPostRow(Base):
    """A long text's near-duplicate sketch (learned repetition), kept for a bounded window."""

    __tablename__ = "text_posts"
    __table_args__ = (Index("ix_text_posts_chat_time", "chat", "posted_at"),
                      Index("ix_text_posts_time", "posted_at"))
    id: Mapped[int] = mapped_column(BIGID, primary_key=True, autoincrement=True)
    chat: Mapped[str] = mapped_column(ID)
    user_id: Mapped[str] = mapped_column(ID)
    message_id: Mapped[str] = mapped_column(String(64), default="")
    posted_at: Mapped[datetime] = mapped_column()
    sketch: Mapped[bytes] = mapped_column(LargeBinary)


class LearnedDomainRow(Base):
    """A domain a chat is learning to trust (or has learned, or has been told not to)."""

    __tablename__ = "learned_domains"
    chat: Mapped[str] = mapped_column(ID, primary_key=True)
    domain: Mapped[str] = mapped_column(String(253), primary_key=True)
    #: the established members whose unmoderated messages carried it (bounded)
    voters: Mapped[list[str]] = mapped_column(JSON, default=list)
    trusted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    blocked_until: Mapped[datetime | None] = mapped_column(nullable=True)
    last_used: Mapped[datetime] = mapped_column()


class MemberDayRow(Base):
    """Messages per member and day (the chat's local day when the recorder knows its zone)."""

    __tablename__ = "member_days"
    __table_args__ = (Index("ix_member_days_chat_day", "chat", "day"),)
    chat: Mapped[str] = mapped_column(ID, primary_key=True)
    user_id: Mapped[str] = mapped_column(ID, primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    messages: Mapped[int] = mapped_column(Integer, default=0)


class ActivityHourRow(Base):
    """Messages per chat and UTC hour (``hour`` truncated to the hour, aware UTC)."""

    __tablename__ = "activity_hours"
    chat: Mapped[str] = mapped_column(ID, primary_key=True)
    hour: Mapped[datetime] = mapped_column(primary_key=True)
    messages: Mapped[int] = mapped_column(Integer, default=0)


#: Every table with a ``chat`` column, for migrating a chat's rows to a new id.
CHAT_TABLES: tuple[type[Base], ...] = (
    MemberRow, WarnRow, LogRow, ContributionRow, CheckinRow, JoinQueueRow, PendingDeletionRow,
    DutyRow, GateRow, CounterRow, DailyTallyRow, TextPostRow, LearnedDomainRow, MemberDayRow,
    ActivityHourRow,
)
