"""Operation declarations: compiled once, read by the client (URL, encoding, headers) and the registry."""

from __future__ import annotations

import asyncio
import json
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

import attrs
import pytest

from meta_cloud_async import MockTransport, Request, Response, WhatsApp
from meta_cloud_async._multipart import FilePart
from meta_cloud_async._operations import encode_value, operation_of, path_segment, registry
from meta_cloud_async.errors import RateLimitError
from meta_cloud_async.middleware.rate_limit import RateLimitPolicy
from meta_cloud_async.middleware.retry import RetryPolicy
from meta_cloud_async.testing import FakeClock
from meta_cloud_async.types.shared import BODY, QUERY, ApiRequest, SuccessResponse, header_param


@attrs.frozen(kw_only=True)
class _DeleteByName(ApiRequest[SuccessResponse]):
    method: ClassVar[str] = "DELETE"
    path: ClassVar[str] = "{business_account_id}/message_templates"
    idempotent: ClassVar[bool] = True

    name: str
    hsm_id: str | None = None


@attrs.frozen(kw_only=True)
class _GetMedia(ApiRequest[dict[str, Any]]):
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{media_id}"
    idempotent: ClassVar[bool] = True

    media_id: str
    phone_number_id: str | None = None
    flag: bool | None = None


@attrs.frozen(kw_only=True)
class _JsonWithQuery(ApiRequest[SuccessResponse]):
    path: ClassVar[str] = "{template_id}"

    template_id: str
    category: str | None = None
    dry_run: bool | None = attrs.field(default=None, metadata=QUERY)


@attrs.frozen(kw_only=True)
class _Chunk(ApiRequest[SuccessResponse]):
    path: ClassVar[str] = "{session}"
    encoding: ClassVar[Any] = "raw"

    session: str
    data: bytes = attrs.field(metadata=BODY)
    offset: int = header_param("file_offset", default=0)


@attrs.frozen(kw_only=True)
class _Form(ApiRequest[SuccessResponse]):
    path: ClassVar[str] = "{app_id}/subscriptions"
    encoding: ClassVar[Any] = "form"

    object: str
    include_values: bool = True


@attrs.frozen(kw_only=True)
class _Upload(ApiRequest[SuccessResponse]):
    path: ClassVar[str] = "{phone_number_id}/media"
    encoding: ClassVar[Any] = "multipart"

    messaging_product: str = "whatsapp"
    type: str
    file: FilePart


@attrs.frozen(kw_only=True)
class _Send(ApiRequest[dict[str, Any]]):
    path: ClassVar[str] = "{phone_number_id}/messages"
    budget: ClassVar[Any] = "messaging"
    pair_field: ClassVar[str | None] = "to"
    retry_refused: ClassVar[bool] = True

    to: str
    text: str = "hi"


class Recorder:
    def __init__(self, *answers: Response) -> None:
        self.requests: list[Request] = []
        self.answers = list(answers)

    def __call__(self, request: Request) -> Response:
        self.requests.append(request)
        if self.answers:
            return self.answers.pop(0)
        return Response(status_code=200, content=b'{"success":true}')


def _client(rec: Recorder, **kwargs: Any) -> WhatsApp:
    options: dict[str, Any] = {
        "access_token": "tok",
        "phone_number_id": "111",
        "business_account_id": "222",
        "app_id": "333",
        "transport": MockTransport(rec),
        "retry": None,
    }
    options.update(kwargs)
    return WhatsApp(**options)


def _query(request: Request) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(request.url).query)


# -- compiling ------------------------------------------------------------------------------


def test_compiled_declaration_knows_kinds_and_response() -> None:
    op = operation_of(_JsonWithQuery)
    assert (op.method, op.encoding, op.response) == ("POST", "json", SuccessResponse)
    assert op.path_fields == {"template_id"} and op.query_fields == {"dry_run"}
    assert op.match("123") == {"template_id": "123"} and op.match("1/2") is None
    assert operation_of(_DeleteByName).encoding == "query"
    assert operation_of(_Chunk).header_fields == {"offset": "file_offset"}


def test_bad_declarations_fail_at_compile_time() -> None:
    @attrs.frozen(kw_only=True)
    class NoModel(ApiRequest):  # type: ignore[type-arg]
        path: ClassVar[str] = "x"

    @attrs.frozen(kw_only=True)
    class Unknown(ApiRequest[SuccessResponse]):
        path: ClassVar[str] = "{nope}/x"

    @attrs.frozen(kw_only=True)
    class RawWithoutBody(ApiRequest[SuccessResponse]):
        path: ClassVar[str] = "x"
        encoding: ClassVar[Any] = "raw"

    for cls in (NoModel, Unknown, RawWithoutBody):
        with pytest.raises(TypeError):
            operation_of(cls)


