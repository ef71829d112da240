"""Fixtures for rotation tests: a scriptable fake of Meta's set-PIN call (Redis fixtures: tests/conftest.py)."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from typing import Any

import pytest

from meta_cloud_async import APIConnectionError, ConnectError, MockTransport, Response, WhatsApp
from meta_cloud_async.testing import FakeClock


@pytest.fixture
def pin_key() -> str:
    from meta_cloud_async.rotation import generate_key

    return generate_key()


# -- a scriptable fake of Meta's set-PIN endpoint -------------------------------------------


def graph_error(code: int, status: int = 400, headers: dict[str, str] | None = None) -> Response:
    body = {
        "error": {"message": f"(#{code}) scripted", "type": "OAuthException", "code": code, "fbtrace_id": "x"}
    }
    return Response(status_code=status, headers=headers or {}, content=json.dumps(body).encode())


class FakeMeta:
    """Answers ``POST /{phone}`` with ``{"pin"}``; ``script[pid]`` lists what each attempt does.

    Actions: ``"ok"``; ``"reset_before"`` / ``"reset_after"`` (connection lost
    before / after the PIN is applied); ``"refuse"`` (no connection);
    ``("error", code[, status[, headers]])``. Unscripted attempts are ``"ok"``.
    """

    def __init__(self) -> None:
        self.pins: dict[str, str] = {}
        self.script: dict[str, list[Any]] = defaultdict(list)
        self.calls: dict[str, int] = defaultdict(int)
        self.in_flight = 0
        self.max_in_flight = 0
        self.per_number: dict[str, int] = defaultdict(int)
        self.max_per_number = 0
        self.seen_bodies: list[bytes] = []

    async def __call__(self, request: Any) -> Response:
        pid = request.url.rsplit("/", 1)[1]
        pin = json.loads(request.content)["pin"]
        self.seen_bodies.append(request.content)
        self.calls[pid] += 1
        self.in_flight += 1
        self.per_number[pid] += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        self.max_per_number = max(self.max_per_number, self.per_number[pid])
        try:
            await asyncio.sleep(0)
            action = self.script[pid].pop(0) if self.script[pid] else "ok"
            if action == "ok":
                self.pins[pid] = pin
                return Response(status_code=200, content=b'{"success":true}')
            if action == "reset_before":
                raise APIConnectionError("connection lost: reset", request_sent=True)
            if action == "reset_after":
                self.pins[pid] = pin
                raise APIConnectionError("connection lost: reset", request_sent=True)
            if action == "refuse":
                raise ConnectError("could not connect")
            scripted: tuple[Any, ...] = tuple(action)
            _, code, *rest = scripted
            status = rest[0] if rest else 400
            headers = rest[1] if len(rest) > 1 else None
            return graph_error(code, status, headers)
        finally:
            self.in_flight -= 1
            self.per_number[pid] -= 1


@pytest.fixture
def meta() -> FakeMeta:
    return FakeMeta()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(start=1000.0)


@pytest.fixture
def wa(meta: FakeMeta, clock: FakeClock) -> WhatsApp:
    return WhatsApp(
        access_token="test-token",
        transport=MockTransport(meta),
        rate_limit=None,
        clock=clock.time,
        sleep=clock.sleep,
        random=lambda: 0.0,
    )
