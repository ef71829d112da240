"""The error tree: classification by Graph code, parsing of every field, odd bodies."""

from __future__ import annotations

import json
from typing import Any

import pytest

from meta_cloud_async import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    ConnectError,
    GraphAPIError,
    InvalidParameterError,
    MetaCloudError,
    NotRegisteredError,
    PermissionDeniedError,
    PinGuessLimitError,
    PinMismatchError,
    RateLimitError,
    RegistrationLimitError,
    Response,
    ServerError,
    UnexpectedResponseError,
)
from meta_cloud_async.errors import error_from_response, is_transient_code


def graph_error(code: Any, status: int = 400, **extra: Any) -> Response:
    body = {"error": {"message": f"(#{code}) something", "type": "OAuthException", "code": code, **extra}}
    return Response(
        status_code=status, headers={"Content-Type": "application/json"}, content=json.dumps(body).encode()
    )


EXPECTED: list[tuple[int, type[GraphAPIError]]] = [
    (0, AuthenticationError),
    (190, AuthenticationError),
    (3, PermissionDeniedError),
    (10, PermissionDeniedError),
    *[(c, PermissionDeniedError) for c in (200, 201, 250, 298, 299)],
    (4, RateLimitError),
    (17, RateLimitError),
    (341, RateLimitError),
    (80007, RateLimitError),
    (130429, RateLimitError),
    (131056, RateLimitError),
    (133016, RegistrationLimitError),
    (100, InvalidParameterError),
    (33, InvalidParameterError),
    (133005, PinMismatchError),
    (133008, PinGuessLimitError),
    (133009, PinGuessLimitError),
    (133010, NotRegisteredError),
    (1, ServerError),
    (2, ServerError),
    (131000, ServerError),
    (131016, ServerError),
    (131057, ServerError),
    (133004, ServerError),
]


@pytest.mark.parametrize(("code", "cls"), EXPECTED)
def test_every_code_maps_to_its_class(code: int, cls: type[GraphAPIError]) -> None:
    error = error_from_response(graph_error(code))
    assert type(error) is cls
    assert error.code == code


@pytest.mark.parametrize("code", [199, 300, 5, 131026, 131047, 368, 999999])
def test_unknown_codes_are_plain_graph_errors(code: int) -> None:
    error = error_from_response(graph_error(code, status=400))
    assert type(error) is GraphAPIError
    assert error.code == code


def test_tree_shape() -> None:
    assert issubclass(RegistrationLimitError, RateLimitError)
    for cls in (
        AuthenticationError,
        PermissionDeniedError,
        InvalidParameterError,
        RateLimitError,
        PinMismatchError,
        PinGuessLimitError,
        NotRegisteredError,
        ServerError,
    ):
        assert issubclass(cls, GraphAPIError)
    assert issubclass(GraphAPIError, MetaCloudError)
    assert issubclass(ConnectError, APIConnectionError)
    assert issubclass(APITimeoutError, APIConnectionError)
    assert issubclass(UnexpectedResponseError, MetaCloudError)
    assert not issubclass(UnexpectedResponseError, GraphAPIError)
    # Programming errors stay outside the API tree.
    assert not issubclass(ValueError, MetaCloudError)


@pytest.mark.parametrize("status", [400, 429, 403, 500])
def test_classified_by_code_not_status(status: int) -> None:
    assert type(error_from_response(graph_error(4, status=status))) is RateLimitError
    assert type(error_from_response(graph_error(133005, status=status))) is PinMismatchError


def test_all_attributes_parsed() -> None:
    response = graph_error(
        133016,
        status=400,
        error_subcode=2446079,
        error_user_title="Too many attempts",
        error_user_msg="Try again in 72 hours",
        fbtrace_id="AbCdEf123",
        is_transient=False,
        error_data={"messaging_product": "whatsapp", "details": "10 attempts in 72 hours"},
    )
    error = error_from_response(response)
    assert isinstance(error, RegistrationLimitError)
    assert error.code == 133016
    assert error.subcode == 2446079
    assert error.type == "OAuthException"
    assert error.message == "(#133016) something"
    assert error.user_title == "Too many attempts"
    assert error.user_message == "Try again in 72 hours"
    assert error.fbtrace_id == "AbCdEf123"
    assert error.details == "10 attempts in 72 hours"
    assert error.is_transient is False
    assert error.http_status == 400
    assert error.headers["content-type"] == "application/json"
    text = str(error)
    assert "(#133016) something" in text
    assert "details: 10 attempts in 72 hours" in text
    assert "code=133016" in text and "subcode=2446079" in text
    assert "http_status=400" in text and "fbtrace_id=AbCdEf123" in text
    assert (
        repr(error) == "RegistrationLimitError(code=133016, subcode=2446079, message='(#133016) something')"
    )


def test_missing_optional_fields_are_none() -> None:
    error = error_from_response(graph_error(100))
    assert error is not None
    assert (error.subcode, error.user_title, error.user_message, error.fbtrace_id, error.details) == (
        None,
        None,
        None,
        None,
        None,
    )
    assert error.is_transient is False


def test_string_codes_are_accepted_and_junk_codes_ignored() -> None:
    assert type(error_from_response(graph_error("130429"))) is RateLimitError
    # A non-ASCII digit string must not crash int() nor be taken for a code.
    weird = error_from_response(graph_error("²", status=400))
    assert type(weird) is GraphAPIError and weird.code is None
    assert error_from_response(graph_error(True)).code is None  # type: ignore[union-attr]
    assert error_from_response(graph_error(None, status=500)).code is None  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("code", "transient"),
    [
        (1, True),
        (2, True),
        (4, True),
        (80007, True),
        (130429, True),
        (131000, True),
        (133004, True),
        (133016, False),
        (100, False),
        (190, False),
        (368, False),
    ],
)
def test_transient_judgement_when_meta_is_silent(code: int, transient: bool) -> None:
    assert is_transient_code(code) is transient
    assert error_from_response(graph_error(code)).is_transient is transient  # type: ignore[union-attr]


