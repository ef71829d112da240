"""The state machine on its own, below the router."""

from __future__ import annotations

import pytest

from meta_cloud_async.sandbox.envelope import GraphError
from meta_cloud_async.sandbox.state import DEFAULT_LIST_FIELDS, Business, Limits


def _business(n: int = 3, **kwargs: object) -> Business:
    options: dict[str, object] = {
        "phone_numbers": n,
        "wabas": 1,
        "seed": 1,
        "registered": True,
        "initial_pin": "random",
        "code_verified": True,
        "limits": Limits(),
    }
    options.update(kwargs)
    return Business(**options)  # type: ignore[arg-type]


def test_display_numbers_are_unique_and_formatted() -> None:
    business = _business(12)
    displays = [business.phones[p].display_phone_number for p in business.phone_ids]
    assert displays[0] == "+1 555-000-0000"
    assert displays[11] == "+1 555-000-0011"
    assert len(set(displays)) == 12


def test_list_fields_and_cursor_round_trip() -> None:
    business = _business(5)
    waba = business.waba_ids[0]
    items, before, after, has_prev, has_next = business.list_phones(waba, {"limit": "2"})
    assert [set(item) for item in items] == [set(DEFAULT_LIST_FIELDS)] * 2
    assert (has_prev, has_next) == (False, True)
    assert before is not None and after is not None
    nxt = business.list_phones(waba, {"limit": "2", "after": after})
    assert [i["id"] for i in nxt[0]] == business.phone_ids[2:4]
    assert nxt[3] is True


def test_cursor_from_another_waba_is_refused() -> None:
    business = _business(4, wabas=2)
    first, second = business.waba_ids
    _, _, after, _, _ = business.list_phones(first, {"limit": "1"})
    assert after is not None
    with pytest.raises(GraphError) as info:
        business.list_phones(second, {"after": after})
    assert info.value.code == 100


def test_empty_page_has_no_paging() -> None:
    business = _business(2)
    waba = business.waba_ids[0]
    _, _, last, _, _ = business.list_phones(waba, {"limit": "2"})
    assert last is not None
    assert business.list_phones(waba, {"after": last}) == ([], None, None, False, False)


def test_snapshot_counts_only_attempts_in_the_window() -> None:
    business = _business(1, limits=Limits(registration_window=100.0))
    phone = business.phones[business.phone_ids[0]]
    business.deregister(phone, now=0.0)
    business.register(phone, {"messaging_product": "whatsapp", "pin": phone.pin}, now=50.0)
    assert business.snapshot(phone.id, now=60.0).registration_attempts == 2
    assert business.snapshot(phone.id, now=120.0).registration_attempts == 1
