"""Request objects: where the endpoint is described, validated and kept out of reprs."""

from __future__ import annotations

import attrs
import pytest

from meta_cloud_async.types.phone_numbers import (
    GetPhoneNumberRequest,
    ListPhoneNumbersRequest,
    RequestCodeRequest,
    VerifyCodeRequest,
)
from meta_cloud_async.types.registration import DeregisterRequest, RegisterRequest
from meta_cloud_async.types.shared import ApiRequest
from meta_cloud_async.types.two_step_verification import SetPinRequest

ENDPOINTS = [
    (SetPinRequest, "POST", "{phone_number_id}", True, "phone"),
    (RegisterRequest, "POST", "{phone_number_id}/register", False, "phone"),
    (DeregisterRequest, "POST", "{phone_number_id}/deregister", False, "phone"),
    (GetPhoneNumberRequest, "GET", "{phone_number_id}", True, "phone"),
    (ListPhoneNumbersRequest, "GET", "{business_account_id}/phone_numbers", True, "waba"),
    (RequestCodeRequest, "POST", "{phone_number_id}/request_code", False, "phone"),
    (VerifyCodeRequest, "POST", "{phone_number_id}/verify_code", False, "phone"),
]


@pytest.mark.parametrize(("cls", "method", "path", "idempotent", "scope"), ENDPOINTS)
def test_endpoint_description(
    cls: type[ApiRequest], method: str, path: str, idempotent: bool, scope: str
) -> None:
    assert issubclass(cls, ApiRequest)
    assert (cls.method, cls.path, cls.idempotent, cls.scope) == (method, path, idempotent, scope)
    # Class attributes never become body fields.
    assert not {"method", "path", "idempotent", "scope"} & {f.name for f in attrs.fields(cls)}


def test_secrets_stay_out_of_reprs() -> None:
    assert "428915" not in repr(SetPinRequest(pin="428915"))
    assert "428915" not in repr(RegisterRequest(pin="428915", data_localization_region="DE"))
    assert "DE" in repr(RegisterRequest(pin="428915", data_localization_region="DE"))
    assert "654321" not in repr(VerifyCodeRequest(code="654321"))


def test_requests_are_frozen_and_keyword_only() -> None:
    request = SetPinRequest(pin="428915")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        request.pin = "111111"  # type: ignore[misc]
    with pytest.raises(TypeError):
        SetPinRequest("428915")  # type: ignore[misc]


def test_validation_happens_at_construction() -> None:
    with pytest.raises(ValueError, match="pin"):
        SetPinRequest(pin="42891")
    with pytest.raises(ValueError, match="pin"):
        RegisterRequest(pin="42891")
    with pytest.raises(ValueError, match="code_method"):
        RequestCodeRequest(code_method="sms", language="en_US")
    with pytest.raises(ValueError, match="language"):
        RequestCodeRequest(code_method="SMS", language="en")
    with pytest.raises(ValueError, match="code"):
        VerifyCodeRequest(code="1234")
    with pytest.raises(ValueError, match="limit"):
        ListPhoneNumbersRequest(limit=1000)


def test_fields_are_joined() -> None:
    assert GetPhoneNumberRequest(fields=["a", "b"]).fields == "a,b"
    assert GetPhoneNumberRequest(fields="a,b").fields == "a,b"
    assert ListPhoneNumbersRequest(fields=("x",)).fields == "x"
    assert GetPhoneNumberRequest().fields is None


@pytest.mark.parametrize("language", ["en_US\n", "en_US\r\n", "\nen_US", "en_USx", "en_us"])
def test_language_must_match_whole_string(language: str) -> None:
    # re.match with "$" accepted a trailing newline, which was then sent to Meta.
    with pytest.raises(ValueError, match="language"):
        RequestCodeRequest(code_method="SMS", language=language)


@pytest.mark.parametrize("code", ["123456\n", "\n123456"])
def test_code_must_match_whole_string(code: str) -> None:
    with pytest.raises(ValueError, match="code"):
        VerifyCodeRequest(code=code)
