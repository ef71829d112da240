"""Request objects: where the endpoint is described, validated and kept out of reprs."""

from __future__ import annotations

from typing import Any

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
    (SetPinRequest, "POST", "{phone_number_id}", True, "management"),
    (RegisterRequest, "POST", "{phone_number_id}/register", False, "management"),
    (DeregisterRequest, "POST", "{phone_number_id}/deregister", False, "management"),
    (GetPhoneNumberRequest, "GET", "{phone_number_id}", True, "management"),
    (ListPhoneNumbersRequest, "GET", "{business_account_id}/phone_numbers", True, "management"),
    (RequestCodeRequest, "POST", "{phone_number_id}/request_code", False, "management"),
    (VerifyCodeRequest, "POST", "{phone_number_id}/verify_code", False, "management"),
]


@pytest.mark.parametrize(("cls", "method", "path", "idempotent", "budget"), ENDPOINTS)
def test_endpoint_description(
    cls: type[ApiRequest[Any]], method: str, path: str, idempotent: bool, budget: str
) -> None:
    assert issubclass(cls, ApiRequest)
    assert (cls.method, cls.path, cls.idempotent, cls.budget) == (method, path, idempotent, budget)
    # Class attributes never become body fields.
    declared = {"operation_id", "method", "path", "encoding", "idempotent", "budget", "pair_field"}
    assert not declared & {f.name for f in attrs.fields(cls)}


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
        SetPinRequest("428915")  # type: ignore[call-arg]


def test_validation_happens_at_construction() -> None:
    with pytest.raises(ValueError, match="pin"):
        SetPinRequest(pin="42891")
    with pytest.raises(ValueError, match="pin"):
        RegisterRequest(pin="42891")
    with pytest.raises(ValueError, match="code_method"):
        RequestCodeRequest(code_method="sms", language="en_US")  # type: ignore[arg-type]
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
