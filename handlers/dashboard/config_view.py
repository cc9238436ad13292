"""A chat's effective profile as YAML, and whether the file on disk still loads."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from ruamel.yaml import YAML

from bot.config import ConfigError, load_config
from bot.desk import ConfigView

if TYPE_CHECKING:
    from handlers.services import Services

#: Keys whose values are secrets or point at them; never shown in a browser.
_HIDDEN = ("token", "secret", "password")


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("•••" if any(h in str(k).lower() for h in _HIDDEN) and v else _scrub(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def config_view(services: Services, chat: str) -> ConfigView:
    """The profile the chat runs with now (after reloads), as YAML; and a fresh load of the
    file, so a broken edit shows here before anyone runs /reload."""
    config = services.config
    profile = services.book.get(chat).profile
    out = io.StringIO()
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.dump(_scrub(profile.model_dump(mode="json")), out)
    try:
        load_config(config.source, registry=services.book.registry)
    except ConfigError as exc:
        problems: tuple[str, ...] = tuple(exc.problems)
    except OSError as exc:
        problems = (f"{config.source}: {exc.strerror or exc}",)
    else:
        problems = ()
    return ConfigView(profile=config.profile_name(chat), yaml=out.getvalue(),
                      source=config.source, valid=not problems, problems=problems)
