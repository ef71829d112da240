"""Shared response models: permissive defaults, frozen values."""

from __future__ import annotations

import attrs
import pytest

from meta_cloud_async._converter import converter
from meta_cloud_async.types.phone_numbers import PhoneNumber
from meta_cloud_async.types.shared import Cursors, Page, Paging, SuccessResponse


def test_page_defaults_to_empty_and_last() -> None:
    page: Page[PhoneNumber] = converter.structure({}, Page[PhoneNumber])
    assert page.data == [] and page.paging is None


def test_paging_parts_are_optional() -> None:
    paging = converter.structure({"cursors": {"after": "A"}}, Paging)
    assert paging == Paging(cursors=Cursors(before=None, after="A"), next=None, previous=None)
    assert converter.structure({"next": "n", "previous": "p"}, Paging).cursors is None


def test_models_are_frozen() -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        SuccessResponse(success=True).success = False  # type: ignore[misc]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        PhoneNumber(id="1").id = "2"  # type: ignore[misc]


def test_phone_number_needs_only_an_id() -> None:
    number = converter.structure({"id": "106540352242922"}, PhoneNumber)
    assert number.id == "106540352242922"
    assert all(getattr(number, f.name) is None for f in attrs.fields(PhoneNumber) if f.name != "id")
