"""The sandbox's template lifecycle: review on the clock, quota, deleted names, edits, sends."""

from __future__ import annotations

from typing import Any

import pytest

from meta_cloud_async.sandbox.envelope import GraphError, render_error
from meta_cloud_async.sandbox.templates_state import (
    DAY,
    ReviewDecision,
    TemplateRules,
    TemplatesState,
    WabaTemplates,
)

WABA = "102290129340398"
T0 = 1_000_000.0


def marketing(name: str = "seasonal_promotion", language: str = "en_US", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "language": language,
        "category": "MARKETING",
        "components": [
            {
                "type": "HEADER",
                "format": "TEXT",
                "text": "Our {{1}} is on!",
                "example": {"header_text": ["Sale"]},
            },
            {
                "type": "BODY",
                "text": "Shop now through {{1}} and use code {{2}} today.",
                "example": {"body_text": [["August", "25OFF"]]},
            },
            {
                "type": "BUTTONS",
                "buttons": [
                    {"type": "QUICK_REPLY", "text": "Stop"},
                    {
                        "type": "URL",
                        "text": "Shop",
                        "url": "https://x.com/{{1}}",
                        "example": ["https://x.com/a"],
                    },
                ],
            },
        ],
        **extra,
    }


SEND_OK = [
    {"type": "header", "parameters": [{"type": "text", "text": "Summer Sale"}]},
    {"type": "body", "parameters": [{"type": "text", "text": "August"}, {"type": "text", "text": "25OFF"}]},
    {"type": "button", "sub_type": "url", "index": "1", "parameters": [{"type": "text", "text": "a"}]},
]


def state(**rules: Any) -> tuple[TemplatesState, WabaTemplates]:
    s = TemplatesState(rules=TemplateRules(review_delay=60.0, **rules), seed=3)
    return s, s.waba(WABA)


def code(exc: pytest.ExceptionInfo[GraphError]) -> tuple[int, int | None]:
    return exc.value.code, exc.value.subcode


def test_create_pending_then_approved_after_the_delay() -> None:
    s, w = state()
    created = w.create(marketing(), T0)
    assert created["status"] == "PENDING" and created["category"] == "MARKETING"
    assert s.get(created["id"], T0 + 59)["status"] == "PENDING"
    assert s.get(created["id"], T0 + 60)["status"] == "APPROVED"
    events = s.events(T0 + 1000)
    assert [e["value"]["event"] for e in events] == ["APPROVED"]
    assert events[0]["at"] == T0 + 60 and events[0]["field"] == "message_template_status_update"
    assert events[0]["value"]["message_template_id"] == int(created["id"])
    assert s.events(T0 + 2000) == []  # each event once


def test_rejected_with_reason_and_category_change() -> None:
    def reviewer(t: Any) -> ReviewDecision:
        if "spam" in t["name"]:
            return ReviewDecision(approved=False, reason="PROMOTIONAL")
        return ReviewDecision(category="MARKETING")

    s = TemplatesState(reviewer=reviewer, seed=1)
    w = s.waba(WABA)
    bad = w.create(marketing("spam_offer"), T0)
    utility = marketing("order_update", allow_category_change=True)
    utility["category"] = "UTILITY"
    moved = w.create(utility, T0)
    got = s.get(bad["id"], T0 + 3600)
    assert got["status"] == "REJECTED" and got["rejected_reason"] == "PROMOTIONAL"
    moved_now = s.get(moved["id"], T0 + 3600)
    assert moved_now["category"] == "MARKETING" and moved_now["previous_category"] == "UTILITY"
    fields = sorted(e["field"] for e in s.events(T0 + 3600))
    assert fields == [
        "message_template_status_update",
        "message_template_status_update",
        "template_category_update",
    ]


