"""Policy registry: built-in policies by name plus the ``qunguan.policies`` entry-point group."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from importlib.metadata import entry_points
from typing import cast

from bot.policy import PolicyFactory

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "qunguan.policies"

#: Built-ins are named by import path so that nothing is imported until it is used.
BUILTIN: Mapping[str, str] = {
    "ads": "policies.ads:AdsPolicy",
    "voice": "policies.voice:VoicePolicy",
    "red_packet": "policies.red_packet:RedPacketPolicy",
    "offtopic": "policies.offtopic:OfftopicPolicy",
    "flood": "policies.flood:FloodPolicy",
    "abuse": "policies.abuse:AbusePolicy",
    "business": "policies.business:BusinessPolicy",
    "newcomer": "policies.newcomer:NewcomerPolicy",
    "classifier": "policies.classifier:ClassifierPolicy",
    "trust": "policies.trust:TrustPolicy",
    "offers": "policies.offers:OffersPolicy",
    "repetition": "policies.repetition:RepetitionPolicy",
}


class UnknownPolicy(LookupError):
    """Raised for a policy name that is neither built in nor installed."""


class Registry:
    """Resolves policy names to factories, lazily and once."""

    def __init__(self, builtin: Mapping[str, str] = BUILTIN, *, plugins: bool = True) -> None:
        self._paths: dict[str, str] = dict(builtin)
        self._loaded: dict[str, PolicyFactory] = {}
        if plugins:
            for ep in entry_points(group=ENTRY_POINT_GROUP):
                if ep.name in self._paths:
                    log.warning("plugin policy %s shadows a built-in; built-in kept", ep.name)
                    continue
                self._paths[ep.name] = ep.value

    def register(self, factory: PolicyFactory) -> None:
        """Add a policy class directly (tests, embedding applications)."""
        self._loaded[factory.name] = factory
        self._paths.setdefault(factory.name, f"<registered {factory.name}>")

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._paths)

    def available(self) -> tuple[str, ...]:
        """Names whose module imports cleanly (built-ins not yet written are skipped)."""
        found = []
        for name in self._paths:
            try:
                self.get(name)
            except UnknownPolicy:
                continue
            found.append(name)
        return tuple(found)

    def get(self, name: str) -> PolicyFactory:
        if name in self._loaded:
            return self._loaded[name]
        path = self._paths.get(name)
        if path is None:
            known = ", ".join(sorted(self._paths))
            raise UnknownPolicy(f"unknown policy {name!r}; known policies: {known}")
        module_name, _, attr = path.partition(":")
        try:
            module = importlib.import_module(module_name)
            factory = cast(PolicyFactory, getattr(module, attr))
        except (ImportError, AttributeError) as exc:
            raise UnknownPolicy(f"policy {name!r} cannot be loaded from {path}: {exc}") from exc
        self._loaded[name] = factory
        return factory
