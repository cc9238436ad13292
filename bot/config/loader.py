"""Load the YAML file, resolve profiles per chat, and report every problem as file:line:column."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from bot.config.checks import EMPTY_FILE, NOTHING_ENABLED, check_chat_keys, moderates_nothing
from bot.config.schema import AppConfig, ProfileConfig, normalise_chat_key
from bot.registry import Registry, UnknownPolicy

Path_ = tuple[str | int, ...]
Position = tuple[int, int]

ENV_OVERRIDES: Mapping[str, Path_] = {
    "QUNGUAN_DATABASE_URL": ("storage", "url"),
    "QUNGUAN_TELEGRAM_BASE_URL": ("telegram", "base_url"),
    "QUNGUAN_TELEGRAM_BASE_FILE_URL": ("telegram", "base_file_url"),
}
SECRET_KEYS = frozenset({"token", "secret", "access_token", "password"})
#: Where the ``features:`` options models live (resolved lazily, like built-in policies).
FEATURE_MODELS = "handlers.features:MODELS"


def feature_models(path: str = FEATURE_MODELS) -> Mapping[str, type[BaseModel]]:
    """The known feature sections; none when the handlers package is not installed."""
    import importlib

    module_name, _, attr = path.partition(":")
    try:
        models: Mapping[str, type[BaseModel]] = getattr(importlib.import_module(module_name),
                                                       attr)
    except ImportError:
        return {}
    return models


class ConfigError(Exception):
    """One or more problems, each already formatted ``path:line:column: message``."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class LoadedConfig:
    """The validated file: the app config plus each profile and chat fully resolved."""

    app: AppConfig
    source: str
    default: ProfileConfig
    profiles: Mapping[str, ProfileConfig] = field(default_factory=dict)
    chats: Mapping[str, ProfileConfig] = field(default_factory=dict)
    chat_profile: Mapping[str, str] = field(default_factory=dict)

    def for_chat(self, chat: str) -> ProfileConfig:
        """The effective settings of a chat (its YAML entry, its profile, or the default)."""
        return self.chats.get(chat, self.default)

    def profile_name(self, chat: str) -> str:
        return self.chat_profile.get(chat, "default")


def _plain(node: Any, path: Path_, positions: dict[Path_, Position]) -> Any:
    if isinstance(node, CommentedMap):
        out: dict[str, Any] = {}
        for key, value in node.items():
            child = (*path, str(key))
            line, col = node.lc.key(key)
            positions[child] = (line + 1, col + 1)
            out[str(key)] = _plain(value, child, positions)
        return out
    if isinstance(node, CommentedSeq):
        items = []
        for index, value in enumerate(node):
            child = (*path, index)
            line, col = node.lc.item(index)
            positions[child] = (line + 1, col + 1)
            items.append(_plain(value, child, positions))
        return items
    return node


def _merge(base: Any, over: Any, base_origin: Path_, over_origin: Path_,
           rel: Path_, origins: dict[Path_, Path_]) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        merged = dict(base)
        for key, value in over.items():
            origins[(*rel, key)] = (*over_origin, key)
            _record(value, (*rel, key), (*over_origin, key), origins)
            merged[key] = (
                _merge(base[key], value, (*base_origin, key), (*over_origin, key),
                       (*rel, key), origins)
                if key in base else value
            )
        return merged
    return over


def _record(value: Any, rel: Path_, origin: Path_, origins: dict[Path_, Path_]) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            origins[(*rel, key)] = (*origin, key)
            _record(child, (*rel, key), (*origin, key), origins)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            origins[(*rel, index)] = (*origin, index)
            _record(child, (*rel, index), (*origin, index), origins)


class _Reporter:
    def __init__(self, source: str, positions: dict[Path_, Position]) -> None:
        self.source = source
        self.positions = positions
        self.problems: list[str] = []

    def at(self, path: Path_, message: str) -> None:
        probe = path
        while probe and probe not in self.positions:
            probe = probe[:-1]
        line, col = self.positions.get(probe, (1, 1))
        where = ".".join(str(p) for p in path) or "(top level)"
        problem = f"{self.source}:{line}:{col}: {where}: {message.removeprefix('Value error, ')}"
        if problem not in self.problems:
            self.problems.append(problem)

    def validation(self, exc: ValidationError, prefix: Path_,
                   origins: Mapping[Path_, Path_] | None = None) -> None:
        for err in exc.errors():
            loc = tuple(err["loc"])
            rel = loc
            absolute: Path_ = (*prefix, *loc)
            if origins is not None:
                probe = rel
                while probe and probe not in origins:
                    probe = probe[:-1]
                if probe:
                    absolute = (*origins[probe], *rel[len(probe):])
            message = err["msg"]
            if err["type"] == "extra_forbidden":
                key = str(loc[-1]) if loc else ""
                message = (
                    f"'{key}' is a secret: set it in the environment, not in YAML"
                    if key in SECRET_KEYS else f"unknown key '{key}'"
                )
            self.at(absolute, message)


