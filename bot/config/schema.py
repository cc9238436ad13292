"""The YAML configuration schema: pydantic models, unknown keys rejected everywhere."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from bot.decide import check_monotonic
from bot.verdict import Action

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: Any) -> timedelta:
    """``90`` (seconds), ``"10m"``, ``"2h"``, ``"3d"``, ``"1w"`` → timedelta."""
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        raise ValueError("a duration is a number of seconds or like 10m, 2h, 3d, 1w")
    if isinstance(value, int | float):
        return timedelta(seconds=float(value))
    match = _DURATION.match(str(value))
    if not match:
        raise ValueError(f"invalid duration {value!r}: use seconds or like 10m, 2h, 3d, 1w")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2).lower()])


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]


class Strict(BaseModel):
    """Base for config sections: typos are errors, never silently ignored defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class StorageConfig(Strict):
    url: str = "sqlite+aiosqlite:///qunguan.db"


class DashboardConfig(Strict):
    """The owner's web dashboard on the same server (``/dashboard/``)."""

    enabled: bool = True
    #: the signing secret comes only from this environment variable; unset, one is generated
    #: on first start and kept in the database (every worker then shares it)
    secret_env: str = "QUNGUAN_DASHBOARD_SECRET"
    link_ttl: Duration = timedelta(minutes=10)
    session_ttl: Duration = timedelta(hours=12)


class MetricsConfig(Strict):
    """``/metrics`` for Prometheus. Without ``port`` it is served on the main server and needs
    ``Authorization: Bearer <token>`` (the token from ``token_env``; unset: 404). With a
    ``port`` it is served only there, on 127.0.0.1, the token required only when set."""

    enabled: bool = True
    token_env: str = "QUNGUAN_METRICS_TOKEN"
    port: int | None = Field(None, ge=0, le=65535)


class ServerConfig(Strict):
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)
    metrics: MetricsConfig = MetricsConfig()
    #: the address members' browsers reach this server at (a reverse proxy's https://...);
    #: login links are built on it. Empty: http://<host>:<port>
    public_url: str = ""
    dashboard: DashboardConfig = DashboardConfig()


class TelegramConfig(Strict):
    """Telegram. The token comes only from the environment (TELEGRAM_BOT_TOKEN)."""

    enabled: bool = True
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""
    webhook_path: str = "/telegram/webhook"
    admin_cache_ttl: Duration = timedelta(minutes=5)
    drop_pending_updates: bool = False
    qr_max_bytes: int = Field(2 * 1024 * 1024, ge=0)  # photos fetched for QR checks; 0: off
    image_timeout: Duration = timedelta(seconds=5)


class OneBotConfig(Strict):
    """One OneBot implementation; tokens/secrets from env named by ``*_env`` keys."""

    name: str = "qq"
    version: Literal[11, 12] = 11
    impl: str = "napcat"
    platform: str = "qq"
    ws_path: str = ""
    http_path: str = ""
    api_url: str = ""
    access_token_env: str = "ONEBOT_ACCESS_TOKEN"
    secret_env: str = "ONEBOT_SECRET"
    action_timeout: Duration = timedelta(seconds=10)


class PlaygroundConfig(Strict):
    enabled: bool = True
    chat_title: str = "qunguan playground"


class EscalationStep(Strict):
    warns: int = Field(ge=1)
    action: Action
    duration: Duration | None = None

    @field_validator("action", mode="before")
    @classmethod
    def _action(cls, value: Any) -> Action:
        return Action.parse(value) if isinstance(value, str) else Action(value)


class LadderConfig(Strict):
    """Thresholds by total score, and escalation by active warns."""

    thresholds: dict[str, float] = Field(
        default_factory=lambda: {
            "flag": 3.0, "delete": 5.0, "warn": 6.0, "mute": 12.0, "kick": 20.0, "ban": 30.0,
        }
    )
    warn_expiry: Duration = timedelta(days=30)
    escalation: list[EscalationStep] = Field(
        default_factory=lambda: [
            EscalationStep(warns=2, action=Action.MUTE, duration=timedelta(days=1)),
            EscalationStep(warns=3, action=Action.KICK),
        ]
    )
    mute_default: Duration = timedelta(hours=1)

    @field_validator("thresholds")
    @classmethod
    def _monotonic(cls, value: dict[str, float]) -> dict[str, float]:
        parsed = {Action.parse(k): float(v) for k, v in value.items()}
        check_monotonic(parsed)
        return value

    @field_validator("escalation")
    @classmethod
    def _steps(cls, value: list[EscalationStep]) -> list[EscalationStep]:
        counts = [s.warns for s in value]
        if counts != sorted(set(counts)):
            raise ValueError("escalation steps must have increasing, distinct 'warns'")
        return value

    def action_thresholds(self) -> dict[Action, float]:
        return {Action.parse(k): float(v) for k, v in self.thresholds.items()}


