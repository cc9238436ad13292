"""The community features' YAML (``features:`` of a profile or chat), validated strictly."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from bot.config import LoadedConfig, ProfileConfig
from bot.config.schema import Duration
from bot.scheduler import parse_schedule, parse_time

_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CheckinOptions(Strict):
    """打卡: once per local day; streaks; a challenge with milestones."""

    enabled: bool = False
    plain_words: bool = True
    words: list[str] = Field(default_factory=lambda: ["打卡", "签到"])
    challenge_days: int = Field(21, ge=1)
    milestones: list[int] = Field(default_factory=lambda: [7, 14, 21])
    keep: bool = False


DEFAULT_WEIGHTS = {"message": 1.0, "reply_received": 2.0, "mention_received": 1.0,
                   "thanks": 5.0, "reaction_received": 1.0, "checkin": 2.0, "violation": -5.0}
DEFAULT_CAPS = {"message": 20.0, "reply_received": 20.0, "mention_received": 10.0,
                "reaction_received": 10.0}
FILLER = ["哈哈", "哈哈哈", "嗯", "嗯嗯", "好", "好的", "ok", "okay", "收到", "1", "+1", "666",
          "lol", "thx", "谢谢", "在吗", "早", "早安", "晚安", "？", "?", "。"]


class PointsOptions(Strict):
    """Contribution points: weights per kind, daily caps, what earns nothing."""

    enabled: bool = False
    weights: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    daily_caps: dict[str, float] = Field(default_factory=lambda: dict(DEFAULT_CAPS))
    thanks_per_day: int = Field(3, ge=0)
    min_length: int = Field(4, ge=0)
    filler: list[str] = Field(default_factory=lambda: list(FILLER))
    keep: bool = False

    @field_validator("weights", "daily_caps")
    @classmethod
    def _kinds(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(DEFAULT_WEIGHTS))
        if unknown:
            raise ValueError(f"unknown kind(s) {unknown}; known: {sorted(DEFAULT_WEIGHTS)}")
        return value

    _fillers: frozenset[str] = PrivateAttr(default=frozenset())

    def model_post_init(self, context: Any) -> None:
        self._fillers = frozenset(fold(f) for f in self.filler)

    def weight(self, kind: str) -> float:
        return self.weights.get(kind, DEFAULT_WEIGHTS[kind])

    def is_filler(self, folded: str) -> bool:
        """``folded`` (see ``fold``) is one of the filler phrases."""
        return folded in self._fillers


def fold(text: str) -> str:
    """Punctuation and spaces dropped, lower case: how messages are compared with fillers."""
    return _PUNCT.sub("", text).lower()


class DutyOptions(Strict):
    """轮值: a rotation announced every day at a local time."""

    enabled: bool = False
    roster: list[str] = Field(default_factory=list)
    at: str = "09:00"
    remind_private: bool = True
    keep: bool = True

    @field_validator("at")
    @classmethod
    def _at(cls, value: str) -> str:
        parse_time(value)
        return value


class RosterOptions(Strict):
    """A weekly inactivity report; optional removal after a notice period."""

    enabled: bool = False
    inactive_days: int = Field(30, ge=1)
    report: str = "weekly mon 10:00"
    report_to: list[str] = Field(default_factory=list)
    remove: bool = False
    notice: Duration = timedelta(days=7)
    grace: Duration = timedelta(days=14)

    @field_validator("report")
    @classmethod
    def _report(cls, value: str) -> str:
        parse_schedule(value)
        return value


class CapacityOptions(Strict):
    """A member cap; join requests beyond it wait in a first-come queue."""

    enabled: bool = False
    capacity: int = Field(500, ge=1)
    keep: bool = False


class GateOptions(Strict):
    """New members are muted until they accept the rules or solve a challenge."""

    enabled: bool = False
    mode: Literal["button", "challenge"] = "button"
    timeout: Duration = timedelta(minutes=5)
    requests_in_private: bool = True
    clean_service_messages: bool = True
    welcome: str = ""


class ScheduledPost(Strict):
    schedule: str
    text: str
    text_en: str = ""
    keep: bool = True

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: str) -> str:
        parse_schedule(value)
        return value


class ScheduleOptions(Strict):
    posts: list[ScheduledPost] = Field(default_factory=list)


class NetworkOptions(Strict):
    """Extra per-chat settings for the chat's network (the network itself is top-level YAML)."""

    invite_link: str = ""


class Community(Strict):
    checkin: CheckinOptions = CheckinOptions()
    points: PointsOptions = PointsOptions()
    duty: DutyOptions = DutyOptions()
    roster: RosterOptions = RosterOptions()
    capacity: CapacityOptions = CapacityOptions()
    gate: GateOptions = GateOptions()
    schedule: ScheduleOptions = ScheduleOptions()
    network: NetworkOptions = NetworkOptions()


FEATURES = frozenset(Community.model_fields)


def parse_features(features: dict[str, dict[str, Any]]) -> Community:
    """Validate the community keys of ``features`` (other keys belong to other features)."""
    return Community.model_validate({k: v for k, v in features.items() if k in FEATURES})


class CommunityBook:
    """Validated options per profile object; every profile is checked once at start."""

    def __init__(self, config: LoadedConfig) -> None:
        self.config = config
        self._cache: dict[int, tuple[ProfileConfig, Community]] = {}
        problems: list[str] = []
        named = [("defaults", config.default),
                 *((f"profiles.{k}", v) for k, v in config.profiles.items()),
                 *((f"chats.{k}", v) for k, v in config.chats.items())]
        for where, profile in named:
            try:
                self.of_profile(profile)
            except ValidationError as exc:
                for err in exc.errors():
                    loc = ".".join(str(p) for p in err["loc"])
                    problems.append(f"{config.source}: {where}.features.{loc}: {err['msg']}")
        if problems:
            raise ValueError("\n".join(problems))

    def of_profile(self, profile: ProfileConfig) -> Community:
        found = self._cache.get(id(profile))
        if found is None or found[0] is not profile:
            found = self._cache[id(profile)] = (profile, parse_features(profile.features))
        return found[1]

    def get(self, chat: str) -> Community:
        return self.of_profile(self.config.for_chat(chat))