def _read(path: Path) -> tuple[Any, dict[Path_, Position]]:
    yaml = YAML(typ="rt")
    try:
        document = yaml.load(path.read_text(encoding="utf-8"))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise ConfigError([f"{path}:{line}:{col}: {exc.problem or exc.context}"]) from None
    except OSError as exc:
        raise ConfigError([f"{path}:1:1: cannot read: {exc.strerror}"]) from None
    positions: dict[Path_, Position] = {}
    if document is None or document == {}:
        raise ConfigError([f"{path}:1:1: {EMPTY_FILE}"])
    if not isinstance(document, CommentedMap):
        raise ConfigError([f"{path}:1:1: the top level must be a mapping of sections"])
    return _plain(document, (), positions), positions


def _apply_env(data: dict[str, Any], env: Mapping[str, str]) -> None:
    for var, (section, key) in ENV_OVERRIDES.items():
        if env.get(var):
            data.setdefault(str(section), {})
            if isinstance(data[str(section)], dict):
                data[str(section)][str(key)] = env[var]


def _resolve(layers: list[tuple[Path_, dict[str, Any]]]) -> tuple[dict[str, Any],
                                                                  dict[Path_, Path_]]:
    merged: dict[str, Any] = {}
    origins: dict[Path_, Path_] = {}
    for origin, layer in layers:
        merged = _merge(merged, layer, (), origin, (), origins)
    return merged, origins


def _validate_features(report: _Reporter, profile: ProfileConfig,
                       origins: Mapping[Path_, Path_], fallback: Path_,
                       models: Mapping[str, type[BaseModel]]) -> bool:
    ok = True
    for name, raw in profile.features.items():
        where = origins.get(("features", name), (*fallback, "features", name))
        model = models.get(name)
        if model is None:
            if models:
                known = ", ".join(sorted(models))
                report.at(where, f"unknown feature '{name}'; known features: {known}")
                ok = False
            continue
        try:
            model.model_validate(raw)
        except ValidationError as exc:
            sub = {k[2:]: v for k, v in origins.items() if k[:2] == ("features", name)}
            report.validation(exc, where, sub)
            ok = False
    return ok


def _validate_profile(
    report: _Reporter, registry: Registry, layers: list[tuple[Path_, dict[str, Any]]],
    models: Mapping[str, type[BaseModel]] | None = None,
) -> ProfileConfig | None:
    data, origins = _resolve(layers)
    data.pop("profile", None)
    try:
        profile = ProfileConfig.model_validate(data)
    except ValidationError as exc:
        report.validation(exc, layers[-1][0], origins)
        return None
    ok = True
    for name, entry in profile.policies.items():
        where = origins.get(("policies", name), (*layers[-1][0], "policies", name))
        try:
            factory = registry.get(name)
        except UnknownPolicy as exc:
            report.at(where, str(exc))
            ok = False
            continue
        try:
            options: BaseModel = factory.Options.model_validate(entry.options)
        except ValidationError as exc:
            sub = {k[2:]: v for k, v in origins.items() if k[:2] == ("policies", name)}
            report.validation(exc, where, sub)
            ok = False
            continue
        del options
    if models is not None and not _validate_features(report, profile, origins,
                                                     layers[-1][0], models):
        ok = False
    return profile if ok else None


def load_config(
    path: str | Path,
    *,
    env: Mapping[str, str] | None = None,
    registry: Registry | None = None,
    require_policies: bool = False,
) -> LoadedConfig:
    """Read and validate the whole file; raise ConfigError listing every problem found.

    ``require_policies`` (``run``, ``check-config``) also refuses a file that would start and
    moderate nothing (see ``moderates_nothing``)."""
    file = Path(path)
    source = str(path)
    data, positions = _read(file)
    _apply_env(data, os.environ if env is None else env)
    report = _Reporter(source, positions)
    try:
        app = AppConfig.model_validate(data)
    except ValidationError as exc:
        report.validation(exc, ())
        raise ConfigError(report.problems) from None
    check_chat_keys(app, report.at)
    registry = registry or Registry()
    models = feature_models()
    base: list[tuple[Path_, dict[str, Any]]] = [(("defaults",), app.defaults)]
    default = _validate_profile(report, registry, base, models)
    profiles: dict[str, ProfileConfig] = {}
    for name, raw in app.profiles.items():
        resolved = _validate_profile(report, registry, [*base, (("profiles", name), raw)],
                                     models)
        if resolved is not None:
            profiles[name] = resolved
    inherited = app.network_profiles()
    chats: dict[str, ProfileConfig] = {}
    chat_profile: dict[str, str] = {}
    for key, raw in app.chats.items():
        layers = list(base)
        chosen = str(raw.get("profile") or inherited.get(normalise_chat_key(key), ""))
        if chosen:
            chat_profile[normalise_chat_key(key)] = chosen
            layers.append((("profiles", chosen), app.profiles[chosen]))
        resolved = _validate_profile(report, registry, [*layers, (("chats", key), raw)], models)
        if resolved is not None:
            chats[normalise_chat_key(key)] = resolved
    for key, chosen in inherited.items():  # network chats without an entry of their own
        if key not in chat_profile and chosen in profiles:
            chat_profile[key] = chosen
            chats[key] = profiles[chosen]
    if require_policies and default is not None and not report.problems \
            and moderates_nothing(app, [default, *profiles.values(), *chats.values()]):
        report.at(("defaults", "policies") if "defaults" in data else (), NOTHING_ENABLED)
    if report.problems or default is None:
        raise ConfigError(report.problems)
    return LoadedConfig(app, source, default, profiles, chats, chat_profile)


def format_problems(problems: Iterable[str]) -> str:
    return "\n".join(problems)