class PolicyEntry(BaseModel):
    """``enabled`` and ``mode`` are ours; every other key is the policy's own option."""

    model_config = ConfigDict(extra="allow", frozen=True)

    enabled: bool = True
    mode: Literal["enforce", "observe"] = "enforce"

    @property
    def options(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class NoticeConfig(Strict):
    auto_delete: Duration = timedelta(seconds=60)
    keep: bool = False


class ProfileConfig(Strict):
    """A profile: what a chat enforces and how. Chats and named profiles override it."""

    language: Literal["zh-CN", "en"] = "zh-CN"
    timezone: str = "Asia/Shanghai"
    observe: bool = False
    topic: str = ""
    staff_contact: str = ""
    rules: list[str] = Field(default_factory=list)
    moderators: list[str] = Field(default_factory=list)
    log_chat: str = ""
    notices: NoticeConfig = NoticeConfig()
    ladder: LadderConfig = LadderConfig()
    scores: dict[str, float] = Field(default_factory=dict)
    caps: dict[str, float] = Field(default_factory=dict)
    policies: dict[str, PolicyEntry] = Field(default_factory=dict)
    features: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @field_validator("caps")
    @classmethod
    def _caps(cls, value: dict[str, float]) -> dict[str, float]:
        from bot.verdict import FAMILIES

        for key in value:
            unknown = [f for f in key.split("+") if f.strip().upper() not in FAMILIES]
            if unknown:
                raise ValueError(
                    f"caps: unknown family {unknown[0]!r} in {key!r} (families: "
                    f"{', '.join(FAMILIES)}; join several with '+', e.g. AD+SPAM)")
        return {"+".join(f.strip().upper() for f in k.split("+")): v for k, v in value.items()}

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown timezone {value!r} (use an IANA name like Asia/Shanghai)") from None
        return value


def normalise_chat_key(key: Any) -> str:
    """Chat keys are qualified (``tg:-100…``, ``qq:123``); a bare number means Telegram."""
    text = str(key).strip()
    return text if ":" in text else f"tg:{text}"


class NetworkConfig(Strict):
    """A network of groups (总群/分群): a shared profile, shared bans, summed contributions."""

    chats: list[str]
    #: the profile every chat of the network follows unless its own entry names another
    profile: str = ""
    core_chat: str = ""
    share_bans: bool = True
    invite_threshold: float | None = None

    @field_validator("chats", mode="before")
    @classmethod
    def _chat_ids(cls, value: Any) -> Any:
        """``[-1001, qq:7]``: bare numbers are chat ids too, as under ``chats:``."""
        return [str(v) if isinstance(v, int) else v for v in value] \
            if isinstance(value, list) else value

    @field_validator("core_chat", mode="before")
    @classmethod
    def _core_id(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) else value


class RaidConfig(Strict):
    """A burst in one chat switches it to raid handling (batched deletions, senders banned,
    one summary notice): ``ads`` removed ads or ``joins`` joins within ``within``; 0: off."""

    ads: int = Field(10, ge=0)
    joins: int = Field(20, ge=0)
    within: Duration = timedelta(seconds=10)
    ban: bool = True
    lock_new_members: Duration | None = None  # mute who joins during a raid this long


class AppConfig(Strict):
    storage: StorageConfig = StorageConfig()
    server: ServerConfig = ServerConfig()
    telegram: TelegramConfig = TelegramConfig()
    onebot: list[OneBotConfig] = Field(default_factory=list)
    playground: PlaygroundConfig = PlaygroundConfig()
    log_retention: Duration = timedelta(days=30)
    raid: RaidConfig = RaidConfig()
    defaults: dict[str, Any] = Field(default_factory=dict)
    profiles: dict[str, dict[str, Any]] = Field(default_factory=dict)
    chats: dict[str, dict[str, Any]] = Field(default_factory=dict)
    networks: dict[str, NetworkConfig] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _chat_profiles(self) -> AppConfig:
        for chat, raw in self.chats.items():
            profile = raw.get("profile")
            if profile is not None and profile not in self.profiles:
                known = ", ".join(sorted(self.profiles)) or "none defined"
                raise ValueError(f"chat {chat}: unknown profile {profile!r} ({known})")
        seen: dict[str, str] = {}
        for name, network in self.networks.items():
            if network.profile and network.profile not in self.profiles:
                known = ", ".join(sorted(self.profiles)) or "none defined"
                raise ValueError(
                    f"network {name}: unknown profile {network.profile!r} ({known})")
            for chat in network.chats:
                key = normalise_chat_key(chat)
                if key in seen and seen[key] != name:
                    raise ValueError(f"chat {chat} is in two networks: {seen[key]} and {name}")
                seen[key] = name
        return self

    def network_profiles(self) -> dict[str, str]:
        """Chat key → the profile its network shares (networks without one left out)."""
        return {normalise_chat_key(chat): network.profile
                for network in self.networks.values() if network.profile
                for chat in network.chats}
