"""A stand-in Bot API server for tests: aiohttp on 127.0.0.1, records every call (uploaded
photos as bytes), serves getUpdates from a queue and files a test registered, injects faults
per method, and posts updates to a webhook."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aiohttp import ClientSession, web

BOT_ID = 7000001
BOT_USERNAME = "qunguan_test_bot"
_STRINGS = frozenset({"text", "caption", "secret_token", "url", "callback_query_id",
                      "language_code", "description", "short_description", "file_id",
                      "certificate", "ip_address"})
FAULTS: dict[str, tuple[int, str]] = {
    "not_found": (400, "Bad Request: message to delete not found"),
    "rights": (400, "Bad Request: not enough rights to restrict/unrestrict chat member"),
    "forbidden": (403, "Forbidden: bot is not a member of the supergroup chat"),
    "network": (502, "Bad Gateway"),
    "bad_request": (400, "Bad Request: chat not found"),
}


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One recorded Bot API call; ``params`` JSON-decoded where the value was JSON."""

    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)


def admin(user_id: int, *, owner: bool = False, anonymous: bool = False,
          **rights: bool) -> dict[str, Any]:
    """A ChatMember JSON for getChatAdministrators (rights default to all True)."""
    user = {"id": user_id, "is_bot": user_id == BOT_ID, "first_name": f"admin{user_id}"}
    if owner:
        return {"status": "creator", "user": user, "is_anonymous": anonymous}
    flags = {k: True for k in (
        "can_be_edited", "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
        "can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users",
        "can_post_stories", "can_edit_stories", "can_delete_stories", "can_pin_messages")}
    flags.update(rights)
    return {"status": "administrator", "user": user, "is_anonymous": anonymous, **flags}


def _form(form: Mapping[str, Any]) -> dict[str, Any]:
    """A multipart or urlencoded body: uploaded files (``sendPhoto``) as their bytes, also
    where a field names its upload as ``attach://<name>``; other values decoded."""
    files = {k: v.file.read() for k, v in form.items() if isinstance(v, web.FileField)}
    params: dict[str, Any] = {}
    for key, value in form.items():
        if isinstance(value, web.FileField):
            params[key] = files[key]
        elif value.startswith("attach://") and value[9:] in files:
            params[key] = files[value[9:]]
        else:
            params[key] = _decode(key, value)
    return params


def _decode(name: str, value: str) -> Any:
    if name in _STRINGS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


