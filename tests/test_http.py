"""Request and Response values: lower-cased headers, safe reprs, JSON helper."""

from __future__ import annotations

import importlib.util
import json
import math
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import attrs
import pytest

import meta_cloud_async._http as http_module
from meta_cloud_async import Request, RequestMeta, Response
from meta_cloud_async._http import (
    JSON_BACKEND,
    HeaderView,
    LowerCaseHeaders,
    dumps_json,
    dumps_json_bytes,
    loads_json,
    may_hold_big_int,
    stdlib_dumps_json,
    stdlib_dumps_json_bytes,
    stdlib_loads_json,
)


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
@pytest.mark.parametrize("loads", [loads_json, stdlib_loads_json], ids=[JSON_BACKEND, "stdlib"])
def test_loads_json_matches_json_loads(body: bytes, loads: Callable[[bytes], Any]) -> None:
    assert loads(body) == json.loads(body)


@pytest.mark.parametrize("body", [b"", b"{", b'{"a":1} x', b'{"a":1}\xc2\xa0', b"\xff", b"nope"])
@pytest.mark.parametrize("loads", [loads_json, stdlib_loads_json], ids=[JSON_BACKEND, "stdlib"])
def test_loads_json_fails_like_json_loads(body: bytes, loads: Callable[[bytes], Any]) -> None:
    with pytest.raises(ValueError) as ours:
        loads(body)
    with pytest.raises(ValueError) as theirs:
        json.loads(body)
    assert type(ours.value) is type(theirs.value) and str(ours.value) == str(theirs.value)


def test_dumps_json_is_compact_json() -> None:
    value = {"pin": "012345", "n": [1, None, True], "s": "\u00e9"}
    assert stdlib_dumps_json(value) == dumps_json(value)
    assert (
        dumps_json(value)
        == json.dumps(value, separators=(",", ":"))
        == '{"pin":"012345","n":[1,null,true],"s":"\\u00e9"}'
    )


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"a":' * 100_000, "[" * 100_000])
@pytest.mark.parametrize("loads", [loads_json, stdlib_loads_json], ids=[JSON_BACKEND, "stdlib"])
def test_loads_json_too_deep_is_a_value_error_not_a_recursion_error(
    body: bytes | str, loads: Callable[[bytes | str], Any]
) -> None:
    with pytest.raises(ValueError, match="nested too deeply"):
        loads(body)


@pytest.mark.parametrize("loads", [loads_json, stdlib_loads_json], ids=[JSON_BACKEND, "stdlib"])
def test_loads_json_reads_what_json_loads_reads_beyond_orjson(loads: Callable[[bytes], Any]) -> None:
    # orjson refuses these; the answer must not depend on which library is installed.
    for body in (b'{"n": NaN}', b"[18446744073709551616]", b'{"a": 1e400}'):
        assert repr(loads(body)) == repr(json.loads(body))


_BIG_NUMBERS = (
    b"[18446744073709551616]",
    b'{"a": -9223372036854775809}',  # 19 digits, below the 64-bit range: orjson would give a float
    b'{"a" :\n 18446744073709551616, "b": [1,\t-123456789012345678901234]}',
    b"  1234567890123456789012",
)
_DIGITS_IN_STRINGS = (
    b'{"user_id":"US.13491208655302741918","id":"12345678901234567890123"}',
    b'{"a":1.2345678901234567890123,"b":"x-12345678901234567890"}',
)


@pytest.mark.parametrize("loads", [loads_json, stdlib_loads_json], ids=[JSON_BACKEND, "stdlib"])
def test_long_integers_keep_every_digit(loads: Callable[[bytes], Any]) -> None:
    for body in _BIG_NUMBERS + _DIGITS_IN_STRINGS:
        assert repr(loads(body)) == repr(json.loads(body))


def test_only_digit_runs_where_a_number_can_start_count_as_big_integers() -> None:
    assert all(may_hold_big_int(body) for body in _BIG_NUMBERS)
    assert not any(may_hold_big_int(body) for body in _DIGITS_IN_STRINGS)
    assert not may_hold_big_int(b"[922337203685477580]")  # 18 digits: orjson is exact
    # A false alarm only costs the slower decoder: digits after ": " inside a string.
    assert may_hold_big_int(b'{"s": "at: 12345678901234567890"}')


@pytest.mark.skipif(JSON_BACKEND != "orjson", reason="orjson (the fast extra) is not installed")
def test_long_digit_runs_inside_strings_stay_on_orjson(monkeypatch: pytest.MonkeyPatch) -> None:
    # Meta's webhook user_id is such a string: the body must not fall back to the standard library.
    def refuse(content: Any) -> Any:
        raise AssertionError("fell back to the standard library")

    monkeypatch.setattr(http_module, "stdlib_loads_json", refuse)
    for body in _DIGITS_IN_STRINGS:
        assert loads_json(body) == json.loads(body)


