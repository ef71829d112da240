"""Request and Response values: lower-cased headers, safe reprs, JSON helper."""

from __future__ import annotations

import json

import attrs
import pytest

from meta_cloud_async import Request, RequestMeta, Response
from meta_cloud_async._http import dumps_json, loads_json


def test_headers_are_lower_cased() -> None:
    request = Request(method="GET", url="https://x", headers={"Authorization": "Bearer t", "X-Thing": "1"})
    assert dict(request.headers) == {"authorization": "Bearer t", "x-thing": "1"}
    response = Response(status_code=200, headers={"Content-Type": "application/json", "Retry-After": "3"})
    assert response.headers["retry-after"] == "3"


def test_defaults() -> None:
    request = Request(method="POST", url="https://x")
    assert request.content == b"" and request.timeout is None and dict(request.headers) == {}
    assert request.meta == RequestMeta(operation="", idempotent=False, rate_limit_keys=())
    assert Response(status_code=204).content == b""


def test_values_are_frozen() -> None:
    request = Request(method="GET", url="https://x")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        request.url = "https://y"  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        Response(status_code=200).status_code = 500  # type: ignore[misc]


def test_request_repr_hides_body_and_auth() -> None:
    request = Request(
        method="POST",
        url="https://graph.facebook.com/v23.0/1",
        headers={"Authorization": "Bearer SECRET", "Cookie": "c=SECRET2", "Accept": "json"},
        content=b'{"pin":"428915"}',
    )
    text = repr(request)
    assert "SECRET" not in text and "428915" not in text
    assert "<redacted>" in text and "<16 bytes>" in text and "'accept': 'json'" in text
    assert "https://graph.facebook.com/v23.0/1" in text


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "https://g/v23.0/1/phone_numbers?access_token=EAAsecret&after=X",
            "https://g/v23.0/1/phone_numbers?access_token=<redacted>&after=X",
        ),
        ("https://g/x?limit=2&ACCESS_TOKEN=EAAsecret", "https://g/x?limit=2&ACCESS_TOKEN=<redacted>"),
        ("https://g/x?access%5Ftoken=EAAsecret", "https://g/x?access%5Ftoken=<redacted>"),
        ("https://g/x?appsecret_proof=abcdef&a=1#frag", "https://g/x?appsecret_proof=<redacted>&a=1#frag"),
        ("https://g/x?after=Y", "https://g/x?after=Y"),
    ],
)
def test_request_repr_hides_tokens_in_the_query(url: str, shown: str) -> None:
    text = repr(Request(method="GET", url=url))
    assert f"url={shown!r}" in text
    assert "EAAsecret" not in text and "abcdef" not in text


def test_response_repr_and_json() -> None:
    response = Response(status_code=400, content=b'{"error": {"message": "PIN 428915 wrong"}}')
    assert repr(response) == "Response(status_code=400, content=<42 bytes>)"
    assert response.json() == {"error": {"message": "PIN 428915 wrong"}}
    with pytest.raises(ValueError):
        Response(status_code=200, content=b"<html>").json()


@pytest.mark.parametrize(
    ("status", "success"),
    [(199, False), (200, True), (204, True), (299, True), (300, False), (404, False), (500, False)],
)
def test_is_success(status: int, success: bool) -> None:
    assert Response(status_code=status).is_success is success


def test_response_equality_ignores_the_request() -> None:
    a = Response(status_code=200, content=b"x", request=Request(method="GET", url="https://a"))
    b = Response(status_code=200, content=b"x", request=None)
    assert a == b


# -- the fast JSON helpers ---------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b'{"success":true}',
        b' {"a": 1}',
        b'{"a": [1, 2.5, null, "\\u00e9"]}\r\n\t ',
        b'\xef\xbb\xbf{"a":1}',
        '{"a":"\u00e9"}'.encode("utf-16"),
        '{"a":"\u00e9"}'.encode(),
        b"[1,2]",
        b"7",
    ],
)
def test_loads_json_matches_json_loads(body: bytes) -> None:
    assert loads_json(body) == json.loads(body)


@pytest.mark.parametrize("body", [b"", b"{", b'{"a":1} x', b'{"a":1}\xc2\xa0', b"\xff", b"nope"])
def test_loads_json_fails_like_json_loads(body: bytes) -> None:
    with pytest.raises(ValueError) as ours:
        loads_json(body)
    with pytest.raises(ValueError) as theirs:
        json.loads(body)
    assert type(ours.value) is type(theirs.value) and str(ours.value) == str(theirs.value)


def test_dumps_json_is_compact_json() -> None:
    value = {"pin": "012345", "n": [1, None, True], "s": "\u00e9"}
    assert (
        dumps_json(value)
        == json.dumps(value, separators=(",", ":"))
        == '{"pin":"012345","n":[1,null,true],"s":"\\u00e9"}'
    )


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"a":' * 100_000, "[" * 100_000])
def test_loads_json_too_deep_is_a_value_error_not_a_recursion_error(body: bytes | str) -> None:
    with pytest.raises(ValueError, match="nested too deeply"):
        loads_json(body)


def test_loads_json_takes_header_text() -> None:
    assert loads_json('{"a":1}') == {"a": 1}
