"""Configuration: one YAML file, validated, with positions in every error."""

from bot.config.loader import ConfigError, LoadedConfig, load_config
from bot.config.schema import AppConfig, ProfileConfig, normalise_chat_key, parse_duration

__all__ = [
    "AppConfig",
    "ConfigError",
    "LoadedConfig",
    "ProfileConfig",
    "load_config",
    "normalise_chat_key",
    "parse_duration",
]