def test_duplicate_language_and_name_quota() -> None:
    _, w = state(name_quota=2)
    w.create(marketing("a"), T0)
    with pytest.raises(GraphError) as exc:
        w.create(marketing("a"), T0)
    assert code(exc) == (100, 2388024)
    w.create(marketing("a", "es"), T0)  # a second language of a name counts once
    w.create(marketing("b"), T0)
    with pytest.raises(GraphError) as exc:
        w.create(marketing("c"), T0)
    assert code(exc) == (100, 2388019)
    assert b'"error_user_title":"Message template quota reached"' in render_error(exc.value, "t")


def test_default_quota_is_250_names() -> None:
    _, w = state()
    for i in range(250):
        w.create(marketing(f"t{i}"), T0)
    with pytest.raises(GraphError) as exc:
        w.create(marketing("one_more"), T0)
    assert code(exc) == (100, 2388019)


def test_deleted_names_blocked_for_30_days() -> None:
    s, w = state()
    created = w.create(marketing(), T0)
    w.create(marketing(language="es"), T0)
    assert w.delete(T0 + 10, name="seasonal_promotion", hsm_id=created["id"]) == {"success": True}
    assert [t["language"] for t in w.list(T0 + 10)] == ["es"]
    with pytest.raises(GraphError) as exc:
        w.create(marketing(), T0 + 10 + 30 * DAY - 1)
    assert code(exc) == (100, 2388023)
    w.create(marketing(), T0 + 10 + 30 * DAY)
    w.delete(T0 + 31 * DAY, name="seasonal_promotion")
    assert w.list(T0 + 31 * DAY) == []
    with pytest.raises(GraphError):
        w.delete(T0 + 31 * DAY, name="seasonal_promotion")
    with pytest.raises(GraphError):
        s.get(created["id"], T0 + 31 * DAY)
    assert "PENDING_DELETION" in [e["value"]["event"] for e in s.events(T0 + 31 * DAY)]


def test_list_filters() -> None:
    _, w = state()
    w.create(marketing("summer_sale"), T0)
    w.create(marketing("winter_sale", "es"), T0 + 100)
    utility = marketing("order_update")
    utility["category"] = "UTILITY"
    w.create(utility, T0 + 100)
    now = T0 + 150  # the first is approved, the others still pending
    assert {t["name"] for t in w.list(now, name="sale")} == {"summer_sale", "winter_sale"}
    assert [t["name"] for t in w.list(now, status="APPROVED")] == ["summer_sale"]
    assert [t["name"] for t in w.list(now, category="UTILITY")] == ["order_update"]
    assert [t["name"] for t in w.list(now, language="es")] == ["winter_sale"]
    assert len(w.list(now, status="PENDING,APPROVED")) == 3
    with pytest.raises(GraphError):
        w.list(now, status="SLEEPING")


def test_edit_rules() -> None:
    s, w = state()
    created = w.create(marketing(), T0)
    tid = created["id"]
    with pytest.raises(GraphError, match="Invalid parameter") as exc:
        s.edit(tid, {"components": marketing()["components"]}, T0 + 1)  # pending: not editable
    assert exc.value.user_title == "Template can't be edited"
    t1 = T0 + 100  # approved
    with pytest.raises(GraphError) as exc:
        s.edit(tid, {"category": "UTILITY"}, t1)
    assert exc.value.user_title == "Category can't be edited"
    assert s.edit(tid, {"components": marketing()["components"]}, t1) == {"success": True}
    assert s.get(tid, t1)["status"] == "PENDING"
    t2 = t1 + 100  # approved again, but within 24 hours of the last edit
    with pytest.raises(GraphError) as exc:
        s.edit(tid, {"components": marketing()["components"]}, t2)
    assert exc.value.user_title == "Edit limit reached"
    # Ten edits in 30 days, one a day; the eleventh is refused.
    now = t1
    for _ in range(9):
        now += DAY
        s.edit(tid, {"components": marketing()["components"]}, now)
    with pytest.raises(GraphError):
        s.edit(tid, {"components": marketing()["components"]}, now + DAY)


