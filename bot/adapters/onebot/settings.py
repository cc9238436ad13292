"""OneBot adapter settings: protocol version, implementation, endpoints and secrets."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config.schema import OneBotConfig

#: Implementations known to speak WeChat rather than QQ.
_WECHAT_IMPLS = frozenset({"comwechat", "comwechatbotclient"})


@dataclass(frozen=True)
class OneBotSettings:
    """One OneBot endpoint on our server (possibly serving several bot accounts).

    ``impl`` selects the capability table (``napcat``, ``llbot``, ``go-cqhttp``, ``lagrange``,
    ``comwechat``, …). ``platform`` is the prefix of qualified ids: ``qq`` for QQ
    implementations, ``wx`` for ComWeChat; left empty it is inferred from ``impl``.
    """

    version: int = 11
    impl: str = "napcat"
    ws_path: str = ""
    http_path: str = ""
    access_token: str = ""
    secret: str = ""
    api_url: str = ""
    action_timeout: float = 10.0
    platform: str = ""
    name: str = ""

    def __post_init__(self) -> None:
        if self.version not in (11, 12):
            raise ValueError(f"OneBot version must be 11 or 12, not {self.version!r}")
        if self.action_timeout <= 0:
            raise ValueError("action_timeout must be positive")
        impl = self.impl.strip().lower()
        object.__setattr__(self, "impl", impl)
        if not self.platform:
            object.__setattr__(self, "platform", "wx" if impl in _WECHAT_IMPLS else "qq")
        if not self.ws_path:
            object.__setattr__(self, "ws_path", f"/onebot/v{self.version}/ws")
        if not self.name:
            object.__setattr__(self, "name", self.platform)
        for path in (self.ws_path, self.http_path):
            if path and not path.startswith("/"):
                raise ValueError(f"OneBot paths start with '/': {path!r}")

    @classmethod
    def from_config(
        cls, config: OneBotConfig, environ: Mapping[str, str] | None = None
    ) -> OneBotSettings:
        """Build settings from the YAML section, reading secrets from the environment."""
        env = os.environ if environ is None else environ
        return cls(
            version=config.version,
            impl=config.impl,
            ws_path=config.ws_path,
            http_path=config.http_path,
            access_token=env.get(config.access_token_env, ""),
            secret=env.get(config.secret_env, ""),
            api_url=config.api_url,
            action_timeout=config.action_timeout.total_seconds(),
            # the schema defaults platform to "qq": only an explicit value overrides the impl's
            platform=config.platform if "platform" in config.model_fields_set else "",
            name=config.name if "name" in config.model_fields_set else "",
        )