def test_registry_lists_every_declared_operation_once() -> None:
    names = [op.name for op in registry()]
    assert len(names) == len(set(names))
    assert {
        "SetPinRequest",
        "RegisterRequest",
        "ListPhoneNumbersRequest",
        "GetBusinessAccountRequest",
    } <= set(names)
    assert all(op.cls.__module__.startswith("meta_cloud_async.") for op in registry())


@pytest.mark.parametrize(
    ("value", "wire"),
    [(True, "true"), (False, "false"), ("x y", "x y"), (3, "3"), (1.5, "1.5"), (["a", "b"], '["a","b"]')],
)
def test_values_are_encoded_as_graph_reads_them(value: Any, wire: str) -> None:
    assert encode_value(value) == wire


@pytest.mark.parametrize("bad", ["", "a/b", "a?b", "a#b", "a b", "..", "%2F", "é", 12])
def test_path_segments_are_checked(bad: Any) -> None:
    with pytest.raises(ValueError):
        path_segment("media_id", bad)


# -- what the client builds from a declaration ------------------------------------------------


async def test_delete_with_a_query() -> None:
    rec = Recorder()
    async with _client(rec) as wa:
        await wa._call(_DeleteByName(name="x"))
    request = rec.requests[0]
    assert (request.method, urlsplit(request.url).path) == ("DELETE", "/v23.0/222/message_templates")
    assert _query(request) == [("name", "x")]
    assert request.content == b""


async def test_path_parameters_come_from_fields_and_booleans_are_true() -> None:
    rec = Recorder(Response(status_code=200, content=b'{"url":"u"}'))
    async with _client(rec) as wa:
        answer = await wa._call(_GetMedia(media_id="987", phone_number_id="555", flag=True))
    assert answer == {"url": "u"}
    assert urlsplit(rec.requests[0].url).path == "/v23.0/987"
    assert _query(rec.requests[0]) == [("phone_number_id", "555"), ("flag", "true")]


async def test_a_bad_path_value_is_refused_before_sending() -> None:
    rec = Recorder()
    async with _client(rec) as wa:
        with pytest.raises(ValueError, match="media_id"):
            await wa._call(_GetMedia(media_id="../111"))
    assert rec.requests == []


async def test_json_body_with_a_query_field() -> None:
    rec = Recorder()
    async with _client(rec) as wa:
        await wa._call(_JsonWithQuery(template_id="42", category="UTILITY", dry_run=False))
    request = rec.requests[0]
    assert urlsplit(request.url).path == "/v23.0/42"
    assert _query(request) == [("dry_run", "false")]
    assert json.loads(request.content) == {"category": "UTILITY"}
    assert request.headers["content-type"] == "application/json"


async def test_raw_body_and_header_parameter() -> None:
    rec = Recorder()
    async with _client(rec) as wa:
        await wa._call(_Chunk(session="upload:abc", data=b"\x00\x01", offset=7))
    request = rec.requests[0]
    assert (urlsplit(request.url).path, request.content) == ("/v23.0/upload:abc", b"\x00\x01")
    assert request.headers["file_offset"] == "7"


async def test_form_body_and_app_id_from_options() -> None:
    rec = Recorder()
    async with _client(rec) as wa:
        await wa._call(_Form(object="whatsapp_business_account"))
    request = rec.requests[0]
    assert urlsplit(request.url).path == "/v23.0/333/subscriptions"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qsl(request.content.decode()) == [
        ("object", "whatsapp_business_account"),
        ("include_values", "true"),
    ]


async def test_multipart_body() -> None:
    rec = Recorder()
    async with _client(rec) as wa:
        await wa._call(
            _Upload(
                type="image/png", file=FilePart(content=b"PNG", filename="a.png", content_type="image/png")
            )
        )
    request = rec.requests[0]
    ctype = request.headers["content-type"]
    assert ctype.startswith("multipart/form-data; boundary=")
    boundary = ctype.split("boundary=", 1)[1].encode()
    body = request.content
    assert body.startswith(b"--" + boundary) and body.endswith(b"--" + boundary + b"--\r\n")
    assert b'name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\nPNG\r\n' in body
    assert b'name="messaging_product"\r\n\r\nwhatsapp\r\n' in body


async def test_missing_option_id_is_a_value_error_naming_it() -> None:
    rec = Recorder()
    async with _client(rec, app_id=None) as wa:
        with pytest.raises(ValueError, match="app_id"):
            await wa._call(_Form(object="x"))
    assert rec.requests == []


