"""Templates, Flows and the encryption key through the SDK's namespaces on the sandbox (virtual clock)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from meta_cloud_async import InvalidParameterError, WhatsApp
from meta_cloud_async.errors import FlowJsonValidationError, GraphAPIError, TemplateCreationError
from meta_cloud_async.sandbox import ReviewDecision, Sandbox, TemplateRules, VirtualClock
from meta_cloud_async.types.templates import Body, OtpCopyCodeButton

ClientFactory = Callable[..., WhatsApp]

_FLOW_JSON = {
    "version": "6.0",
    "screens": [
        {
            "id": "WELCOME",
            "title": "Welcome",
            "terminal": True,
            "layout": {"type": "SingleColumnLayout", "children": [{"type": "TextHeading", "text": "Hello"}]},
        }
    ],
}


async def _otp_template(wa: WhatsApp) -> str:
    created = await wa.templates.create_authentication(
        "login_code",
        "en_US",
        button=OtpCopyCodeButton(text="Copy code"),
        add_security_recommendation=True,
        code_expiration_minutes=10,
    )
    assert created.status == "PENDING" and created.category == "AUTHENTICATION"
    return created.id


async def test_template_lifecycle_pending_approved_paused_reinstated(
    make_client: ClientFactory, sandbox: Sandbox, clock: VirtualClock
) -> None:
    wa = make_client()
    template_id = await _otp_template(wa)
    assert (await wa.templates.get(template_id)).status == "PENDING"
    clock.advance(59)
    assert (await wa.templates.get(template_id)).status == "PENDING"
    clock.advance(1)
    approved = await wa.templates.get(template_id)
    assert approved.status == "APPROVED" and approved.category == "AUTHENTICATION"
    # The sandbox checks a send against the stored template (the messages route calls this).
    waba = sandbox.templates.waba(sandbox.waba_ids[0])
    code = [{"type": "body", "parameters": [{"type": "text", "text": "482915"}]}]
    button = [
        {
            "type": "button",
            "sub_type": "url",
            "index": "0",
            "parameters": [{"type": "text", "text": "482915"}],
        }
    ]
    waba.check_send("login_code", "en_US", code + button, now=clock())
    sandbox.set_template_quality(template_id, "RED")
    assert (await wa.templates.get(template_id)).status == "PAUSED"
    clock.advance(3 * 3600)
    assert (await wa.templates.get(template_id)).status == "APPROVED"
    events = [(e["field"], e["value"].get("event")) for e in sandbox.template_events()]
    assert events == [
        ("message_template_status_update", "APPROVED"),
        ("message_template_quality_update", None),
        ("message_template_status_update", "PAUSED"),
        ("message_template_status_update", "REINSTATED"),
    ]
    assert len(sandbox.template_events()) == 4  # kept, not drained


async def test_list_filters_and_paging(make_client: ClientFactory, clock: VirtualClock) -> None:
    wa = make_client()
    for i in range(5):
        await wa.templates.create(
            f"order_update_{i}", "en_US", "UTILITY", [Body(text="Your order {{1}} shipped.", examples=["A1"])]
        )
    clock.advance(60)
    names = [str(t.name) async for t in wa.templates.list(status="APPROVED", limit=2)]
    assert sorted(names) == [f"order_update_{i}" for i in range(5)]
    page = await wa.templates.list(name="order_update_3")
    assert [t.name for t in page.data] == ["order_update_3"]
    assert (await wa.templates.list(category="MARKETING")).data == []


async def test_creation_errors_are_typed(make_client: ClientFactory) -> None:
    wa = make_client()
    await _otp_template(wa)
    with pytest.raises(TemplateCreationError) as info:
        await _otp_template(wa)
    assert info.value.subcode == 2388024
    assert info.value.error_user_title == "Content in this language already exists"


async def test_deleted_name_blocked_then_reusable(make_client: ClientFactory, clock: VirtualClock) -> None:
    wa = make_client()
    await _otp_template(wa)
    assert (await wa.templates.delete(name="login_code")).success
    with pytest.raises(TemplateCreationError) as info:
        await _otp_template(wa)
    assert info.value.subcode == 2388023
    clock.advance(30 * 86400)
    await _otp_template(wa)


async def test_edit_rules_over_the_wire(make_client: ClientFactory, clock: VirtualClock) -> None:
    wa = make_client()
    created = await wa.templates.create(
        "shipping", "en_US", "UTILITY", [Body(text="Order {{1}} is on its way.", examples=["A1"])]
    )
    with pytest.raises(InvalidParameterError) as pending:
        await wa.templates.edit(created.id, components=[Body(text="Order {{1}} left.", examples=["A1"])])
    assert pending.value.user_title == "Template can't be edited"
    clock.advance(60)
    template = await wa.templates.get(created.id)
    await wa.templates.edit(template, components=[Body(text="Order {{1}} left us.", examples=["A1"])])
    edited = await wa.templates.get(created.id)
    assert edited.status == "PENDING" and edited.components[0]["text"] == "Order {{1}} left us."
    clock.advance(60)
    with pytest.raises(InvalidParameterError) as limited:
        await wa.templates.edit(created.id, components=[Body(text="Order {{1}} again.", examples=["A1"])])
    assert limited.value.user_title == "Edit limit reached"


async def test_rejection_with_reason(clock: VirtualClock) -> None:
    sandbox = Sandbox(
        clock=clock,
        template_rules=TemplateRules(review_delay=5),
        template_reviewer=lambda t: ReviewDecision(approved=False, reason="INVALID_FORMAT"),
    )
    async with WhatsApp(
        transport=sandbox.transport(),
        access_token=sandbox.access_token,
        business_account_id=sandbox.waba_ids[0],
        phone_number_id=sandbox.phone_number_ids[0],
        retry=None,
        rate_limit=None,
    ) as wa:
        created = await _otp_template(wa)
        clock.advance(5)
        template = await wa.templates.get(created)
        assert (template.status, template.rejected_reason) == ("REJECTED", "INVALID_FORMAT")


async def test_unknown_template_id_is_graphs_100_33(make_client: ClientFactory) -> None:
    with pytest.raises(InvalidParameterError) as info:
        await make_client().templates.get("999999999999999")
    assert info.value.subcode == 33


# -- flows ---------------------------------------------------------------------------------------


async def test_flow_lifecycle(make_client: ClientFactory, sandbox: Sandbox) -> None:
    wa = make_client()
    created = await wa.flows.create("signup", ["SIGN_UP"])
    flow = await wa.flows.get(created.id)
    assert (flow.name, flow.status, flow.categories) == ("signup", "DRAFT", ["SIGN_UP"])
    with pytest.raises(GraphAPIError) as refused:
        await wa.flows.publish(created.id)
    assert refused.value.code == 139002  # no Flow JSON yet
    answer = await wa.flows.update_json(created.id, _FLOW_JSON)
    assert answer.success and answer.validation_errors == []
    assert json.loads(await wa.flows.get_json(created.id)) == _FLOW_JSON
    await wa.flows.update_metadata(created.id, name="sign_up", categories=["SIGN_UP", "OTHER"])
    assert (await wa.flows.get(created.id, fields=["name", "categories"])).name == "sign_up"
    assert (await wa.flows.preview_url(created.id)).endswith(f"/_sandbox/flow_previews/{created.id}")
    await wa.flows.publish(created.id)
    assert (await wa.flows.get(created.id)).status == "PUBLISHED"
    with pytest.raises(GraphAPIError) as frozen:
        await wa.flows.update_json(created.id, _FLOW_JSON)
    assert frozen.value.code == 139001
    with pytest.raises(GraphAPIError) as not_draft:
        await wa.flows.delete(created.id)
    assert not_draft.value.code == 139004
    await wa.flows.deprecate(created.id)
    assert [(f.id, f.status) async for f in wa.flows.list()] == [(created.id, "DEPRECATED")]
    assert sandbox.flows.snapshot() == {created.id: "DEPRECATED"}


async def test_flow_json_validation_errors_with_positions(make_client: ClientFactory) -> None:
    wa = make_client()
    created = await wa.flows.create("broken", ["OTHER"])
    text = '{\n  "version": "6.0",\n  "screens": [\n    {"id": "A", "layout": {"type": "Row", "children": []}}\n  ]\n}'
    with pytest.raises(FlowJsonValidationError) as info:
        await wa.flows.update_json(created.id, text)
    errors = info.value.errors
    layout = next(e for e in errors if "SingleColumnLayout" in (e.message or ""))
    assert (layout.line_start, layout.column_start) == (4, 36)
    assert "line 4, column 36" in str(info.value)
    assert any(e.error == "MISSING_TERMINAL_SCREEN" for e in errors)
    kept = await wa.flows.update_json(created.id, text, raise_on_errors=False)
    assert kept.validation_errors  # stored as the draft's JSON, errors and all
    with pytest.raises(GraphAPIError, match="validation errors"):
        await wa.flows.publish(created.id)


async def test_flow_clone_delete_and_migrate(sandbox_two_wabas: Sandbox) -> None:
    sandbox = sandbox_two_wabas
    source_waba, target_waba = sandbox.waba_ids
    async with WhatsApp(
        transport=sandbox.transport(),
        access_token=sandbox.access_token,
        business_account_id=source_waba,
        retry=None,
        rate_limit=None,
    ) as wa:
        first = await wa.flows.create("appointment", ["APPOINTMENT_BOOKING"])
        await wa.flows.update_json(first.id, _FLOW_JSON)
        clone = await wa.flows.create("appointment_copy", ["OTHER"], clone_flow_id=first.id)
        assert json.loads(await wa.flows.get_json(clone.id)) == _FLOW_JSON
        await wa.flows.delete(clone.id)
        target = wa.with_options(business_account_id=target_waba)
        moved = await target.flows.migrate(source_waba, source_flow_names=["appointment", "leadgen"])
        assert [m["source_name"] for m in moved.migrated_flows] == ["appointment"]
        assert [f["source_name"] for f in moved.failed_flows] == ["leadgen"]
        migrated = moved.migrated_flows[0]["migrated_id"]
        assert json.loads(await target.flows.get_json(migrated)) == _FLOW_JSON


@pytest.fixture
def sandbox_two_wabas(clock: VirtualClock) -> Sandbox:
    return Sandbox(phone_numbers=2, wabas=2, seed=3, clock=clock)


async def test_encryption_key_round_trip(make_client: ClientFactory, sandbox: Sandbox) -> None:
    pytest.importorskip("cryptography")
    from meta_cloud_async.flows import generate_key_pair

    wa = make_client()
    assert await wa.encryption.get_public_key() is None
    _, public_pem = generate_key_pair()
    assert (await wa.encryption.set_public_key(public_pem)).success
    key = await wa.encryption.get_public_key()
    assert key is not None and key.business_public_key == public_pem
    assert key.business_public_key_signature_status == "VALID"
    assert sandbox.public_key(sandbox.phone_number_ids[0]) == public_pem


async def test_sandbox_refuses_a_malformed_key(make_client: ClientFactory) -> None:
    wa = make_client()
    bad = "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n"
    with pytest.raises(InvalidParameterError) as info:
        await wa.encryption.set_public_key(bad)
    assert info.value.user_title == "Invalid Public Key"


def test_route_names_include_the_content_routes() -> None:
    from meta_cloud_async.sandbox.routes import ROUTE_NAMES

    assert {"create_template", "update_flow_json", "set_encryption_key"} <= ROUTE_NAMES


async def test_template_sends_are_checked_against_the_stored_template(
    make_client: ClientFactory, sandbox: Sandbox, clock: VirtualClock
) -> None:
    from meta_cloud_async.sandbox.content_routes import check_template_send
    from meta_cloud_async.sandbox.envelope import GraphError

    wa = make_client()
    phone = sandbox.phone_number_ids[0]
    business = sandbox.router.business
    code = "482915"
    send: dict[str, Any] = {
        "name": "login_code",
        "language": {"code": "en_US"},
        "components": [
            {"type": "body", "parameters": [{"type": "text", "text": code}]},
            {
                "type": "button",
                "sub_type": "url",
                "index": "0",
                "parameters": [{"type": "text", "text": code}],
            },
        ],
    }

    def refused(template: dict[str, Any]) -> int:
        with pytest.raises(GraphError) as info:
            check_template_send(business, phone, template, clock())
        return info.value.code

    assert refused(send) == 132001  # no such template yet
    template_id = await _otp_template(wa)
    assert refused(send) == 132001  # pending review
    clock.advance(60)
    check_template_send(business, phone, send, clock())  # approved: accepted
    assert refused({**send, "components": send["components"][:1]}) == 132000
    assert refused({**send, "language": {"code": "es"}}) == 132001
    sandbox.set_template_quality(template_id, "RED")
    assert refused(send) == 132015


async def test_lifecycle_with_sends_inside_and_outside_the_window(
    make_client: ClientFactory, sandbox: Sandbox, clock: VirtualClock
) -> None:
    """create → pending (refused) → approved → sent outside and inside the window → paused (refused)."""
    wa = make_client()
    user = "15551234567"
    code = "482915"
    components = [
        {"type": "body", "parameters": [{"type": "text", "text": code}]},
        {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": code}]},
    ]
    template_id = await _otp_template(wa)
    with pytest.raises(GraphAPIError) as pending:
        await wa.messages.send_template(user, "login_code", "en_US", components=components)
    assert pending.value.code == 132001
    clock.advance(60)
    # Outside the 24-hour window (the user never wrote): templates are the one thing allowed.
    with pytest.raises(GraphAPIError) as free_form:
        await wa.messages.send_text(user, "your code is 482915")
    assert free_form.value.code == 131047
    outside = await wa.messages.send_template(user, "login_code", "en_US", components=components)
    # Inside the window, after the user wrote.
    sandbox.inbound(sandbox.phone_number_ids[0], user, "text", {"body": "send me a code"})
    clock.advance(10)
    inside = await wa.messages.send_template(user, "login_code", "en_US", components=components)
    assert outside.id != inside.id and inside.message_status == "accepted"
    with pytest.raises(GraphAPIError) as count:
        clock.advance(10)
        await wa.messages.send_template(user, "login_code", "en_US", components=components[:1])
    assert count.value.code == 132000
    sandbox.set_template_quality(template_id, "RED")
    clock.advance(10)
    with pytest.raises(GraphAPIError) as paused:
        await wa.messages.send_template(user, "login_code", "en_US", components=components)
    assert paused.value.code == 132015
    sent = [m for m in sandbox.messages() if m.type == "template"]
    assert len(sent) == 2


async def test_the_http_door_serves_the_same(clock: VirtualClock) -> None:
    """Multipart uploads and the token-free asset download work over the aiohttp server too."""
    sandbox = Sandbox(clock=clock)
    async with (
        sandbox.serve() as base_url,
        WhatsApp(
            access_token=sandbox.access_token,
            base_url=base_url,
            business_account_id=sandbox.waba_ids[0],
            phone_number_id=sandbox.phone_number_ids[0],
            retry=None,
            rate_limit=None,
        ) as wa,
    ):
        created = await wa.flows.create("http_flow", ["OTHER"])
        await wa.flows.update_json(created.id, _FLOW_JSON)
        assert json.loads(await wa.flows.get_json(created.id)) == _FLOW_JSON
        template_id = await _otp_template(wa)
        clock.advance(60)
        assert (await wa.templates.get(template_id)).status == "APPROVED"
