"""Cursor paging: await for the first page, async-for for all, and the token stays home."""

from __future__ import annotations

import json
from typing import Any

import pytest

from meta_cloud_async import (
    AsyncPaginator,
    MockTransport,
    Page,
    PageLimitError,
    Request,
    Response,
    UnexpectedResponseError,
    WhatsApp,
)
from meta_cloud_async.types.shared import Paging

TOKEN = "EAApagingTOKEN77"
EDGE = "https://graph.facebook.com/v23.0/5678/phone_numbers"


class Pages:
    """Serves numbered pages: page i lists ``ids[i]`` and links to page i+1 unless it is last."""

    def __init__(self, *ids: list[str], next_urls: list[str | None] | None = None) -> None:
        self.ids = ids
        self.next_urls = next_urls or [f"{EDGE}?limit=2&after=C{i + 1}" for i in range(len(ids) - 1)] + [None]
        self.requests: list[Request] = []

    def __call__(self, request: Request) -> Response:
        index = len(self.requests)
        self.requests.append(request)
        paging: dict[str, Any] = {"cursors": {"before": f"B{index}", "after": f"C{index + 1}"}}
        if self.next_urls[index] is not None:
            paging["next"] = self.next_urls[index]
        body = {"data": [{"id": i} for i in self.ids[index]], "paging": paging}
        return Response(status_code=200, content=json.dumps(body).encode())


def client(handler: Any) -> WhatsApp:
    return WhatsApp(
        access_token=TOKEN,
        phone_number_id="1234",
        business_account_id="5678",
        transport=MockTransport(handler),
        retry=None,
        rate_limit=None,
    )


async def test_await_gives_the_first_page_only() -> None:
    pages = Pages(["1", "2"], ["3"])
    async with client(pages) as wa:
        page = await wa.phone_numbers.list(limit=2)
    assert [n.id for n in page.data] == ["1", "2"]
    assert page.paging is not None and page.paging.next == f"{EDGE}?limit=2&after=C1"
    assert len(pages.requests) == 1


async def test_async_for_follows_next_across_pages_including_an_empty_middle_page() -> None:
    pages = Pages(["1", "2"], [], ["3"], [], ["4", "5"])
    async with client(pages) as wa:
        ids = [n.id async for n in wa.phone_numbers.list(limit=2)]
    assert ids == ["1", "2", "3", "4", "5"]
    assert len(pages.requests) == 5
    assert [r.url for r in pages.requests[1:]] == pages.next_urls[:4]


async def test_short_page_with_next_is_not_the_end() -> None:
    pages = Pages(["1"], ["2", "3"])
    async with client(pages) as wa:
        assert [n.id async for n in wa.phone_numbers.list(limit=2)] == ["1", "2", "3"]


async def test_stops_when_next_is_absent_even_with_an_after_cursor() -> None:
    pages = Pages(["1"], ["2"], ["3"], next_urls=[f"{EDGE}?after=C1", None, f"{EDGE}?after=never"])
    async with client(pages) as wa:
        assert [n.id async for n in wa.phone_numbers.list()] == ["1", "2"]
    assert len(pages.requests) == 2


async def test_stops_without_paging_object() -> None:
    requests: list[Request] = []

    def handler(request: Request) -> Response:
        requests.append(request)
        return Response(status_code=200, content=b'{"data": [{"id": "1"}]}')

    async with client(handler) as wa:
        assert [n.id async for n in wa.phone_numbers.list()] == ["1"]
    assert len(requests) == 1


async def test_pages_yields_every_page() -> None:
    pages = Pages(["1", "2"], [], ["3"])
    async with client(pages) as wa:
        collected = [page async for page in wa.phone_numbers.list().pages()]
    assert [[n.id for n in page.data] for page in collected] == [["1", "2"], [], ["3"]]
    assert all(isinstance(page, Page) for page in collected)


@pytest.mark.parametrize(
    "evil",
    [
        "https://evil.example.com/v23.0/5678/phone_numbers?after=C1",
        "http://graph.facebook.com/v23.0/5678/phone_numbers?after=C1",
        "https://graph.facebook.com.evil.example/v23.0/x",
        "https://graph.facebook.com@evil.example/v23.0/x",
        "//evil.example/v23.0/x",
    ],
)
async def test_refuses_a_next_url_on_another_host(evil: str) -> None:
    pages = Pages(["1"], ["2"], next_urls=[evil, None])
    async with client(pages) as wa:
        seen: list[str] = []
        with pytest.raises(UnexpectedResponseError, match="another host") as info:
            async for number in wa.phone_numbers.list():
                seen.append(number.id)
    assert seen == ["1"]  # the first page's items were delivered before the refusal
    assert len(pages.requests) == 1  # nothing was sent to the other host
    assert TOKEN not in str(info.value) and "evil" not in str(info.value)