# -- budgets -------------------------------------------------------------------------------------


async def test_400_set_pin_calls_on_one_number_never_wait() -> None:
    clock = FakeClock()
    rec = Recorder()
    async with _client(rec, clock=clock.time, sleep=clock.sleep, retry=RetryPolicy()) as wa:
        await asyncio.gather(*(wa.two_step_verification.set_pin("428915") for _ in range(400)))
    assert len(rec.requests) == 400
    assert clock.sleeps == []


async def test_400_sends_are_paced_at_the_messaging_rate() -> None:
    clock = FakeClock()
    sent: list[float] = []

    def handler(request: Request) -> Response:
        sent.append(clock.time())
        return Response(status_code=200, content=b"{}")

    async with WhatsApp(
        access_token="tok",
        phone_number_id="111",
        transport=MockTransport(handler),
        clock=clock.time,
        sleep=clock.sleep,
    ) as wa:
        # 400 different recipients: only the number's 80/s throughput applies.
        await asyncio.gather(*(wa._call(_Send(to=str(1000 + i))) for i in range(400)))
    assert len(sent) == 400
    assert sent[:80] == [0.0] * 80  # the burst
    assert sent[-1] == pytest.approx((400 - 80) / 80)


async def test_one_recipient_is_held_to_the_pair_limit_and_others_are_not() -> None:
    clock = FakeClock()
    sent: list[tuple[str, float]] = []

    def handler(request: Request) -> Response:
        sent.append((json.loads(request.content)["to"], clock.time()))
        return Response(status_code=200, content=b"{}")

    async with WhatsApp(
        access_token="tok",
        phone_number_id="111",
        transport=MockTransport(handler),
        clock=clock.time,
        sleep=clock.sleep,
    ) as wa:
        await asyncio.gather(*(wa._call(_Send(to="49")) for _ in range(5)), wa._call(_Send(to="50")))
    times = [t for to, t in sent if to == "49"]
    assert times == [0.0, 0.0, 0.0, 6.0, 12.0]  # a burst of 3, then one per 6 s
    assert [t for to, t in sent if to == "50"] == [0.0]


async def test_131056_holds_only_that_recipient_then_the_send_is_retried() -> None:
    clock = FakeClock()
    sent: list[tuple[str, float]] = []
    pair_error = json.dumps({"error": {"code": 131056, "message": "pair rate limit"}}).encode()
    refused = {"49": 1}

    def handler(request: Request) -> Response:
        to = json.loads(request.content)["to"]
        sent.append((to, clock.time()))
        if refused.get(to):
            refused[to] -= 1
            return Response(status_code=400, content=pair_error)
        return Response(status_code=200, content=b"{}")

    async with WhatsApp(
        access_token="tok",
        phone_number_id="111",
        transport=MockTransport(handler),
        clock=clock.time,
        sleep=clock.sleep,
        random=lambda: 0.0,
    ) as wa:
        await wa._call(_Send(to="49"))
        await wa._call(_Send(to="50"))  # another recipient does not wait
    assert sent == [("49", 0.0), ("49", 6.0), ("50", 6.0)]


async def test_a_non_idempotent_send_is_not_retried_after_a_5xx() -> None:
    rec = Recorder(Response(status_code=500, content=b'{"error":{"code":131000,"message":"x"}}'))
    async with _client(rec, retry=RetryPolicy()) as wa:
        with pytest.raises(Exception) as info:
            await wa._call(_Send(to="49"))
    assert len(rec.requests) == 1
    assert getattr(info.value, "may_have_applied", None) is True


async def test_throughput_code_retries_the_send_after_the_hold() -> None:
    clock = FakeClock()
    rec = Recorder(Response(status_code=400, content=b'{"error":{"code":130429,"message":"x"}}'))
    async with _client(rec, retry=RetryPolicy(), clock=clock.time, sleep=clock.sleep) as wa:
        await wa._call(_Send(to="49"))
    assert len(rec.requests) == 2
    assert clock.now >= 1.0  # the number was held for throughput_hold_seconds


async def test_register_is_still_not_retried_on_a_throttle() -> None:
    rec = Recorder(Response(status_code=400, content=b'{"error":{"code":80007,"message":"x"}}'))
    async with _client(rec, retry=RetryPolicy(), rate_limit=RateLimitPolicy(usage_hold_seconds=0)) as wa:
        with pytest.raises(RateLimitError):
            await wa.registration.register("428915")
    assert len(rec.requests) == 1
