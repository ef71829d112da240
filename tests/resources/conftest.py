"""Fixtures for namespace tests: a client over a recording MockTransport."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from meta_cloud_async import MockTransport, Request, Response, WhatsApp

TOKEN = "EAAresourceTOKEN42"


class Recorder:
    """Records every request; answers from a queue of bodies, then ``{"success": true}``."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.queue: list[Response] = []

    def reply(self, body: Any, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self.queue.append(
            Response(
                status_code=status,
                headers={"content-type": "application/json", **(headers or {})},
                content=json.dumps(body).encode(),
            )
        )

    def __call__(self, request: Request) -> Response:
        self.requests.append(request)
        if self.queue:
            return self.queue.pop(0)
        return Response(status_code=200, content=b'{"success": true}')

    @property
    def last(self) -> Request:
        return self.requests[-1]

    def body(self, index: int = -1) -> Any:
        return json.loads(self.requests[index].content)


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
async def wa(recorder: Recorder) -> AsyncIterator[WhatsApp]:
    async with WhatsApp(
        access_token=TOKEN,
        phone_number_id="1234",
        business_account_id="5678",
        api_version="v23.0",
        transport=MockTransport(recorder),
        retry=None,
        rate_limit=None,
    ) as client:
        yield client
