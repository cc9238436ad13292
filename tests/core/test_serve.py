"""`qunguan run` stops gracefully on SIGTERM or SIGINT: the app is stopped, buffers flushed."""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import timedelta

import pytest

from bot.app import serve_forever


class RecordingApp:
    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.stopped = False

    async def start(self) -> None:
        self.started.set()

    async def stop(self) -> None:
        self.stopped = True


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
async def test_a_stop_signal_ends_serving_through_a_graceful_stop(sig: signal.Signals) -> None:
    app = RecordingApp()
    serving = asyncio.create_task(serve_forever(app))  # type: ignore[arg-type]
    await app.started.wait()
    assert not app.stopped
    os.kill(os.getpid(), sig)
    await asyncio.wait_for(serving, 5)
    assert app.stopped


async def test_the_signal_handlers_are_removed_after_serving() -> None:
    app = RecordingApp()
    await serve_forever(app, stop_after=timedelta(milliseconds=10))  # type: ignore[arg-type]
    assert app.stopped
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