class StandInBotApi:
    """``async with StandInBotApi() as api:`` then ``base_url=api.base_url``; ``latency``
    seconds are spent before answering every call but getUpdates (a distant Bot API)."""

    def __init__(self, latency: float = 0.0) -> None:
        self.latency = latency
        self.calls: list[ApiCall] = []
        self.admins: dict[int, list[dict[str, Any]]] = {}
        self.permissions: dict[int, dict[str, bool]] = {}
        self.faults: dict[str, list[tuple[int, str, int]]] = {}
        self.files: dict[str, bytes] = {}
        #: getChatMemberCount answers; a chat not listed is "chat not found"
        self.member_counts: dict[int, int] = {}
        self.file_delay = 0.0
        self._updates: list[dict[str, Any]] = []
        self._arrived = asyncio.Condition()
        self._called = asyncio.Condition()
        self._ids = itertools.count(100_000)
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/file/bot"

    async def __aenter__(self) -> StandInBotApi:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.5, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def __aexit__(self, *exc: object) -> None:
        async with self._arrived:
            self._arrived.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- feeding and asserting -------------------------------------------------------------

    async def feed(self, *updates: Mapping[str, Any]) -> None:
        """Queue raw update dicts for getUpdates (a redelivered update_id is queued again)."""
        async with self._arrived:
            self._updates.extend(dict(u) for u in updates)
            self._arrived.notify_all()

    def fail(self, method: str, fault: str, *, times: int = 1, retry_after: int = 1) -> None:
        """Make the next ``times`` calls of ``method`` fail: ``429`` (with retry_after),
        ``not_found``, ``rights``, ``forbidden``, ``network`` or ``bad_request``."""
        code, text = (429, f"Too Many Requests: retry after {retry_after}") \
            if fault == "429" else FAULTS[fault]
        self.faults.setdefault(method, []).extend([(code, text, retry_after)] * times)

    def add_file(self, file_id: str, data: bytes) -> None:
        """Serve ``data`` for getFile(``file_id``) and its download (recorded as a
        ``download`` call); getFile of an unregistered id fails like Telegram's."""
        self.files[file_id] = data

    def of(self, method: str) -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.method == method]

    def methods(self, *, ignore: frozenset[str] = frozenset({"getUpdates"})) -> list[str]:
        return [c.method for c in self.calls if c.method not in ignore]

    @property
    def pending(self) -> int:
        return len(self._updates)

    async def wait_for(self, method: str, count: int = 1, within: float = 10.0) -> None:
        """Wait until ``method`` has been called ``count`` times (raises TimeoutError)."""
        async with asyncio.timeout(within), self._called:
            await self._called.wait_for(lambda: len(self.of(method)) >= count)

    async def post_update(self, url: str, update: Mapping[str, Any] | str,
                          secret: str | None = None) -> int:
        """POST an update to a webhook as Telegram does; returns the HTTP status."""
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        body = update if isinstance(update, str) else json.dumps(update)
        async with ClientSession() as session, session.post(url, data=body,
                                                            headers=headers) as resp:
            return resp.status

    # -- the Bot API ---------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        if request.path.startswith("/file/bot"):
            return await self._download(request)
        method = request.path.rsplit("/", 1)[-1]
        params: dict[str, Any] = {}
        if request.can_read_body:
            if request.content_type == "application/json":
                params = dict(await request.json())
            else:
                params = _form(await request.post())
        if self.latency and method != "getUpdates":
            await asyncio.sleep(self.latency)
        self.calls.append(ApiCall(method, params))
        async with self._called:
            self._called.notify_all()
        queued = self.faults.get(method)
        if queued:
            code, text, retry_after = queued.pop(0)
            body: dict[str, Any] = {"ok": False, "error_code": code, "description": text}
            if code == 429:
                body["parameters"] = {"retry_after": retry_after}
            return web.json_response(body, status=code)
        if method == "getChatMemberCount" and int(params["chat_id"]) not in self.member_counts:
            return web.json_response({"ok": False, "error_code": 400,
                                      "description": "Bad Request: chat not found"}, status=400)
        if method == "getFile" and str(params.get("file_id")) not in self.files:
            return web.json_response({"ok": False, "error_code": 400,
                                      "description": "Bad Request: invalid file_id"}, status=400)
        result = await self._result(method, params)
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.Response:
        """``/file/bot<token>/photos/<file_id>.jpg`` → the registered bytes (after
        ``file_delay`` seconds), 404 otherwise."""
        _token, _, file_path = request.path.removeprefix("/file/bot").partition("/")
        self.calls.append(ApiCall("download", {"file_path": file_path}))
        async with self._called:
            self._called.notify_all()
        if self.file_delay:
            await asyncio.sleep(self.file_delay)
        file_id = file_path.removeprefix("photos/").removesuffix(".jpg")
        if not file_path.startswith("photos/") or file_id not in self.files:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=self.files[file_id], content_type="image/jpeg")

    async def _result(self, method: str, p: dict[str, Any]) -> Any:
        if method == "getMe":
            return {"id": BOT_ID, "is_bot": True, "first_name": "Qunguan",
                    "username": BOT_USERNAME, "can_join_groups": True,
                    "can_read_all_group_messages": True, "supports_inline_queries": False}
        if method == "getUpdates":
            return await self._get_updates(p)
        if method == "getChatMemberCount":
            return self.member_counts[int(p["chat_id"])]
        if method == "getChatAdministrators":
            return self.admins.get(int(p["chat_id"]), [admin(BOT_ID)])
        if method == "getChat":
            chat_id = int(p["chat_id"])
            info: dict[str, Any] = {"id": chat_id, "type": "supergroup", "title": "group",
                                    "accent_color_id": 0, "max_reaction_count": 11}
            if chat_id in self.permissions:
                info["permissions"] = self.permissions[chat_id]
            return info
        if method in ("sendMessage", "editMessageText"):
            return {"message_id": next(self._ids), "date": int(time.time()),
                    "chat": {"id": int(p["chat_id"]), "type": "supergroup", "title": "group"},
                    "from": {"id": BOT_ID, "is_bot": True, "first_name": "Qunguan",
                             "username": BOT_USERNAME}, "text": p.get("text", "")}
        if method == "sendPhoto":
            return {"message_id": next(self._ids), "date": int(time.time()),
                    "chat": {"id": int(p["chat_id"]), "type": "supergroup", "title": "group"},
                    "from": {"id": BOT_ID, "is_bot": True, "first_name": "Qunguan",
                             "username": BOT_USERNAME}, "caption": p.get("caption", ""),
                    "photo": [{"file_id": f"sent-{len(self.calls)}", "width": 1200,
                               "height": 800, "file_unique_id": f"u-sent-{len(self.calls)}"}]}
        if method == "getFile":
            file_id = str(p["file_id"])
            return {"file_id": file_id, "file_unique_id": "u" + file_id,
                    "file_size": len(self.files[file_id]), "file_path": f"photos/{file_id}.jpg"}
        if method == "createChatInviteLink":
            return {"invite_link": f"https://t.me/+standin{abs(int(p['chat_id']))}",
                    "creator": {"id": BOT_ID, "is_bot": True, "first_name": "Qunguan"},
                    "creates_join_request": False, "is_primary": False, "is_revoked": False}
        if method == "getWebhookInfo":
            return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}
        return True

    async def _get_updates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(p.get("offset") or 0)
        limit = int(p.get("limit") or 100)
        timeout = float(p.get("timeout") or 0)
        async with self._arrived:
            self._updates = [u for u in self._updates if u.get("update_id", 0) >= offset]
            if not self._updates and timeout > 0:
                try:
                    async with asyncio.timeout(timeout):
                        await self._arrived.wait_for(lambda: bool(self._updates))
                except TimeoutError:
                    pass
            self._updates = [u for u in self._updates if u.get("update_id", 0) >= offset]
            return sorted(self._updates, key=lambda u: int(u.get("update_id", 0)))[:limit]
