"""The converter: requests omit unset fields, responses are strict about types but not keys."""

from __future__ import annotations

import string
from typing import Any

import cattrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from meta_cloud_async._converter import converter, make_converter
from meta_cloud_async.types.phone_numbers import (
    GetPhoneNumberRequest,
    ListPhoneNumbersRequest,
    PhoneNumber,
    RequestCodeRequest,
    VerifyCodeRequest,
    VerifyCodeResponse,
)
from meta_cloud_async.types.registration import DATA_LOCALIZATION_REGIONS, DeregisterRequest, RegisterRequest
from meta_cloud_async.types.shared import Cursors, Page, Paging, SuccessResponse
from meta_cloud_async.types.two_step_verification import SetPinRequest

pins = st.text(alphabet=string.digits, min_size=6, max_size=6)


def test_requests_unstructure_to_the_documented_bodies() -> None:
    assert converter.unstructure(SetPinRequest(pin="428915")) == {"pin": "428915"}
    assert converter.unstructure(RegisterRequest(pin="428915")) == {
        "messaging_product": "whatsapp",
        "pin": "428915",
    }
    assert converter.unstructure(RegisterRequest(pin="428915", data_localization_region="IN")) == {
        "messaging_product": "whatsapp",
        "pin": "428915",
        "data_localization_region": "IN",
    }
    assert converter.unstructure(DeregisterRequest()) == {}
    assert converter.unstructure(RequestCodeRequest(code_method="VOICE", language="de_DE")) == {
        "code_method": "VOICE",
        "language": "de_DE",
    }
    assert converter.unstructure(VerifyCodeRequest(code="123456")) == {"code": "123456"}
    assert converter.unstructure(GetPhoneNumberRequest()) == {}
    assert converter.unstructure(ListPhoneNumbersRequest(limit=10, before="B")) == {
        "limit": 10,
        "before": "B",
    }


@settings(deadline=None)  # a loaded CI machine must not turn slowness into failure
@given(pin=pins, region=st.none() | st.sampled_from(sorted(DATA_LOCALIZATION_REGIONS)))
def test_register_body_property(pin: str, region: str | None) -> None:
    body = converter.unstructure(RegisterRequest(pin=pin, data_localization_region=region))
    assert body["pin"] == pin and body["messaging_product"] == "whatsapp"
    assert ("data_localization_region" in body) is (region is not None)
    assert None not in body.values()


@settings(deadline=None)
@given(
    fields=st.none()
    | st.lists(st.sampled_from(["id", "status", "quality_rating", "name_status"]), min_size=1),
    limit=st.none() | st.integers(1, 100),
    after=st.none() | st.text(alphabet=string.ascii_letters, min_size=1),
)
def test_list_query_property(fields: list[str] | None, limit: int | None, after: str | None) -> None:
    query = converter.unstructure(ListPhoneNumbersRequest(fields=fields, limit=limit, after=after))
    expected: dict[str, Any] = {}
    if fields is not None:
        expected["fields"] = ",".join(fields)
    if limit is not None:
        expected["limit"] = limit
    if after is not None:
        expected["after"] = after
    assert query == expected


phone_numbers = st.builds(
    PhoneNumber,
    id=st.text(alphabet=string.digits, min_size=1, max_size=16),
    display_phone_number=st.none() | st.text(max_size=20),
    quality_rating=st.none() | st.sampled_from(["GREEN", "YELLOW", "RED", "NA", "UNKNOWN"]),
    is_pin_enabled=st.none() | st.booleans(),
    throughput=st.none() | st.just({"level": "STANDARD"}),
)


@settings(deadline=None)
@given(phone_numbers)
def test_phone_number_round_trip(number: PhoneNumber) -> None:
    assert converter.structure(converter.unstructure(number), PhoneNumber) == number


@settings(deadline=None)
@given(st.lists(phone_numbers, max_size=4), st.none() | st.text(max_size=10))
def test_page_round_trip(numbers: list[PhoneNumber], next_url: str | None) -> None:
    page = Page(data=numbers, paging=Paging(cursors=Cursors(after="A"), next=next_url))
    assert converter.structure(converter.unstructure(page), Page[PhoneNumber]) == page


def test_unknown_keys_are_ignored() -> None:
    assert converter.structure({"success": True, "new": 1}, SuccessResponse) == SuccessResponse(success=True)
    assert converter.structure({"success": True, "id": "1", "x": [1]}, VerifyCodeResponse).id == "1"


@pytest.mark.parametrize(
    ("data", "cls"),
    [
        ({"success": "true"}, SuccessResponse),
        ({"success": 1}, SuccessResponse),
        ({"success": None}, SuccessResponse),
        ({"id": None}, PhoneNumber),
        ({"id": 42}, PhoneNumber),
        ({"id": "1", "is_pin_enabled": "false"}, PhoneNumber),
        ({"success": True, "id": 7}, VerifyCodeResponse),
        ({"data": [{"id": "1"}], "paging": {"next": 5}}, Page[PhoneNumber]),
    ],
)
def test_primitives_are_not_coerced(data: Any, cls: Any) -> None:
    with pytest.raises(cattrs.BaseValidationError):
        converter.structure(data, cls)


def test_numbers() -> None:
    conv = make_converter()
    assert (
        conv.structure(3, int) == 3 and conv.structure(3, float) == 3.0 and conv.structure(2.5, float) == 2.5
    )
    for bad, kind in ((True, int), ("3", int), (3.0, int), (False, float), ("1.5", float)):
        with pytest.raises(TypeError):
            conv.structure(bad, kind)


def test_make_converter_builds_independent_converters() -> None:
    assert make_converter() is not converter
    assert make_converter().unstructure(SetPinRequest(pin="428915")) == {"pin": "428915"}


def test_success_true_is_one_shared_frozen_answer_and_anything_else_is_checked_strictly() -> None:
    first = converter.structure({"success": True}, SuccessResponse)
    assert first == SuccessResponse(success=True)
    assert converter.structure({"success": True, "id": "1"}, SuccessResponse) is first
    assert converter.structure({"success": False}, SuccessResponse) == SuccessResponse(success=False)
    for bad in ({"success": "yes"}, {"success": 1}, {}):
        with pytest.raises(cattrs.BaseValidationError):
            converter.structure(bad, SuccessResponse)