async def test_follows_next_on_a_custom_base_url() -> None:
    local = "http://127.0.0.1:8080/graph/v23.0/5678/phone_numbers"
    pages = Pages(["1"], ["2"], next_urls=[f"{local}?after=C1", None])
    async with WhatsApp(
        access_token=TOKEN,
        business_account_id="5678",
        base_url="http://127.0.0.1:8080/graph",
        transport=MockTransport(pages),
        retry=None,
        rate_limit=None,
    ) as wa:
        assert [n.id async for n in wa.phone_numbers.list()] == ["1", "2"]
    assert pages.requests[1].url == f"{local}?after=C1"


async def test_errors_on_a_later_page_propagate() -> None:
    calls: list[int] = []

    def handler(request: Request) -> Response:
        calls.append(1)
        if len(calls) == 1:
            return Response(
                status_code=200,
                content=json.dumps({"data": [{"id": "1"}], "paging": {"next": f"{EDGE}?after=C1"}}).encode(),
            )
        return Response(status_code=200, content=b"<html>")

    async with client(handler) as wa:
        with pytest.raises(UnexpectedResponseError, match="not JSON"):
            async for _ in wa.phone_numbers.list():
                pass
    assert len(calls) == 2


async def test_paginator_in_isolation() -> None:
    pages = [
        Page(data=[1, 2], paging=Paging(next="n1")),
        Page(data=[], paging=Paging(next="n2")),
        Page(data=[3], paging=None),
    ]
    followed: list[str] = []

    async def first() -> Page[int]:
        return pages[0]

    async def follow(url: str) -> Page[int]:
        followed.append(url)
        return pages[len(followed)]

    paginator = AsyncPaginator(first, follow)
    assert [item async for item in paginator] == [1, 2, 3]
    assert followed == ["n1", "n2"]
    assert (await paginator) is pages[0]


async def test_a_next_link_loop_is_refused_not_followed_forever() -> None:
    loop = f"{EDGE}?after=SAME"
    pages = Pages(["1"], ["2"], ["3"], next_urls=[loop, loop, loop])
    async with client(pages) as wa:
        seen: list[str] = []
        with pytest.raises(UnexpectedResponseError, match="already fetched"):
            async for number in wa.phone_numbers.list():
                seen.append(number.id)
    assert seen == ["1", "2"]
    assert len(pages.requests) == 2


@pytest.mark.parametrize(
    "bad",
    [
        "https://graph.facebook.com:99999/v23.0/5678/phone_numbers?after=C1",
        "https://graph.facebook.com:x/v23.0/5678/phone_numbers",
        "http://[::1/v23.0/x",
        "https://graph.facebook.com/v23.0/5678/phone_numbers?after=C1\r\nX-Evil: 1",
        "https://graph.facebook.com/v23.0/5678/phone numbers",
        "https://graph.facebook.com/v23.0/\u00e9",
    ],
)
async def test_an_unparseable_next_url_is_a_typed_error_not_a_value_error(bad: str) -> None:
    pages = Pages(["1"], ["2"], next_urls=[bad, None])
    async with client(pages) as wa:
        with pytest.raises(UnexpectedResponseError, match="not a valid URL") as info:
            async for _ in wa.phone_numbers.list():
                pass
    assert len(pages.requests) == 1
    assert TOKEN not in str(info.value) and "99999" not in str(info.value)
    assert info.value.may_have_applied is False


class Endless:
    """A server that hands out a fresh cursor on every page, forever."""

    def __init__(self) -> None:
        self.requests = 0

    def __call__(self, request: Request) -> Response:
        self.requests += 1
        body = {"data": [{"id": str(self.requests)}], "paging": {"next": f"{EDGE}?after=C{self.requests}"}}
        return Response(status_code=200, content=json.dumps(body).encode())


async def test_fresh_cursors_forever_stop_at_the_default_cap() -> None:
    server = Endless()
    async with client(server) as wa:
        count = 0
        with pytest.raises(PageLimitError, match="max_pages=10000"):
            async for _ in wa.phone_numbers.list():
                count += 1
    assert server.requests == count == 10_000


async def test_max_pages_is_configurable_on_the_paginator() -> None:
    server = Endless()
    async with client(server) as wa:
        paginator = wa.phone_numbers.list()
        paginator.max_pages = 3
        with pytest.raises(PageLimitError):
            _ = [page async for page in paginator.pages()]
    assert server.requests == 3
    # A walk that ends within the cap is not affected by it.
    pages = Pages(["1"], ["2"], ["3"])
    async with client(pages) as wa:
        paginator = wa.phone_numbers.list()
        paginator.max_pages = 3
        assert [n.id async for n in paginator] == ["1", "2", "3"]


@pytest.mark.parametrize(
    ("value", "exc"), [(0, ValueError), (-1, ValueError), ("5", TypeError), (True, TypeError)]
)
def test_max_pages_is_checked(value: Any, exc: type[Exception]) -> None:
    async def never() -> Page[int]:
        raise AssertionError

    async def follow(url: str) -> Page[int]:
        raise AssertionError

    with pytest.raises(exc, match="max_pages"):
        AsyncPaginator(never, follow, max_pages=value)
    paginator = AsyncPaginator(never, follow)
    with pytest.raises(exc, match="max_pages"):
        paginator.max_pages = value