def test_rejected_templates_edit_without_limit() -> None:
    s = TemplatesState(reviewer=lambda t: ReviewDecision(approved=False, reason="INVALID_FORMAT"))
    w = s.waba(WABA)
    tid = w.create(marketing(), T0)["id"]
    for i in range(3):
        now = T0 + 100 * (i + 1)
        assert s.get(tid, now)["status"] == "REJECTED"
        s.edit(tid, {"category": "UTILITY", "components": marketing()["components"]}, now)


def test_quality_pause_reinstate_disable() -> None:
    s, w = state()
    tid = w.create(marketing(), T0)["id"]
    now = T0 + 60
    w.set_quality(tid, "RED", now)
    assert s.get(tid, now)["status"] == "PAUSED"
    with pytest.raises(GraphError) as exc:
        w.check_send("seasonal_promotion", "en_US", SEND_OK, now=now)
    assert exc.value.code == 132015
    assert s.get(tid, now + 3 * 3600)["status"] == "APPROVED"
    w.set_quality(tid, "GREEN", now + 4 * 3600)
    w.set_quality(tid, "RED", now + 5 * 3600)
    assert s.get(tid, now + 5 * 3600 + 6 * 3600 - 1)["status"] == "PAUSED"
    assert s.get(tid, now + 5 * 3600 + 6 * 3600)["status"] == "APPROVED"
    w.set_quality(tid, "GREEN", now + DAY)
    w.set_quality(tid, "RED", now + 2 * DAY)
    assert s.get(tid, now + 2 * DAY)["status"] == "DISABLED"
    with pytest.raises(GraphError) as exc:
        w.check_send("seasonal_promotion", "en_US", SEND_OK, now=now + 3 * DAY)
    assert exc.value.code == 132016
    events = [(e["field"], e["value"].get("event")) for e in s.events(now + 3 * DAY)]
    assert ("message_template_status_update", "PAUSED") in events
    assert ("message_template_status_update", "REINSTATED") in events
    assert ("message_template_status_update", "DISABLED") in events
    assert ("message_template_quality_update", None) in events


def test_change_category_event() -> None:
    s, w = state()
    tid = w.create(marketing(), T0)["id"]
    w.change_category(tid, "UTILITY", T0 + 100)
    assert s.get(tid, T0 + 100)["previous_category"] == "MARKETING"
    assert any(e["field"] == "template_category_update" for e in s.events(T0 + 100))


def test_check_send() -> None:
    _, w = state()
    with pytest.raises(GraphError) as exc:
        w.check_send("seasonal_promotion", "en_US", SEND_OK, now=T0)
    assert (exc.value.code, exc.value.status) == (132001, 404)
    w.create(marketing(), T0)
    with pytest.raises(GraphError) as exc:  # still pending
        w.check_send("seasonal_promotion", "en_US", SEND_OK, now=T0 + 1)
    assert exc.value.code == 132001
    w.check_send("seasonal_promotion", "en_US", SEND_OK, now=T0 + 60)
    with pytest.raises(GraphError) as exc:
        w.check_send("seasonal_promotion", "es", SEND_OK)
    assert exc.value.code == 132001
    short = [SEND_OK[0], {"type": "body", "parameters": [{"type": "text", "text": "August"}]}, SEND_OK[2]]
    with pytest.raises(GraphError) as exc:
        w.check_send("seasonal_promotion", "en_US", short)
    assert exc.value.code == 132000 and exc.value.details is not None and "body" in exc.value.details
    with pytest.raises(GraphError) as exc:
        w.check_send("seasonal_promotion", "en_US", SEND_OK[:2])
    assert exc.value.code == 132000 and "button 1" in str(exc.value.details)