def test_meta_is_transient_flag_wins() -> None:
    assert error_from_response(graph_error(100, is_transient=True)).is_transient is True  # type: ignore[union-attr]
    assert error_from_response(graph_error(1, is_transient=False)).is_transient is False  # type: ignore[union-attr]


def test_html_502_is_a_typed_server_error() -> None:
    html = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
    response = Response(status_code=502, headers={"Content-Type": "text/html; charset=utf-8"}, content=html)
    error = error_from_response(response)
    assert type(error) is ServerError
    assert error.is_transient is True
    assert error.http_status == 502
    assert error.code is None
    assert "text/html" in error.message and f"{len(html)} bytes" in error.message
    assert "Bad Gateway" not in error.message  # the body is not echoed


@pytest.mark.parametrize(
    ("status", "cls", "transient"),
    [
        (401, AuthenticationError, False),
        (403, PermissionDeniedError, False),
        (429, RateLimitError, True),
        (404, GraphAPIError, False),
        (500, ServerError, True),
        (503, ServerError, True),
    ],
)
def test_bodies_without_graph_envelope_fall_back_to_status(
    status: int, cls: type[GraphAPIError], transient: bool
) -> None:
    for content in (b"", b"not json", b'{"unexpected": 1}', b'{"error": "a string"}', b"[1, 2]"):
        error = error_from_response(Response(status_code=status, content=content))
        assert type(error) is cls, content
        assert error.is_transient is transient
        assert error.http_status == status


def test_success_without_error_is_none() -> None:
    assert error_from_response(Response(status_code=200, content=b'{"success": true}')) is None
    assert error_from_response(Response(status_code=200, content=b"")) is None


def test_error_envelope_on_200_is_still_an_error() -> None:
    error = error_from_response(graph_error(131000, status=200))
    assert type(error) is ServerError


def test_message_falls_back_when_missing() -> None:
    response = Response(status_code=400, content=b'{"error": {"code": 100}}')
    error = error_from_response(response)
    assert isinstance(error, InvalidParameterError)
    assert error.message == "Graph API error (HTTP 400)"


def test_details_not_repeated_in_str_when_already_in_message() -> None:
    error = error_from_response(graph_error(100, error_data={"details": "(#100) something"}))
    assert error is not None
    assert str(error).count("(#100) something") == 1


def test_connection_errors_say_whether_the_request_was_sent() -> None:
    assert ConnectError().request_sent is False
    assert APITimeoutError().request_sent is True
    assert APIConnectionError().request_sent is True
    assert APIConnectionError("x", request_sent=False).request_sent is False
    assert str(ConnectError("no route")) == "no route"


@pytest.mark.parametrize(
    ("code", "status", "cls", "transient"),
    [
        (999_999, 503, ServerError, True),
        (999_999, 500, ServerError, True),
        (999_999, 429, RateLimitError, True),
        (999_999, 401, AuthenticationError, False),
        (133016, 429, RegistrationLimitError, False),
        (3, 500, PermissionDeniedError, False),  # code 3 arrives as HTTP 500 but is permanent
    ],
)
def test_status_fallback_for_unknown_codes_and_transience(
    code: int, status: int, cls: type[GraphAPIError], transient: bool
) -> None:
    error = error_from_response(graph_error(code, status=status))
    assert type(error) is cls
    assert error.is_transient is transient


@pytest.mark.parametrize("status", [200, 400, 503])
def test_deeply_nested_body_is_classified_by_status_not_a_recursion_error(status: int) -> None:
    deep = b'{"error":' * 100_000
    error = error_from_response(Response(status_code=status, content=deep))
    if status == 200:
        assert error is None
    else:
        assert isinstance(error, GraphAPIError) and error.http_status == status
        assert "not a Graph error" in error.message


@pytest.mark.parametrize(
    ("headers", "details", "expected"),
    [
        ({}, "PIN attempts are too fast; wait 30 seconds before trying again.", 30.0),
        ({}, "Too many wrong PINs; try again in 5 minutes.", 300.0),
        ({"retry-after": "12"}, "try again in 5 minutes", 12.0),
        ({}, "Something else went wrong.", None),
    ],
)
def test_retry_after_is_parsed_wherever_meta_says_how_long(
    headers: dict[str, str], details: str, expected: float | None
) -> None:
    import json

    from meta_cloud_async import Response
    from meta_cloud_async.errors import error_from_response

    body = {
        "error": {"code": 133008, "message": "(#133008) Too many guesses", "error_data": {"details": details}}
    }
    error = error_from_response(Response(status_code=400, headers=headers, content=json.dumps(body).encode()))
    assert error is not None and error.retry_after == expected


async def test_the_sandbox_guess_interval_gives_retry_after() -> None:
    from meta_cloud_async import PinGuessLimitError, PinMismatchError, WhatsApp
    from meta_cloud_async.sandbox import Sandbox, VirtualClock

    clock = VirtualClock()
    sandbox = Sandbox(clock=clock)
    pid = sandbox.phone_number_ids[0]
    async with WhatsApp(
        access_token=sandbox.access_token,
        phone_number_id=pid,
        base_url="http://sb",
        transport=sandbox.transport(),
        retry=None,
    ) as wa:
        with pytest.raises(PinMismatchError):
            await wa.registration.register("000000" if sandbox.state(pid).pin != "000000" else "111111")
        with pytest.raises(PinGuessLimitError) as info:
            await wa.registration.register("000001")
    assert info.value.retry_after is not None and info.value.retry_after > 0
