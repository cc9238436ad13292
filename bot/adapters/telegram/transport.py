"""Bot API requests over aiohttp: python-telegram-bot's request interface, a lighter client.

python-telegram-bot sends every call through httpx, whose client cost ~1.5 ms of CPU per
small POST on the benchmark machine against ~0.4 ms for aiohttp's (a moderation bot's
deleteMessages and notices are most of its calls). Only the transport changes: encoding the
parameters, reading the answer and turning status codes into ``TelegramError`` stay in
``BaseRequest``; timeouts and connection failures raise what ``HTTPXRequest`` raises.
"""

from __future__ import annotations

import urllib.request
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


class AiohttpRequest(BaseRequest):
    """A keep-alive pool of ``pool_size`` connections; ``None`` timeouts wait forever.

    aiohttp has no write timeout: a request's whole exchange is bounded by the sum of the
    four timeouts instead. Proxies come from the environment (``HTTPS_PROXY``, ``NO_PROXY``
    …), read once when initialised, as httpx does; not aiohttp's ``trust_env``, which looks
    for a netrc file in a thread on every request."""

    __slots__ = ("_connect", "_pool", "_pool_size", "_proxies", "_read", "_routes", "_session",
                 "_write")

    def __init__(self, *, connection_pool_size: int = 32, connect_timeout: float | None = 5.0,
                 read_timeout: float | None = 5.0, write_timeout: float | None = 5.0,
                 pool_timeout: float | None = 1.0) -> None:
        self._pool_size = connection_pool_size
        self._connect, self._read = connect_timeout, read_timeout
        self._write, self._pool = write_timeout, pool_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str] = {}
        self._routes: dict[tuple[str, str], str | None] = {}  # (scheme, host) → proxy

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size))
            self._proxies = urllib.request.getproxies_environment()
            self._routes.clear()

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else None
        read = self._read if isinstance(read_timeout, DefaultValue) else read_timeout
        write = self._write if isinstance(write_timeout, DefaultValue) else write_timeout
        connect = self._connect if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool = self._pool if isinstance(pool_timeout, DefaultValue) else pool_timeout
        bounds = (read, write, connect, pool)
        timeout = aiohttp.ClientTimeout(
            total=None if None in bounds else sum(b for b in bounds if b is not None),
            connect=None if connect is None or pool is None else connect + pool,
            sock_connect=connect, sock_read=read)
        body: Any = _form(fields or {}, files) if files else fields
        try:
            async with session.request(method, url, data=body, timeout=timeout,
                                       proxy=self._proxy(url) if self._proxies else None,
                                       headers={"User-Agent": self.USER_AGENT}) as response:
                return response.status, await response.read()
        except TimeoutError as err:  # aiohttp's timeouts included (asyncio's is the builtin)
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err

    def _proxy(self, url: str) -> str | None:
        """The environment's proxy for ``url``'s scheme, unless ``NO_PROXY`` spares its host."""
        parts = urlsplit(url)
        route = (parts.scheme, parts.hostname or "")
        if route not in self._routes:
            bypass = urllib.request.proxy_bypass(route[1])  # NO_PROXY (no_proxy)
            self._routes[route] = None if bypass else (
                self._proxies.get(route[0]) or self._proxies.get("all"))
        return self._routes[route]


def _form(fields: dict[str, str], files: dict[str, Any]) -> aiohttp.FormData:
    """multipart/form-data: the parameters, then each upload (name, content, MIME type)."""
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form
