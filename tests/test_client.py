"""The client: headers, lifecycle, with_options, validation before I/O, decoding."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from meta_cloud_async import (
    ClientOptions,
    GraphAPIError,
    MockTransport,
    PhoneNumber,
    Request,
    Response,
    ResponseTooLargeError,
    SuccessResponse,
    UnexpectedResponseError,
    VerifyCodeResponse,
    WhatsApp,
)
from meta_cloud_async._client import _MAX_PROFILES, USER_AGENT
from meta_cloud_async.errors import PinMismatchError

TOKEN = "EAAtestTOKEN0123456789"
# The User-Agent pattern Meta's OpenAPI document declares for every operation.
SPEC_UA = re.compile(
    r"^[a-zA-Z0-9\-_]+\/[0-9]+\.[0-9]+\.[0-9]+(;[a-zA-Z0-9\-=\.]+)?(\s+[a-zA-Z0-9\-_]+\/[0-9\-\.]+)?$"
)


class Recorder:
    """A handler that records requests and answers from a queue (default: success)."""

    def __init__(self, *responses: Response) -> None:
        self.requests: list[Request] = []
        self._responses = list(responses)

    def __call__(self, request: Request) -> Response:
        self.requests.append(request)
        if self._responses:
            return self._responses.pop(0)
        return Response(status_code=200, content=b'{"success": true}')


class RecordingTransport(MockTransport):
    def __init__(self, recorder: Recorder) -> None:
        super().__init__(recorder)
        self.closed = 0

    async def aclose(self) -> None:
        self.closed += 1


def make(recorder: Recorder, **kwargs: Any) -> WhatsApp:
    defaults: dict[str, Any] = {
        "access_token": TOKEN,
        "phone_number_id": "1234",
        "business_account_id": "5678",
        "transport": MockTransport(recorder),
        "retry": None,
        "rate_limit": None,
    }
    return WhatsApp(**{**defaults, **kwargs})


def ok(body: Any, status: int = 200) -> Response:
    return Response(
        status_code=status, headers={"content-type": "application/json"}, content=json.dumps(body).encode()
    )


# -- headers -----------------------------------------------------------------------


async def test_post_headers() -> None:
    rec = Recorder()
    async with make(rec) as wa:
        await wa.two_step_verification.set_pin("428915")
    headers = rec.requests[0].headers
    assert headers["authorization"] == f"Bearer {TOKEN}"
    assert headers["content-type"] == "application/json"
    assert headers["accept"] == "application/json"
    assert SPEC_UA.fullmatch(headers["user-agent"])
    assert headers["user-agent"].startswith("meta-cloud-async/")


async def test_get_and_bodyless_post_send_no_content_type() -> None:
    rec = Recorder(ok({"id": "1234"}), ok({"success": True}))
    async with make(rec) as wa:
        await wa.phone_numbers.get()
        await wa.registration.deregister()
    for request in rec.requests:
        assert "content-type" not in request.headers
        assert request.content == b""
        assert request.headers["authorization"] == f"Bearer {TOKEN}"


def test_user_agent_matches_spec_pattern() -> None:
    assert SPEC_UA.fullmatch(USER_AGENT), USER_AGENT


async def test_timeout_is_carried_on_each_request() -> None:
    rec = Recorder()
    async with make(rec, timeout=3.5) as wa:
        await wa.two_step_verification.set_pin("428915")
        await wa.with_options(timeout=None).two_step_verification.set_pin("428915")
    assert [r.timeout for r in rec.requests] == [3.5, None]


async def test_request_meta_names_operation_and_budget() -> None:
    rec = Recorder(ok({"success": True}), ok({"success": True}), ok({"data": []}))
    async with make(rec) as wa:
        await wa.two_step_verification.set_pin("428915")
        await wa.registration.register("428915")
        await wa.phone_numbers.list()
    set_pin, register, listing = (r.meta for r in rec.requests)
    assert (set_pin.operation, set_pin.idempotent) == ("SetPinRequest", True)
    assert (register.operation, register.idempotent) == ("RegisterRequest", False)
    # Management calls draw on the WABA budget only: the sending number's messaging bucket is for sends.
    assert set_pin.rate_limit_keys == ("waba:5678",)
    assert listing.rate_limit_keys == ("waba:5678",)
    assert listing.idempotent is True


async def test_rate_limit_keys_without_waba() -> None:
    rec = Recorder()
    async with make(rec, business_account_id=None) as wa:
        await wa.two_step_verification.set_pin("428915")
    assert rec.requests[0].meta.rate_limit_keys == ()


# -- with_options and lifecycle ----------------------------------------------------------


async def test_with_options_shares_transport_and_middleware() -> None:
    rec = Recorder()
    seen: list[str] = []

    async def spy(request: Request, call_next: Any) -> Response:
        seen.append(request.url)
        response: Response = await call_next(request)
        return response

    transport = RecordingTransport(rec)
    wa = make(rec, transport=transport, middleware=[spy])
    other = wa.with_options(phone_number_id="9999")
    assert other._shared is wa._shared
    assert other.options.phone_number_id == "9999"
    assert wa.options.phone_number_id == "1234"
    assert other.options.access_token == TOKEN
    await other.two_step_verification.set_pin("428915")
    await wa.two_step_verification.set_pin("428915")
    assert seen == ["https://graph.facebook.com/v23.0/9999", "https://graph.facebook.com/v23.0/1234"]
    assert len(rec.requests) == 2
    await wa.aclose()


async def test_with_options_changes_token_and_version() -> None:
    rec = Recorder()
    async with make(rec) as wa:
        other = wa.with_options(access_token="OTHERtoken", api_version="v24.0", business_account_id=None)
        await other.two_step_verification.set_pin("428915")
        assert other.options.business_account_id is None
    request = rec.requests[0]
    assert request.url == "https://graph.facebook.com/v24.0/1234"
    assert request.headers["authorization"] == "Bearer OTHERtoken"
    assert request.meta.rate_limit_keys == ()  # no WABA on this copy: nothing paces a management call


async def test_copies_with_the_same_arguments_share_one_state_and_stay_apart() -> None:
    rec = Recorder()
    async with make(rec) as wa:
        first = wa.with_options(phone_number_id="9999")
        await first.two_step_verification.set_pin("428915")
        second = wa.with_options(phone_number_id="9999")
        # Not rebuilt: a copy is an immutable view, so the same arguments give back the same copy,
        # with its options, header dicts, budget keys, prepared operations and namespaces.
        assert second is first
        assert second.two_step_verification is first.two_step_verification
        assert second.two_step_verification._client is second
        # Other arguments, or another parent, are other states.
        other = wa.with_options(phone_number_id="8888")
        assert other.options.phone_number_id == "8888" and other._prepared is not first._prepared
        nested = first.with_options(phone_number_id="9999")
        assert nested.options.phone_number_id == "9999" and nested._profile is not first._profile
        await second.two_step_verification.set_pin("428915")
        await other.two_step_verification.set_pin("428915")
    assert [r.url for r in rec.requests] == [
        "https://graph.facebook.com/v23.0/9999",
        "https://graph.facebook.com/v23.0/9999",
        "https://graph.facebook.com/v23.0/8888",
    ]


async def test_a_cached_copy_still_validates_and_keeps_per_copy_policies() -> None:
    rec = Recorder()
    async with make(rec) as wa:
        for _ in range(2):  # the second round is served from the cache: same answers
            with pytest.raises(ValueError, match="phone_number_id"):
                wa.with_options(phone_number_id="12ab")
            no_retry = wa.with_options(retry=None)
            assert no_retry._retry is None
        # A copy is an immutable view: the same arguments give back the same copy (and its
        # namespaces), other arguments another one.
        first = wa.with_options(phone_number_id="4444")
        assert wa.with_options(phone_number_id="4444") is first
        assert first.registration is wa.with_options(phone_number_id="4444").registration
        assert wa.with_options(phone_number_id="5555") is not first
        assert first.with_options(phone_number_id="5555") is not wa.with_options(phone_number_id="5555")
        headed = wa.with_options(extra_headers={"X-Trace": "a"})
        assert wa.with_options(extra_headers={"X-Trace": "b"})._json_headers["x-trace"] == "b"
        assert headed._json_headers["x-trace"] == "a"
        # The cache is bounded: one entry per number and argument set, cleared at the bound.
        for i in range(_MAX_PROFILES + 50):
            wa.with_options(phone_number_id=str(100_000 + i))
        assert len(wa._shared.profiles) <= _MAX_PROFILES
    assert rec.requests == []


async def test_with_options_validates() -> None:
    rec = Recorder()
    async with make(rec) as wa:
        with pytest.raises(ValueError, match="phone_number_id"):
            wa.with_options(phone_number_id="12ab")
        with pytest.raises(ValueError, match="api_version"):
            wa.with_options(api_version="23")
        with pytest.raises(ValueError, match="access token"):
            wa.with_options(access_token="  ")
    assert rec.requests == []


async def test_copy_never_closes_the_shared_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    import meta_cloud_async.transports.aiohttp_transport as default_transport

    rec = Recorder()
    created: list[RecordingTransport] = []

    def make_default(**kwargs: Any) -> RecordingTransport:
        created.append(RecordingTransport(rec))
        return created[-1]

    # The client builds (and so owns) its default transport when none is passed.
    monkeypatch.setattr(default_transport, "AiohttpTransport", make_default)
    wa = WhatsApp(access_token=TOKEN, phone_number_id="1234")
    [transport] = created
    async with wa.with_options(phone_number_id="9999") as other:
        await other.two_step_verification.set_pin("428915")
    assert transport.closed == 0
    await wa.two_step_verification.set_pin("428915")  # the root still works
    await wa.aclose()
    assert transport.closed == 1
    await wa.aclose()  # idempotent
    assert transport.closed == 1


async def test_aclose_leaves_a_transport_passed_in_open() -> None:
    rec = Recorder()
    transport = RecordingTransport(rec)
    async with WhatsApp(access_token=TOKEN, phone_number_id="1234", transport=transport) as wa:
        await wa.two_step_verification.set_pin("428915")
    assert transport.closed == 0


async def test_default_transport_is_owned_and_closed() -> None:
    from meta_cloud_async.transports.aiohttp_transport import AiohttpTransport

    wa = WhatsApp(access_token=TOKEN, phone_number_id="1234")
    assert isinstance(wa._shared.transport, AiohttpTransport)
    assert wa._shared.owns_transport is True
    await wa.aclose()
    assert wa._shared.closed is True


async def test_closed_client_refuses_calls_before_io() -> None:
    rec = Recorder()
    wa = make(rec)
    other = wa.with_options(phone_number_id="9999")
    await wa.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await wa.two_step_verification.set_pin("428915")
    with pytest.raises(RuntimeError, match="closed"):
        await other.two_step_verification.set_pin("428915")
    assert rec.requests == []


def test_namespaces_are_cached_per_client() -> None:
    wa = make(Recorder())
    assert wa.two_step_verification is wa.two_step_verification
    assert wa.registration is wa.registration
    assert wa.phone_numbers is wa.phone_numbers
    other = wa.with_options(phone_number_id="9999")
    assert other.phone_numbers is not wa.phone_numbers
    assert other.phone_numbers._client is other


def test_options_property() -> None:
    wa = make(Recorder())
    assert isinstance(wa.options, ClientOptions)
    assert wa.options.api_version == "v23.0"
    assert wa.options.base_url == "https://graph.facebook.com"


# -- bad input fails before any request -------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda wa: wa.two_step_verification.set_pin("12345"),
        lambda wa: wa.two_step_verification.set_pin(428915),
        lambda wa: wa.two_step_verification.set_pin("١٢٣٤٥٦"),
        lambda wa: wa.registration.register("1234567"),
        lambda wa: wa.registration.register("428915", data_localization_region="de"),
        lambda wa: wa.registration.register("428915", data_localization_region="US"),
        lambda wa: wa.phone_numbers.request_code(code_method="sms"),
        lambda wa: wa.phone_numbers.request_code(code_method="EMAIL"),
        lambda wa: wa.phone_numbers.request_code(language="en-US"),
        lambda wa: wa.phone_numbers.request_code(language="english"),
        lambda wa: wa.phone_numbers.verify_code("12345"),
        lambda wa: wa.phone_numbers.verify_code(123456),
        lambda wa: wa.phone_numbers.verify_code("12345a"),
        lambda wa: wa.phone_numbers.list(limit=0),
        lambda wa: wa.phone_numbers.list(limit=101),
        lambda wa: wa.phone_numbers.list(limit=True),
    ],
)
async def test_bad_input_raises_before_any_request(call: Any) -> None:
    rec = Recorder()
    async with make(rec) as wa:
        with pytest.raises(ValueError):
            await call(wa)
    assert rec.requests == []


@pytest.mark.parametrize(
    "call",
    [
        lambda wa: wa.two_step_verification.set_pin("428915"),
        lambda wa: wa.registration.register("428915"),
        lambda wa: wa.registration.deregister(),
        lambda wa: wa.phone_numbers.get(),
        lambda wa: wa.phone_numbers.request_code(),
        lambda wa: wa.phone_numbers.verify_code("123456"),
    ],
)
async def test_missing_phone_number_id_is_a_clear_error(call: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WA_PHONE_NUMBER_ID", raising=False)
    rec = Recorder()
    async with make(rec, phone_number_id=None) as wa:
        with pytest.raises(ValueError, match="needs phone_number_id"):
            await call(wa)
    assert rec.requests == []


async def test_missing_business_account_id_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WA_BUSINESS_ACCOUNT_ID", raising=False)
    rec = Recorder()
    async with make(rec, business_account_id=None) as wa:
        with pytest.raises(ValueError, match="needs business_account_id"):
            await wa.phone_numbers.list()
        with pytest.raises(ValueError, match="needs business_account_id"):
            async for _ in wa.phone_numbers.list():
                pass
    assert rec.requests == []


@pytest.mark.parametrize("version", ["23.0", "v23", "v23.0.1", "V23.0", "v٢٣.0", "latest", "v23.0/"])
def test_bad_api_version_at_construction(version: str) -> None:
    with pytest.raises(ValueError, match="api_version"):
        WhatsApp(
            access_token=TOKEN,
            phone_number_id="1234",
            api_version=version,
            transport=MockTransport(Recorder()),
        )


@pytest.mark.parametrize(
    "base_url",
    [
        "graph.facebook.com",
        "ftp://graph.facebook.com",
        "https://",
        "https://graph.facebook.com?x=1",
        "https://graph.facebook.com/#frag",
    ],
)
def test_bad_base_url_at_construction(base_url: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        WhatsApp(access_token=TOKEN, base_url=base_url, transport=MockTransport(Recorder()))


@pytest.mark.parametrize("timeout", [0, -1.0, float("nan"), "20"])
def test_bad_timeout_at_construction(timeout: Any) -> None:
    with pytest.raises(ValueError, match="timeout"):
        WhatsApp(access_token=TOKEN, timeout=timeout, transport=MockTransport(Recorder()))


@pytest.mark.parametrize("value", ["12ab", "+4912345", "١٢٣", " 1234", 1234])
def test_bad_ids_at_construction(value: Any) -> None:
    with pytest.raises(ValueError, match="phone_number_id"):
        WhatsApp(access_token=TOKEN, phone_number_id=value, transport=MockTransport(Recorder()))
    with pytest.raises(ValueError, match="business_account_id"):
        WhatsApp(access_token=TOKEN, business_account_id=value, transport=MockTransport(Recorder()))


# -- decoding --------------------------------------------------------------------------------


async def test_responses_ignore_unknown_fields() -> None:
    rec = Recorder(
        ok({"success": True, "brand_new_field": {"x": 1}}),
        ok({"id": "1234", "quality_rating": "PURPLE", "new_thing": [1, 2], "is_pin_enabled": True}),
        ok({"success": True, "id": "1234", "extra": None}),
    )
    async with make(rec) as wa:
        assert await wa.two_step_verification.set_pin("428915") == SuccessResponse(success=True)
        number = await wa.phone_numbers.get()
        assert number == PhoneNumber(id="1234", quality_rating="PURPLE", is_pin_enabled=True)
        assert await wa.phone_numbers.verify_code("123456") == VerifyCodeResponse(success=True, id="1234")


@pytest.mark.parametrize(
    "content",
    [b"", b"<html>OK</html>", b"not json", b'{"success": tru'],
)
async def test_non_json_200_is_unexpected_response(content: bytes) -> None:
    rec = Recorder(Response(status_code=200, content=content))
    async with make(rec) as wa:
        with pytest.raises(UnexpectedResponseError, match="not JSON"):
            await wa.two_step_verification.set_pin("428915")


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ({}, r"required field missing @ \$\.success"),
        ({"success": "false"}, r"expected bool @ \$\.success"),
        ({"success": 1}, r"expected bool @ \$\.success"),
        ({"success": None}, r"expected bool @ \$\.success"),
        ([{"success": True}], "expected a JSON object, got list"),
        ("success", "expected a JSON object, got str"),
        (None, "expected a JSON object, got NoneType"),
        (True, "expected a JSON object, got bool"),
    ],
)
async def test_wrong_shapes_are_unexpected_response(body: Any, why: str) -> None:
    rec = Recorder(ok(body))
    async with make(rec) as wa:
        with pytest.raises(UnexpectedResponseError, match=why):
            await wa.two_step_verification.set_pin("428915")


@pytest.mark.parametrize(
    "body",
    [
        {"display_phone_number": "+1 555"},
        {"id": None},
        {"id": 1234},
        {"id": "1", "is_pin_enabled": "yes"},
        {"id": "1", "throughput": "high"},
    ],
)
async def test_wrong_phone_number_shapes(body: Any) -> None:
    rec = Recorder(ok(body))
    async with make(rec) as wa:
        with pytest.raises(UnexpectedResponseError, match="PhoneNumber"):
            await wa.phone_numbers.get()


async def test_error_envelope_with_200_raises_the_typed_error() -> None:
    body = {
        "error": {
            "message": "(#133005) Two step verification PIN Mismatch",
            "type": "OAuthException",
            "code": 133005,
            "fbtrace_id": "X",
        }
    }
    rec = Recorder(ok(body, status=200))
    async with make(rec) as wa:
        with pytest.raises(PinMismatchError) as info:
            await wa.registration.register("428915")
    assert info.value.http_status == 200


async def test_error_status_raises_graph_error() -> None:
    rec = Recorder(ok({"error": {"message": "nope", "type": "X", "code": 999}}, status=400))
    async with make(rec) as wa:
        with pytest.raises(GraphAPIError) as info:
            await wa.two_step_verification.set_pin("428915")
    assert type(info.value) is GraphAPIError and info.value.code == 999


async def test_redirect_status_is_an_error_not_a_success() -> None:
    rec = Recorder(Response(status_code=302, headers={"location": "https://elsewhere"}, content=b""))
    async with make(rec) as wa:
        with pytest.raises(GraphAPIError) as info:
            await wa.two_step_verification.set_pin("428915")
    assert info.value.http_status == 302


async def test_async_mock_handler_is_supported() -> None:
    calls: list[str] = []

    async def handler(request: Request) -> Response:
        calls.append(request.method)
        return ok({"success": True})

    async with WhatsApp(access_token=TOKEN, phone_number_id="1", transport=MockTransport(handler)) as wa:
        assert (await wa.two_step_verification.set_pin("428915")).success is True
    assert calls == ["POST"]


async def test_mock_handler_must_return_a_response() -> None:
    transport = MockTransport(lambda request: {"success": True})  # type: ignore[arg-type,return-value]
    async with WhatsApp(access_token=TOKEN, phone_number_id="1", transport=transport, retry=None) as wa:
        with pytest.raises(TypeError, match="must return a Response"):
            await wa.two_step_verification.set_pin("428915")


def test_repr_has_no_secrets() -> None:
    wa = make(Recorder())
    text = repr(wa)
    assert TOKEN not in text
    assert "phone_number_id='1234'" in text and "business_account_id='5678'" in text


@pytest.mark.parametrize("bad", [lambda request: None, object(), "https://graph.facebook.com"])
def test_transport_must_be_a_transport(bad: Any) -> None:
    with pytest.raises(TypeError, match="MockTransport"):
        WhatsApp(access_token=TOKEN, transport=bad)


# -- the escape hatch: wa.request ----------------------------------------------------------------


async def test_request_delete_sends_params_in_the_query() -> None:
    rec = Recorder(ok({"success": True}))
    async with make(rec) as wa:
        answer = await wa.request("DELETE", "{business_account_id}/message_templates", params={"name": "x"})
    assert answer == {"success": True}
    request = rec.requests[0]
    assert request.method == "DELETE"
    assert request.url == "https://graph.facebook.com/v23.0/5678/message_templates?name=x"
    assert request.content == b""
    assert request.meta.idempotent is False


async def test_request_get_encodes_booleans_as_true_and_is_idempotent() -> None:
    rec = Recorder(ok({"data": []}))
    async with make(rec) as wa:
        await wa.request("GET", "{phone_number_id}/things", params={"flag": True, "skip": None, "n": 2})
    request = rec.requests[0]
    assert request.url.endswith("/v23.0/1234/things?flag=true&n=2")
    assert request.meta.idempotent is True


async def test_request_json_body_and_typed_cast() -> None:
    rec = Recorder(ok({"success": True}))
    async with make(rec) as wa:
        answer = await wa.request("POST", "{phone_number_id}/x", json={"a": [1]}, cast_to=SuccessResponse)
    assert answer == SuccessResponse(success=True)
    assert rec.requests[0].content == b'{"a":[1]}'
    assert rec.requests[0].headers["content-type"] == "application/json"


async def test_request_refuses_unknown_placeholders_and_absolute_urls() -> None:
    rec = Recorder()
    async with make(rec) as wa:
        with pytest.raises(ValueError, match="media_id"):
            await wa.request("GET", "{media_id}")
        with pytest.raises(ValueError, match="relative"):
            await wa.request("GET", "https://evil.example/x")
        with pytest.raises(ValueError, match="business_account_id"):
            await wa.with_options(business_account_id=None).request("GET", "{business_account_id}")
    assert rec.requests == []


async def test_request_goes_through_retries_only_when_idempotent() -> None:
    from meta_cloud_async import RetryPolicy

    answers = [Response(status_code=503, content=b"oops"), ok({"ok": 1})]
    sent: list[Request] = []

    def handler(request: Request) -> Response:
        sent.append(request)
        return answers.pop(0)

    async with WhatsApp(
        access_token="tok",
        phone_number_id="1234",
        transport=MockTransport(handler),
        retry=RetryPolicy(initial_delay=0, jitter=0),
    ) as wa:
        assert await wa.request("GET", "{phone_number_id}") == {"ok": 1}
        answers[:] = [Response(status_code=503, content=b"oops")]
        with pytest.raises(GraphAPIError):
            await wa.request("POST", "{phone_number_id}/register", json={})
    assert len(sent) == 3


# -- per-copy control ------------------------------------------------------------------------------


async def test_with_options_retry_none_turns_retries_off_for_the_copy_only() -> None:
    from meta_cloud_async import RetryPolicy

    sent: list[str] = []

    def handler(request: Request) -> Response:
        sent.append(request.url)
        return Response(status_code=503, content=b"busy")

    async with WhatsApp(
        access_token="tok",
        phone_number_id="1234",
        transport=MockTransport(handler),
        retry=RetryPolicy(max_retries=2, initial_delay=0, jitter=0),
        rate_limit=None,
    ) as wa:
        with pytest.raises(GraphAPIError):
            await wa.with_options(retry=None).two_step_verification.set_pin("428915")
        assert len(sent) == 1
        with pytest.raises(GraphAPIError):
            await wa.two_step_verification.set_pin("428915")
        assert len(sent) == 4
        # And the other way round: a client without retries, a copy with them.
    async with WhatsApp(
        access_token="tok", phone_number_id="1234", transport=MockTransport(handler), retry=None
    ) as bare:
        sent.clear()
        with pytest.raises(GraphAPIError):
            await bare.with_options(retry=RetryPolicy(max_retries=1, initial_delay=0)).phone_numbers.get()
        assert len(sent) == 2


async def test_with_options_rate_limit_and_extra_headers() -> None:
    from meta_cloud_async import RateLimitPolicy
    from meta_cloud_async.testing import FakeClock

    clock = FakeClock()
    rec = Recorder()
    async with make(rec, clock=clock.time, sleep=clock.sleep, retry=None, rate_limit=None) as wa:
        paced = wa.with_options(
            rate_limit=RateLimitPolicy(per_waba_rate=1.0, per_waba_burst=1.0),
            extra_headers={"X-Trace": "abc"},
        )
        for _ in range(3):
            await paced.two_step_verification.set_pin("428915")
        assert clock.sleeps == [1.0, 1.0]
        await wa.two_step_verification.set_pin("428915")  # the root is unpaced
        assert clock.sleeps == [1.0, 1.0]
    assert rec.requests[0].headers["x-trace"] == "abc"
    assert "x-trace" not in rec.requests[-1].headers
    with pytest.raises(TypeError):
        wa.with_options(retry="x")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        wa.with_options(extra_headers={"X-Bad": "a\r\nInjected: 1"})


async def test_method_level_timeout() -> None:
    rec = Recorder()
    async with make(rec, timeout=3.0) as wa:
        await wa.two_step_verification.set_pin("428915", timeout=0.5)
        await wa.registration.register("428915", timeout=None)
    assert [r.timeout for r in rec.requests] == [0.5, None]


def test_endpoint_methods_have_names_and_docs() -> None:
    wa = WhatsApp(access_token="tok", phone_number_id="1234", transport=MockTransport(lambda r: ok({})))
    assert wa.registration.deregister.__name__ == "deregister"
    assert "Deregister" in (wa.registration.deregister.__doc__ or "")
    assert wa.registration.deregister is wa.registration.deregister  # bound once, cached
    assert wa.phone_numbers.get.__doc__ and wa.phone_numbers.request_code.__doc__


@pytest.mark.parametrize(
    "answer",
    [
        Response(status_code=200, content=b""),
        Response(status_code=200, content=b"\x1f\x8b garbled"),
        Response(status_code=201, content=b"<html>OK</html>"),
        Response(status_code=200, content=b"[1]"),
        Response(status_code=200, content=b'{"success": "yes"}'),
        Response(status_code=200, content=b"[" * 100_000),
    ],
)
async def test_unexpected_answer_after_a_2xx_may_have_applied(answer: Response) -> None:
    """Meta accepted the call: however garbled the body, register() may have registered."""
    async with make(Recorder(answer)) as wa:
        with pytest.raises(UnexpectedResponseError) as caught:
            await wa.registration.register("428915")
    assert caught.value.may_have_applied is True
    assert caught.value.http_status == answer.status_code


def test_unexpected_response_without_a_response_did_not_apply() -> None:
    assert UnexpectedResponseError("refused before sending").may_have_applied is False


# -- construction checks --------------------------------------------------------------


def _build(**kwargs: Any) -> WhatsApp:
    return WhatsApp(**{"access_token": TOKEN, "transport": MockTransport(Recorder()), **kwargs})


@pytest.mark.parametrize("timeout", [float("inf"), float("-inf"), True])
def test_non_finite_timeout_is_refused(timeout: Any) -> None:
    with pytest.raises(ValueError, match="timeout"):
        _build(timeout=timeout)


@pytest.mark.parametrize(
    ("base_url", "why"),
    [
        ("https://graph.facebook.com:99999", "base_url is not a valid URL"),
        ("https://graph.facebook.com:0", "port"),
        ("https://graph.facebook.com:x", "base_url is not a valid URL"),
        ("http://[::1", "base_url is not a valid URL"),
        ("https://user:hunter2@graph.facebook.com", "credentials"),
        ("https://EAAtoken@graph.facebook.com", "credentials"),
        ("https://graph.facebook.com/\n", "control characters"),
        ("https://graph.facebook.com/a b", "spaces"),
    ],
)
def test_bad_base_url_names_the_argument_and_hides_credentials(base_url: str, why: str) -> None:
    with pytest.raises(ValueError, match=why) as info:
        _build(base_url=base_url)
    assert "hunter2" not in str(info.value) and "EAAtoken" not in str(info.value)


@pytest.mark.parametrize("token", ["EAA\nX-Evil: 1", "EAA\rtok", "EAA\x00tok", "EAA tok", "EAA\ttok", "EAAé"])
def test_token_with_newlines_nul_or_spaces_is_refused_without_echo(token: str) -> None:
    with pytest.raises(ValueError, match="access_token") as info:
        _build(access_token=token)
    assert "EAA" not in str(info.value)
    with pytest.raises(ValueError, match="access_token"):
        WhatsApp(access_token="EAAok", transport=MockTransport(Recorder())).with_options(access_token=token)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"retry": "x"}, "retry"),
        ({"retry": 2}, "retry"),
        ({"rate_limit": "x"}, "rate_limit"),
        ({"middleware": None}, "middleware"),
        ({"middleware": "abc"}, "middleware"),
        ({"middleware": [object()]}, r"middleware\[0\]"),
        ({"clock": None}, "clock"),
        ({"sleep": None}, "sleep"),
        ({"random": None}, "random"),
        ({"random": 0.5}, "random"),
        ({"max_response_bytes": "1"}, "max_response_bytes"),
        ({"max_response_bytes": None}, "max_response_bytes"),
    ],
)
def test_bad_client_arguments_are_type_errors_naming_them(kwargs: dict[str, Any], name: str) -> None:
    with pytest.raises(TypeError, match=name):
        _build(**kwargs)


def test_max_response_bytes_range_and_transport_conflict() -> None:
    with pytest.raises(ValueError, match="max_response_bytes"):
        WhatsApp(access_token=TOKEN, max_response_bytes=0)
    with pytest.raises(ValueError, match="pass max_response_bytes to that transport"):
        _build(max_response_bytes=1000)


async def test_mock_transport_honours_its_body_cap() -> None:
    rec = Recorder(ok({"success": True, "pad": "x" * 100}))
    async with make(rec, transport=MockTransport(rec, max_response_bytes=50)) as wa:
        with pytest.raises(ResponseTooLargeError, match="max_response_bytes=50") as info:
            await wa.two_step_verification.set_pin("428915")
    assert info.value.may_have_applied is True


async def test_a_library_client_is_refused_with_the_wrapper_to_use() -> None:
    import aiohttp
    import httpx

    async with httpx.AsyncClient() as client:
        with pytest.raises(TypeError, match=r"HttpxTransport\(client\)"):
            WhatsApp(access_token="tok", transport=client)  # type: ignore[arg-type]
    async with aiohttp.ClientSession() as session:
        with pytest.raises(TypeError, match=r"AiohttpTransport\(session\)"):
            WhatsApp(access_token="tok", transport=session)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="MockTransport"):
        WhatsApp(access_token="tok", transport=object())  # type: ignore[arg-type]


def test_a_client_reused_on_another_event_loop_says_what_to_do() -> None:
    import asyncio

    wa = WhatsApp(access_token="tok", phone_number_id="1234", base_url="http://127.0.0.1:9", retry=None)

    async def first_run() -> None:
        with pytest.raises(Exception) as refused:  # nothing listens on port 9
            await wa.two_step_verification.set_pin("428915")
        assert not isinstance(refused.value, RuntimeError)
        await wa._shared.transport.aclose()  # the pool dies with its loop; the client does not know

    async def second_run() -> None:
        await wa.two_step_verification.set_pin("428915")

    asyncio.run(first_run())
    with pytest.raises(RuntimeError, match="another event loop"):
        asyncio.run(second_run())
    mock = WhatsApp(
        access_token="tok", phone_number_id="1234", transport=MockTransport(lambda r: ok({"success": True}))
    )
    asyncio.run(call_with(mock))
    asyncio.run(call_with(mock))  # a transport you pass in is yours to manage: no check


async def call_with(wa: WhatsApp) -> None:
    await wa.two_step_verification.set_pin("428915")
