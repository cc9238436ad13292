"""The implementation's HTTP API as an action transport (v11: ``POST /<action>``; v12: one URL)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import aiohttp

from .calls import ActionResult


class HttpApiClient:
    """Sends actions over HTTP; the bearer token is the implementation's ``access_token``."""

    def __init__(
        self, api_url: str, *, version: int, access_token: str = "", timeout: float = 10.0
    ) -> None:
        self.api_url = api_url.rstrip("/")
        self.version = version
        self.access_token = access_token
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.timeout)
            )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _headers(self) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if self.access_token:
            headers["Authorization"] = f"Bearer {self.access_token}"
        return headers

    async def call(
        self, action: str, params: Mapping[str, Any], self_id: str = ""
    ) -> ActionResult:
        if self._session is None:
            return ActionResult.failed("HTTP API client not started")
        if self.version == 11:
            url, body = f"{self.api_url}/{action}", dict(params)
        else:
            url = self.api_url
            body = {"action": action, "params": dict(params)}
            if self_id:
                body["self"] = {"user_id": self_id}
        try:
            async with self._session.post(
                url, data=json.dumps(body, ensure_ascii=False), headers=self._headers()
            ) as response:
                if response.status != 200:
                    return ActionResult.failed(f"HTTP {response.status}", response.status)
                reply = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            return ActionResult.failed(f"HTTP API error: {exc!r}")
        if not isinstance(reply, Mapping):
            return ActionResult.failed("HTTP API reply is not an object")
        return ActionResult.from_reply(reply)
