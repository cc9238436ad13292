"""The one coupling to the classifier: teach the process-wide model book and persist it."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from policies.classifier import GLOBAL, ModelBook, default_book
from storage.state import ClassifierRepo

if TYPE_CHECKING:
    from handlers.services import Services

log = logging.getLogger(__name__)


def book_of(services: Services) -> ModelBook:
    """The model book the classifier policy reads (tests may put their own in extras)."""
    book = services.extras.get("classifier_book")
    return book if isinstance(book, ModelBook) else default_book()


def scope_of(services: Services, chat: str) -> str:
    """The scope the chat's classifier judges with: the chat, or its network."""
    profile = services.book.get(chat).profile
    entry = profile.policies.get("classifier")
    scope = str(entry.options.get("scope", "chat")) if entry is not None else "chat"
    network = services.book.network_of(chat)
    return network if scope == "network" and network else chat


async def train(services: Services, chat: str, text: str, *, spam: bool) -> list[str]:
    """Learn ``text`` as spam or ham in the chat's scope and the global model; persist both."""
    text = text.strip()
    if not text:
        return []
    book = book_of(services)
    scopes = list(dict.fromkeys((scope_of(services, chat), GLOBAL)))
    for scope in scopes:
        book.learn(scope, text, spam)
        await book.refit(scope)  # in a worker thread: a large model takes seconds
    now = services.clock()
    async with services.db.session() as session:
        repo = ClassifierRepo(session)
        for scope in scopes:
            await repo.save(scope, book.dump(scope), now)
    return scopes


async def load_models(services: Services) -> int:
    """Startup hook: restore every persisted model into the book; returns how many."""
    book = book_of(services)
    loaded = 0
    async with services.db.session() as session:
        repo = ClassifierRepo(session)
        for scope in await repo.scopes():
            data = await repo.load(scope)
            if data is None:
                continue
            try:
                book.load(scope, data)
                loaded += 1
            except Exception:
                log.exception("classifier model %s could not be loaded; starting empty", scope)
    for scope in book.scopes():
        await book.refit(scope)  # models saved unfitted are fitted now, off the event loop
    return loaded