def test_authentication_send_needs_the_code_twice() -> None:
    _, w = state()
    w.create(
        {
            "name": "otp",
            "language": "en_US",
            "category": "AUTHENTICATION",
            "components": [
                {"type": "BODY", "add_security_recommendation": True},
                {"type": "FOOTER", "code_expiration_minutes": 5},
                {"type": "BUTTONS", "buttons": [{"type": "OTP", "otp_type": "COPY_CODE"}]},
            ],
        },
        T0,
    )
    code_param = [{"type": "text", "text": "123456"}]
    w.check_send(
        "otp",
        "en_US",
        [
            {"type": "body", "parameters": code_param},
            {"type": "button", "sub_type": "url", "index": "0", "parameters": code_param},
        ],
        now=T0 + 60,
    )
    with pytest.raises(GraphError) as exc:
        w.check_send("otp", "en_US", [{"type": "body", "parameters": code_param}])
    assert exc.value.code == 132000


@pytest.mark.parametrize(
    ("change", "subcode"),
    [
        ({"name": "Bad-Name"}, None),
        ({"language": "english"}, None),
        ({"category": "PROMO"}, None),
        ({"components": [{"type": "FOOTER", "text": "x"}]}, 2388072),
        (
            {
                "components": [
                    {"type": "BODY", "text": "{{1}} starts here", "example": {"body_text": [["a"]]}}
                ]
            },
            2388299,
        ),
        ({"components": [{"type": "BODY", "text": "x" * 1025}]}, 2388040),
        ({"components": [{"type": "BODY", "text": "ok"}, {"type": "FOOTER", "text": "x" * 61}]}, 2388073),
        (
            {
                "components": [
                    {"type": "HEADER", "format": "TEXT", "text": "{{1}}{{2}}"},
                    {"type": "BODY", "text": "ok"},
                ]
            },
            2388047,
        ),
        ({"components": [{"type": "BODY", "text": "Hi {{1}} and {{3}} ok"}]}, 2388072),
        ({"components": [{"type": "BODY", "text": "Hi {{name}} ok"}]}, None),
    ],
)
def test_create_refusals(change: dict[str, Any], subcode: int | None) -> None:
    _, w = state()
    with pytest.raises(GraphError) as exc:
        w.create({**marketing(), **change}, T0)
    assert exc.value.code == 100 and exc.value.subcode == subcode


def test_named_variables_with_parameter_format() -> None:
    _, w = state()
    body = {
        **marketing(),
        "parameter_format": "NAMED",
        "components": [{"type": "BODY", "text": "Hi {{first_name}}, your order ok"}],
    }
    w.create(body, T0)
    w.check_send(
        "seasonal_promotion",
        "en_US",
        [{"type": "body", "parameters": [{"type": "text", "parameter_name": "first_name", "text": "P"}]}],
        now=T0 + 60,
    )


def test_lifecycle_on_a_virtual_clock() -> None:
    """create → pending → approved → sent → paused (refused) → reinstated, driven by the clock alone."""
    from meta_cloud_async.sandbox import VirtualClock

    clock = VirtualClock(T0)
    s = TemplatesState(rules=TemplateRules(review_delay=300.0))
    w = s.waba(WABA)
    tid = w.create(marketing(), clock())["id"]
    with pytest.raises(GraphError) as exc:
        w.check_send("seasonal_promotion", "en_US", SEND_OK, now=clock())
    assert exc.value.code == 132001
    clock.advance(300)
    w.check_send("seasonal_promotion", "en_US", SEND_OK, now=clock())
    w.set_quality(tid, "RED", clock())
    with pytest.raises(GraphError) as exc:
        w.check_send("seasonal_promotion", "en_US", SEND_OK, now=clock.advance(3600))
    assert exc.value.code == 132015
    w.check_send("seasonal_promotion", "en_US", SEND_OK, now=clock.advance(2 * 3600))
    assert [e["value"].get("event") for e in s.events(clock())] == [
        "APPROVED",
        None,  # the quality update
        "PAUSED",
        "REINSTATED",
    ]
