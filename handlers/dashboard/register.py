"""Wire the dashboard's use-cases: /dashboard, and the Desk the web adapter is given."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.signing import LoginLinks
from handlers.commands import CommandRouter
from handlers.dashboard.desk import ServicesDesk
from handlers.dashboard.login import register_dashboard

if TYPE_CHECKING:
    from handlers.services import Services


def register(router: CommandRouter, services: Services) -> None:
    """``extras["desk"]`` and ``extras["login_links"]`` are the composition root's to serve."""
    settings = services.config.app.server.dashboard
    links = LoginLinks(ttl=settings.link_ttl)
    services.extras["login_links"] = links
    services.extras["desk"] = ServicesDesk(services)
    register_dashboard(router, services, links)
