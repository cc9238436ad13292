"""The options models of every ``features:`` section, so config validation knows them all."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from handlers.community.config import Community


class OnboardingOptions(BaseModel):
    """``features.onboarding``: what the bot does when it cannot work where it was added."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    leave_if_added_by_non_admin: bool = True
    leave_unsupported: bool = True


#: Feature name → its options model (looked up by ``bot.config.loader`` by import path).
MODELS: dict[str, type[BaseModel]] = {
    **{name: field.annotation for name, field in Community.model_fields.items()
       if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)},
    "onboarding": OnboardingOptions,
}
