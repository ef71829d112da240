"""wa.phone_numbers: get, list (paging), request_code and verify_code."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from meta_cloud_async import AsyncPaginator, Page, PhoneNumber, SuccessResponse, VerifyCodeResponse, WhatsApp


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def base(url: str) -> str:
    return url.split("?", 1)[0]


async def test_get_with_fields(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"id": "1234", "display_phone_number": "+1 631-555-5555", "quality_rating": "GREEN"})
    number = await wa.phone_numbers.get(fields=["display_phone_number", "quality_rating"])
    assert number == PhoneNumber(id="1234", display_phone_number="+1 631-555-5555", quality_rating="GREEN")
    request = recorder.last
    assert request.method == "GET"
    assert base(request.url) == "https://graph.facebook.com/v23.0/1234"
    assert query(request.url) == {"fields": ["display_phone_number,quality_rating"]}
    assert request.content == b""


async def test_get_fields_as_string_and_generator(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"id": "1234"})
    recorder.reply({"id": "1234"})
    await wa.phone_numbers.get(fields="id,name_status")
    await wa.phone_numbers.get(fields=(f for f in ["id", "status"]))
    assert query(recorder.requests[0].url) == {"fields": ["id,name_status"]}
    assert query(recorder.requests[1].url) == {"fields": ["id,status"]}


@pytest.mark.parametrize("fields", [None, [], "", ()])
async def test_get_without_fields_has_no_query(wa: WhatsApp, recorder: Any, fields: Any) -> None:
    recorder.reply({"id": "1234"})
    await wa.phone_numbers.get(fields=fields)
    assert recorder.last.url == "https://graph.facebook.com/v23.0/1234"


async def test_list_first_page_with_limit_and_cursors(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"data": [{"id": "1"}, {"id": "2"}], "paging": {"cursors": {"before": "B", "after": "A"}}})
    paginator = wa.phone_numbers.list(limit=2, after="CUR1", fields=["id", "status"])
    assert isinstance(paginator, AsyncPaginator)
    page = await paginator
    assert isinstance(page, Page)
    assert [n.id for n in page.data] == ["1", "2"]
    assert page.paging is not None and page.paging.cursors is not None
    assert page.paging.cursors.after == "A" and page.paging.next is None
    request = recorder.last
    assert request.method == "GET"
    assert base(request.url) == "https://graph.facebook.com/v23.0/5678/phone_numbers"
    assert query(request.url) == {"fields": ["id,status"], "limit": ["2"], "after": ["CUR1"]}


async def test_list_before_cursor_and_no_params(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"data": []})
    recorder.reply({"data": []})
    await wa.phone_numbers.list(before="PREV")
    await wa.phone_numbers.list()
    assert query(recorder.requests[0].url) == {"before": ["PREV"]}
    assert recorder.requests[1].url == "https://graph.facebook.com/v23.0/5678/phone_numbers"


async def test_list_iterates_all_pages(wa: WhatsApp, recorder: Any) -> None:
    next1 = "https://graph.facebook.com/v23.0/5678/phone_numbers?limit=2&after=P2"
    next2 = "https://graph.facebook.com/v23.0/5678/phone_numbers?limit=2&after=P3"
    recorder.reply({"data": [{"id": "1"}, {"id": "2"}], "paging": {"next": next1}})
    recorder.reply({"data": [{"id": "3"}], "paging": {"next": next2}})
    recorder.reply({"data": [{"id": "4"}], "paging": {"cursors": {"after": "END"}}})
    ids = [number.id async for number in wa.phone_numbers.list(limit=2)]
    assert ids == ["1", "2", "3", "4"]
    assert [r.url for r in recorder.requests[1:]] == [next1, next2]
    assert all(r.headers["authorization"].startswith("Bearer ") for r in recorder.requests)


async def test_request_code(wa: WhatsApp, recorder: Any) -> None:
    assert await wa.phone_numbers.request_code(code_method="SMS", language="en_US") == SuccessResponse(
        success=True
    )
    request = recorder.last
    assert request.method == "POST"
    assert request.url == "https://graph.facebook.com/v23.0/1234/request_code"
    assert recorder.body() == {"code_method": "SMS", "language": "en_US"}
    assert request.headers["content-type"] == "application/json"


async def test_request_code_defaults_and_voice(wa: WhatsApp, recorder: Any) -> None:
    await wa.phone_numbers.request_code()
    await wa.phone_numbers.request_code(code_method="VOICE", language="pt_BR")
    assert recorder.body(0) == {"code_method": "SMS", "language": "en_US"}
    assert recorder.body(1) == {"code_method": "VOICE", "language": "pt_BR"}


async def test_verify_code(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({"success": True, "id": "1234"})
    assert await wa.phone_numbers.verify_code("123456") == VerifyCodeResponse(success=True, id="1234")
    request = recorder.last
    assert request.method == "POST"
    assert request.url == "https://graph.facebook.com/v23.0/1234/verify_code"
    assert recorder.body() == {"code": "123456"}


async def test_verify_code_without_id(wa: WhatsApp, recorder: Any) -> None:
    assert await wa.phone_numbers.verify_code("000123") == VerifyCodeResponse(success=True, id=None)
    assert recorder.body() == {"code": "000123"}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"code_method": "TEXT"}, "code_method"),
        ({"code_method": None}, "code_method"),
        ({"language": "EN_us"}, "language"),
        ({"language": "en_USA"}, "language"),
        ({"language": 5}, "language"),
    ],
)
async def test_request_code_bad_input_never_leaves(
    wa: WhatsApp, recorder: Any, kwargs: Any, match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        await wa.phone_numbers.request_code(**kwargs)
    assert recorder.requests == []


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12345a", "١٢٣٤٥٦", 123456, None])
async def test_verify_code_bad_input_never_leaves(wa: WhatsApp, recorder: Any, code: Any) -> None:
    with pytest.raises(ValueError, match="code must be") as info:
        await wa.phone_numbers.verify_code(code)
    if isinstance(code, str) and code:
        assert code not in str(info.value)
    assert recorder.requests == []