@pytest.mark.parametrize(
    "value",
    [
        {"pin": "482915"},
        {"messaging_product": "whatsapp", "to": "15551234567"},  # an "n" but no null
        {"a": None, "b": "null", "c": [None, 1.5]},  # real nulls
        {"s": "nan", "t": "null"},  # the letters only inside strings
        {"x": 1.0, "y": -0.0},
    ],
)
def test_request_bodies_are_the_standard_librarys_bytes(value: Any) -> None:
    assert dumps_json_bytes(value) == stdlib_dumps_json_bytes(value)


@pytest.mark.parametrize("dumps", [dumps_json_bytes, stdlib_dumps_json_bytes], ids=[JSON_BACKEND, "stdlib"])
def test_request_bodies_refuse_what_graph_cannot_read(dumps: Callable[[Any], bytes]) -> None:
    for bad in ({"latitude": math.nan}, {"x": [math.inf]}, {"y": {"z": -math.inf}}):
        with pytest.raises(ValueError, match="Out of range float"):
            dumps(bad)
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps({"when": object()})
    circular: list[Any] = []
    circular.append(circular)
    with pytest.raises(ValueError, match="circular"):
        dumps(circular)


@pytest.mark.parametrize("dumps", [dumps_json_bytes, stdlib_dumps_json_bytes], ids=[JSON_BACKEND, "stdlib"])
def test_request_bodies_decode_to_the_value_whichever_library(dumps: Callable[[Any], bytes]) -> None:
    value = {"to": "15551234567", "text": {"body": "ol\u00e1 \U0001f600", "preview_url": False}, "n": 1.5}
    assert json.loads(dumps(value)) == value
    assert b" " not in dumps({"a": [1, 2], "b": {"c": True}})  # compact
    assert json.loads(dumps({1: "int keys"})) == {"1": "int keys"}  # as json.dumps does


def test_the_json_library_is_chosen_by_the_environment() -> None:
    code = "from meta_cloud_async._http import JSON_BACKEND; print(JSON_BACKEND)"
    env = {**os.environ, "META_CLOUD_ASYNC_JSON": "stdlib"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert done.stdout.strip() == "json", done.stderr
    env.pop("META_CLOUD_ASYNC_JSON")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    expected = "orjson" if importlib.util.find_spec("orjson") is not None else "json"
    assert done.stdout.strip() == expected == JSON_BACKEND, done.stderr


def test_loads_json_takes_header_text() -> None:
    assert loads_json('{"a":1}') == {"a": 1}


def test_a_transports_fast_response_is_the_response_the_constructor_makes() -> None:
    request = Request(method="GET", url="https://graph.facebook.com/v23.0/1")
    headers = {"Content-Type": "application/json", "X-App-Usage": "{}"}
    fast = Response._received(200, headers, b'{"a":1}', request)
    slow = Response(status_code=200, headers=headers, content=b'{"a":1}', request=request)
    # Every attrs field set, to the same values (a field added later must be added to both).
    for field in attrs.fields(Response):
        assert getattr(fast, field.name) == getattr(slow, field.name) or field.name == "_decoded_body"
    assert fast == slow and fast.headers == {"content-type": "application/json", "x-app-usage": "{}"}
    assert fast.decoded() == {"a": 1} and fast.prior_attempt_ambiguous is False and fast.stream is None


def test_the_clients_fast_request_is_the_request_the_constructor_makes() -> None:
    headers = LowerCaseHeaders({"authorization": "Bearer t", "content-type": "application/json"})
    meta = RequestMeta(operation="SetPinRequest", idempotent=True)
    args: dict[str, Any] = dict(
        method="POST", url="https://graph.facebook.com/v23.0/1", content=b"{}", timeout=5.0
    )
    fast = Request._built(headers=headers, meta=meta, **args)
    slow = Request(headers=headers, meta=meta, **args)
    for field in attrs.fields(Request):  # every field set, to the same value
        assert getattr(fast, field.name) == getattr(slow, field.name), field.name
    assert fast == slow and repr(fast) == repr(slow) and fast.headers is headers


def test_a_header_view_reads_like_the_lower_cased_dict_it_replaces() -> None:
    from multidict import CIMultiDict, CIMultiDictProxy

    raw = CIMultiDictProxy(
        CIMultiDict(
            [
                ("Content-Type", "application/json"),
                ("X-App-Usage", "{}"),
                ("Set-Cookie", "a"),
                ("set-cookie", "b"),
            ]
        )
    )
    view = HeaderView(raw)
    # What the rate limiter and retry ask on every answer: no copy made for it.
    assert (
        "x-app-usage" in view and "X-App-Usage" in view and "retry-after" not in view and object() not in view
    )
    assert bool(view) and not HeaderView(CIMultiDictProxy(CIMultiDict()))
    expected = {"content-type": "application/json", "x-app-usage": "{}", "set-cookie": "b"}
    assert dict(view) == expected and view == expected and expected == view
    assert view["Content-Type"] == "application/json" and view.get("retry-after") is None and len(view) == 3
    assert list(view) == ["content-type", "x-app-usage", "set-cookie"] and repr(view) == repr(expected)
    response = Response._received(200, view, b"", None)
    assert response.headers is view and response == Response(status_code=200, headers=expected)
