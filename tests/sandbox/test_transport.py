"""Every sandbox behaviour, driven through the SDK client over the in-process door."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable

import attrs
import pytest

from meta_cloud_async import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    GraphAPIError,
    InvalidParameterError,
    NotRegisteredError,
    PinGuessLimitError,
    PinMismatchError,
    RateLimitError,
    RegistrationLimitError,
    Request,
    ServerError,
    WhatsApp,
)
from meta_cloud_async.sandbox import Budget, FaultConfig, FaultRates, Limits, Sandbox, VirtualClock
from meta_cloud_async.sandbox.state import PHONE_FIELDS

ClientFactory = Callable[..., WhatsApp]

HOUR = 3600.0


def _raw(sandbox: Sandbox, method: str, path: str, body: bytes = b"", token: str | None = None) -> Request:
    headers = {"content-type": "application/json"}
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    return Request(method=method, url=f"https://graph.example{path}", headers=headers, content=body)


# -- auth and unknown objects ----------------------------------------------------------


async def test_wrong_token_is_401_code_190(sandbox: Sandbox) -> None:
    client = WhatsApp(
        transport=sandbox.transport(),
        access_token="not-the-token",
        phone_number_id=sandbox.phone_number_ids[0],
        retry=None,
        rate_limit=None,
    )
    with pytest.raises(AuthenticationError) as info:
        await client.two_step_verification.set_pin("135790")
    assert info.value.code == 190
    assert info.value.http_status == 401
    assert info.value.type == "OAuthException"
    assert sandbox.state(sandbox.phone_number_ids[0]).pin != "135790"


async def test_missing_token_is_401_code_190(sandbox: Sandbox) -> None:
    pid = sandbox.phone_number_ids[0]
    response = await sandbox.transport().send(_raw(sandbox, "GET", f"/v23.0/{pid}"))
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == 190
    assert error["message"] == "An access token is required to request this resource."


async def test_access_token_query_parameter_is_accepted(sandbox: Sandbox) -> None:
    pid = sandbox.phone_number_ids[0]
    request = _raw(sandbox, "GET", f"/v23.0/{pid}?access_token={sandbox.access_token}")
    response = await sandbox.transport().send(request)
    assert response.status_code == 200
    assert response.json()["id"] == pid
    assert "access_token=%3Credacted%3E" in sandbox.request_log[-1].query


async def test_unknown_phone_number_is_code_100_subcode_33(sandbox: Sandbox) -> None:
    client = WhatsApp(
        transport=sandbox.transport(),
        access_token=sandbox.access_token,
        phone_number_id="999",
        retry=None,
        rate_limit=None,
    )
    with pytest.raises(InvalidParameterError) as info:
        await client.two_step_verification.set_pin("135790")
    err = info.value
    assert (err.code, err.subcode, err.http_status, err.type) == (100, 33, 400, "GraphMethodException")
    assert err.message.startswith("Unsupported post request. Object with ID '999' does not exist")


async def test_unknown_edge_and_bad_version(sandbox: Sandbox) -> None:
    pid = sandbox.phone_number_ids[0]
    transport = sandbox.transport()
    edge = await transport.send(_raw(sandbox, "POST", f"/v23.0/{pid}/nope", b"{}", sandbox.access_token))
    assert edge.status_code == 400
    assert edge.json()["error"]["error_subcode"] == 33
    version = await transport.send(_raw(sandbox, "GET", f"/latest/{pid}", token=sandbox.access_token))
    assert version.status_code == 400
    assert version.json()["error"]["code"] == 2500


async def test_any_version_is_served_and_echoed(sandbox: Sandbox) -> None:
    pid = sandbox.phone_number_ids[0]
    response = await sandbox.transport().send(
        _raw(sandbox, "GET", f"/v19.0/{pid}", token=sandbox.access_token)
    )
    assert response.status_code == 200
    assert response.headers["facebook-api-version"] == "v19.0"


# -- two-step verification -------------------------------------------------------------


async def test_set_pin_changes_the_pin(sandbox: Sandbox, make_client: ClientFactory) -> None:
    result = await make_client().two_step_verification.set_pin("428915")
    assert result.success is True
    assert sandbox.state(sandbox.phone_number_ids[0]).pin == "428915"
    assert sandbox.state(sandbox.phone_number_ids[1]).pin != "428915"


@pytest.mark.parametrize(
    "body",
    [
        b'{"pin":"12345"}',
        b'{"pin":123456}',
        b'{"pin":"12a456"}',
        b'{"pin":"\xd9\xa1\xd9\xa2\xd9\xa3\xd9\xa4\xd9\xa5\xd9\xa6"}',
    ],
)
async def test_malformed_pin_is_code_100_with_details(sandbox: Sandbox, body: bytes) -> None:
    pid = sandbox.phone_number_ids[0]
    before = sandbox.state(pid).pin
    response = await sandbox.transport().send(
        _raw(sandbox, "POST", f"/v23.0/{pid}", body, sandbox.access_token)
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == 100
    assert error["error_data"] == {
        "messaging_product": "whatsapp",
        "details": "pin must be a string of exactly 6 digits (0-9)",
    }
    assert sandbox.state(pid).pin == before


async def test_set_pin_without_pin_names_the_parameter(sandbox: Sandbox) -> None:
    pid = sandbox.phone_number_ids[0]
    response = await sandbox.transport().send(
        _raw(sandbox, "POST", f"/v23.0/{pid}", b"{}", sandbox.access_token)
    )
    assert response.json()["error"]["message"] == "(#100) The parameter pin is required."


async def test_form_encoded_set_pin_is_accepted(sandbox: Sandbox) -> None:
    pid = sandbox.phone_number_ids[0]
    request = Request(
        method="POST",
        url=f"http://x/v23.0/{pid}",
        headers={
            "authorization": f"Bearer {sandbox.access_token}",
            "content-type": "application/x-www-form-urlencoded",
        },
        content=b"pin=024680",
    )
    response = await sandbox.transport().send(request)
    assert response.status_code == 200
    assert sandbox.state(pid).pin == "024680"


async def test_pin_is_never_readable_through_graph(sandbox: Sandbox, make_client: ClientFactory) -> None:
    client = make_client()
    await client.two_step_verification.set_pin("428915")
    pid = sandbox.phone_number_ids[0]
    every_field = ",".join(sorted(PHONE_FIELDS))
    response = await sandbox.transport().send(
        _raw(sandbox, "GET", f"/v23.0/{pid}?fields={every_field}", token=sandbox.access_token)
    )
    assert response.status_code == 200
    assert b"428915" not in response.content
    assert response.json()["is_pin_enabled"] is True
    with pytest.raises(InvalidParameterError) as info:
        await client.phone_numbers.get(fields="pin")
    assert "nonexisting field (pin)" in info.value.message


async def test_set_pin_on_unregistered_number_is_133010(clock: VirtualClock) -> None:
    sandbox = Sandbox(phone_numbers=1, clock=clock, registered=False, initial_pin=None)
    client = WhatsApp(
        transport=sandbox.transport(),
        access_token=sandbox.access_token,
        phone_number_id=sandbox.phone_number_ids[0],
        retry=None,
        rate_limit=None,
    )
    with pytest.raises(NotRegisteredError) as info:
        await client.two_step_verification.set_pin("135790")
    assert info.value.code == 133010
    assert sandbox.state(sandbox.phone_number_ids[0]).pin is None


# -- registration ------------------------------------------------------------------------


async def test_register_with_the_current_pin(sandbox: Sandbox, make_client: ClientFactory) -> None:
    pid = sandbox.phone_number_ids[0]
    pin = sandbox.state(pid).pin
    assert pin is not None
    result = await make_client().registration.register(pin, data_localization_region="DE")
    assert result.success is True
    state = sandbox.state(pid)
    assert state.registered is True
    assert state.data_localization_region == "DE"
    assert state.registration_attempts == 1


async def test_register_without_2sv_makes_the_sent_pin_the_pin(clock: VirtualClock) -> None:
    sandbox = Sandbox(phone_numbers=1, clock=clock, registered=False, initial_pin=None)
    pid = sandbox.phone_number_ids[0]
    client = WhatsApp(
        transport=sandbox.transport(),
        access_token=sandbox.access_token,
        phone_number_id=pid,
        retry=None,
        rate_limit=None,
    )
    await client.registration.register("202468")
    state = sandbox.state(pid)
    assert (state.registered, state.pin) == (True, "202468")


async def test_register_with_wrong_pin_is_133005(sandbox: Sandbox, make_client: ClientFactory) -> None:
    pid = sandbox.phone_number_ids[0]
    await make_client().two_step_verification.set_pin("428915")
    with pytest.raises(PinMismatchError) as info:
        await make_client().registration.register("111222")
    assert info.value.code == 133005
    assert info.value.details
    assert sandbox.state(pid).pin == "428915"
    assert sandbox.state(pid).wrong_pin_attempts == 1


async def test_wrong_pins_lock_out_with_133008_then_recover(
    sandbox: Sandbox, make_client: ClientFactory, clock: VirtualClock
) -> None:
    client = make_client()
    await client.two_step_verification.set_pin("428915")
    limits = sandbox.limits
    for _ in range(limits.wrong_pin_limit):
        with pytest.raises(PinMismatchError):
            await client.registration.register("111222")
        clock.advance(limits.pin_retry_interval)
    with pytest.raises(PinGuessLimitError) as info:
        await client.registration.register("428915")  # even the right PIN: locked
    assert info.value.code == 133008
    assert sandbox.state(sandbox.phone_number_ids[0]).pin_locked_until == pytest.approx(
        clock() - limits.pin_retry_interval + limits.pin_lockout
    )
    clock.advance(limits.pin_lockout)
    assert (await client.registration.register("428915")).success is True


async def test_fast_pin_guesses_are_133009(
    sandbox: Sandbox, make_client: ClientFactory, clock: VirtualClock
) -> None:
    client = make_client()
    await client.two_step_verification.set_pin("428915")
    with pytest.raises(PinMismatchError):
        await client.registration.register("111222")
    clock.advance(sandbox.limits.pin_retry_interval / 2)
    with pytest.raises(PinGuessLimitError) as info:
        await client.registration.register("428915")
    assert info.value.code == 133009
    clock.advance(sandbox.limits.pin_retry_interval / 2)
    assert (await client.registration.register("428915")).success is True


async def test_eleventh_attempt_in_72h_is_133016_and_blocks(
    sandbox: Sandbox, make_client: ClientFactory, clock: VirtualClock
) -> None:
    client = make_client()
    pid = sandbox.phone_number_ids[0]
    pin = sandbox.state(pid).pin
    assert pin is not None
    for i in range(10):
        if i % 2:
            await client.registration.register(pin)
        else:
            await client.registration.deregister()
        clock.advance(HOUR)
    with pytest.raises(RegistrationLimitError) as info:
        await client.registration.register(pin)
    err = info.value
    assert (err.code, err.http_status) == (133016, 400)
    assert not err.is_transient
    # Blocked for 72 h from the refused attempt, even though the first attempts age out sooner.
    clock.advance(71 * HOUR)
    with pytest.raises(RegistrationLimitError):
        await client.registration.deregister()
    clock.advance(HOUR)
    assert (await client.registration.deregister()).success is True


async def test_rolling_window_lets_old_attempts_expire(clock: VirtualClock) -> None:
    sandbox = Sandbox(phone_numbers=1, clock=clock, limits=Limits(registration_attempts=2))
    pid = sandbox.phone_number_ids[0]
    client = WhatsApp(
        transport=sandbox.transport(),
        access_token=sandbox.access_token,
        phone_number_id=pid,
        retry=None,
        rate_limit=None,
    )
    pin = sandbox.state(pid).pin
    assert pin is not None
    await client.registration.register(pin)
    clock.advance(71 * HOUR)
    await client.registration.register(pin)
    clock.advance(1 * HOUR + 1)  # the first attempt left the window
    assert (await client.registration.register(pin)).success is True
    assert sandbox.state(pid).registration_attempts == 2


async def test_deregister_unregistered_is_100_2207051(sandbox: Sandbox, make_client: ClientFactory) -> None:
    client = make_client()
    assert (await client.registration.deregister()).success is True
    assert sandbox.state(sandbox.phone_number_ids[0]).registered is False
    with pytest.raises(InvalidParameterError) as info:
        await client.registration.deregister()
    assert (info.value.code, info.value.subcode) == (100, 2207051)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'{"pin":"123456"}', "(#100) The parameter messaging_product is required."),
        (b'{"messaging_product":"sms","pin":"123456"}', "(#100) Invalid parameter"),
        (b'{"messaging_product":"whatsapp"}', "(#100) The parameter pin is required."),
        (b'{"messaging_product":"whatsapp","pin":"12"}', "(#100) Invalid parameter"),
        (
            b'{"messaging_product":"whatsapp","pin":"123456","data_localization_region":"FR"}',
            "(#100) Invalid parameter",
        ),
    ],
)
async def test_register_validates_its_body(sandbox: Sandbox, body: bytes, message: str) -> None:
    pid = sandbox.phone_number_ids[0]
    response = await sandbox.transport().send(
        _raw(sandbox, "POST", f"/v23.0/{pid}/register", body, sandbox.access_token)
    )
    assert response.status_code == 400
    assert response.json()["error"]["message"] == message
    assert sandbox.state(pid).registration_attempts == 0  # refused before it counted


async def test_register_unverified_number_is_133006(clock: VirtualClock) -> None:
    sandbox = Sandbox(phone_numbers=1, clock=clock, registered=False, initial_pin=None, code_verified=False)
    pid = sandbox.phone_number_ids[0]
    client = WhatsApp(
        transport=sandbox.transport(),
        access_token=sandbox.access_token,
        phone_number_id=pid,
        retry=None,
        rate_limit=None,
    )
    with pytest.raises(GraphAPIError) as info:
        await client.registration.register("135790")
    assert info.value.code == 133006
    await client.phone_numbers.request_code()
    code = sandbox.state(pid).verification_code
    assert code is not None
    assert (await client.phone_numbers.verify_code(code)).id == pid
    assert (await client.registration.register("135790")).success is True


# -- ownership codes ---------------------------------------------------------------------


async def test_request_and_verify_code(
    sandbox: Sandbox, make_client: ClientFactory, caplog: pytest.LogCaptureFixture
) -> None:
    client = make_client()
    pid = sandbox.phone_number_ids[0]
    with caplog.at_level(logging.INFO, logger="meta_cloud_async.sandbox"):
        assert (await client.phone_numbers.request_code(code_method="VOICE", language="pt_BR")).success
    code = sandbox.state(pid).verification_code
    assert code is not None and len(code) == 6
    assert code in caplog.text
    pin = sandbox.state(pid).pin
    assert pin is not None and pin not in caplog.text
    result = await client.phone_numbers.verify_code(code)
    assert (result.success, result.id) == (True, pid)
    assert sandbox.state(pid).verification_code is None


async def test_codes_are_seeded(clock: VirtualClock) -> None:
    codes = []
    for _ in range(2):
        sandbox = Sandbox(phone_numbers=1, seed=3, clock=clock)
        client = WhatsApp(
            transport=sandbox.transport(),
            access_token=sandbox.access_token,
            phone_number_id=sandbox.phone_number_ids[0],
            retry=None,
            rate_limit=None,
        )
        await client.phone_numbers.request_code()
        codes.append(sandbox.state(sandbox.phone_number_ids[0]).verification_code)
    assert codes[0] == codes[1]


async def test_code_expires_after_ten_minutes(
    sandbox: Sandbox, make_client: ClientFactory, clock: VirtualClock
) -> None:
    client = make_client()
    await client.phone_numbers.request_code()
    code = sandbox.state(sandbox.phone_number_ids[0]).verification_code
    assert code is not None
    clock.advance(600)
    with pytest.raises(GraphAPIError) as info:
        await client.phone_numbers.verify_code(code)
    assert info.value.code == 136025
    assert "expired" in (info.value.details or "")


async def test_wrong_codes_run_out_then_block(
    sandbox: Sandbox, make_client: ClientFactory, clock: VirtualClock
) -> None:
    client = make_client()
    pid = sandbox.phone_number_ids[0]
    await client.phone_numbers.request_code()
    code = sandbox.state(pid).verification_code
    assert code is not None
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for left in range(sandbox.limits.code_attempts - 1, -1, -1):
        with pytest.raises(GraphAPIError) as info:
            await client.phone_numbers.verify_code(wrong)
        assert info.value.code == 136025
        assert f"{left} attempts left" in (info.value.details or "")
    with pytest.raises(RateLimitError) as blocked:
        await client.phone_numbers.verify_code(code)
    assert (blocked.value.code, blocked.value.subcode, blocked.value.http_status) == (4, 2446079, 429)
    with pytest.raises(RateLimitError):
        await client.phone_numbers.request_code()
    clock.advance(sandbox.limits.code_block)
    await client.phone_numbers.request_code()
    new_code = sandbox.state(pid).verification_code
    assert new_code is not None
    assert (await client.phone_numbers.verify_code(new_code)).success


async def test_request_code_validates(sandbox: Sandbox) -> None:
    pid = sandbox.phone_number_ids[0]
    transport = sandbox.transport()
    for body, detail in [
        (b'{"code_method":"FAX","language":"en_US"}', "code_method must be SMS or VOICE"),
        (b'{"code_method":"SMS","language":"english"}', "language must look like en_US"),
        (b'{"language":"en_US"}', "The parameter code_method is required."),
    ]:
        response = await transport.send(
            _raw(sandbox, "POST", f"/v23.0/{pid}/request_code", body, sandbox.access_token)
        )
        assert response.status_code == 400
        assert response.json()["error"]["error_data"]["details"] == detail


# -- phone number reads and paging -------------------------------------------------------


async def test_get_phone_number_default_and_requested_fields(
    sandbox: Sandbox, make_client: ClientFactory
) -> None:
    client = make_client()
    pid = sandbox.phone_number_ids[0]
    default = await client.phone_numbers.get()
    assert default.id == pid
    assert default.display_phone_number == sandbox.state(pid).display_phone_number
    assert default.quality_rating in {"GREEN", "YELLOW", "RED", "NA"}
    assert default.status is None
    picked = await client.phone_numbers.get(fields=["status", "name_status"])
    assert (picked.id, picked.status, picked.name_status, picked.display_phone_number) == (
        pid,
        "LINKED",
        "APPROVED",
        None,
    )


async def test_get_waba(sandbox: Sandbox) -> None:
    waba = sandbox.waba_ids[0]
    response = await sandbox.transport().send(
        _raw(sandbox, "GET", f"/v23.0/{waba}?fields=name,currency", token=sandbox.access_token)
    )
    assert response.json() == {"id": waba, "name": "Sandbox Business 1", "currency": "USD"}


async def test_list_pages_with_cursors_and_absolute_next(clock: VirtualClock) -> None:
    sandbox = Sandbox(phone_numbers=60, wabas=2, seed=1, clock=clock)
    waba = sandbox.waba_ids[1]
    client = WhatsApp(
        transport=sandbox.transport(),
        access_token=sandbox.access_token,
        business_account_id=waba,
        base_url="http://sandbox.local:8080",
        retry=None,
        rate_limit=None,
    )
    expected = sandbox.phone_number_ids_of(waba)
    assert len(expected) == 30
    first = await client.phone_numbers.list()
    assert [p.id for p in first.data] == expected[:25]
    assert first.paging is not None and first.paging.cursors is not None
    assert first.paging.previous is None
    assert first.paging.next is not None
    assert first.paging.next.startswith(f"http://sandbox.local:8080/v23.0/{waba}/phone_numbers?")
    assert "access_token" not in first.paging.next
    pages = [page async for page in client.phone_numbers.list(limit=7).pages()]
    assert [len(p.data) for p in pages] == [7, 7, 7, 7, 2]
    assert [p.id for page in pages for p in page.data] == expected
    assert pages[-1].paging is not None and pages[-1].paging.next is None
    # before= walks back from a cursor.
    middle = pages[2]
    assert middle.paging is not None and middle.paging.cursors is not None
    back = await client.phone_numbers.list(limit=7, before=middle.paging.cursors.before)
    assert [p.id for p in back.data] == [p.id for p in pages[1].data]


async def test_list_rejects_bad_limit_and_cursor(sandbox: Sandbox) -> None:
    waba = sandbox.waba_ids[0]
    transport = sandbox.transport()
    for query in ("limit=0", "limit=101", "limit=abc", "after=bogus"):
        response = await transport.send(
            _raw(sandbox, "GET", f"/v23.0/{waba}/phone_numbers?{query}", token=sandbox.access_token)
        )
        assert response.status_code == 400, query
        assert response.json()["error"]["code"] == 100


async def test_list_limit_100_and_default_25(clock: VirtualClock) -> None:
    sandbox = Sandbox(phone_numbers=150, clock=clock)
    client = WhatsApp(
        transport=sandbox.transport(),
        access_token=sandbox.access_token,
        business_account_id=sandbox.waba_ids[0],
        retry=None,
        rate_limit=None,
    )
    assert len((await client.phone_numbers.list()).data) == 25
    assert len((await client.phone_numbers.list(limit=100)).data) == 100
    assert len([p async for p in client.phone_numbers.list(limit=100)]) == 150


# -- budgets and usage headers -------------------------------------------------------------


async def test_usage_headers_on_every_answer(sandbox: Sandbox) -> None:
    pid = sandbox.phone_number_ids[0]
    transport = sandbox.transport()
    ok = await transport.send(_raw(sandbox, "GET", f"/v23.0/{pid}", token=sandbox.access_token))
    bad = await transport.send(_raw(sandbox, "GET", f"/v23.0/{pid}", token="wrong"))
    for response in (ok, bad):
        assert set(json.loads(response.headers["x-app-usage"])) == {
            "call_count",
            "total_cputime",
            "total_time",
        }
        assert "x-business-use-case-usage" in response.headers
    buc = json.loads(ok.headers["x-business-use-case-usage"])
    (entry,) = buc[sandbox.waba_ids[0]]
    assert set(entry) == {
        "type",
        "call_count",
        "total_cputime",
        "total_time",
        "estimated_time_to_regain_access",
    }


async def test_waba_budget_rises_throttles_with_80007_and_decays(clock: VirtualClock) -> None:
    sandbox = Sandbox(phone_numbers=2, clock=clock, waba_budget=Budget(10, HOUR))
    waba = sandbox.waba_ids[0]
    client = WhatsApp(
        transport=sandbox.transport(),
        access_token=sandbox.access_token,
        phone_number_id=sandbox.phone_number_ids[0],
        retry=None,
        rate_limit=None,
    )
    transport = sandbox.transport()
    seen = []
    for _ in range(10):
        response = await transport.send(
            _raw(sandbox, "GET", f"/v23.0/{sandbox.phone_number_ids[1]}", token=sandbox.access_token)
        )
        seen.append(json.loads(response.headers["x-business-use-case-usage"])[waba][0]["call_count"])
    assert seen == [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    with pytest.raises(RateLimitError) as info:
        await client.two_step_verification.set_pin("135790")
    err = info.value
    assert (err.code, err.http_status, err.is_transient) == (80007, 400, True)
    usage = json.loads(err.headers["x-business-use-case-usage"])[waba][0]
    assert usage["call_count"] == 100
    assert usage["estimated_time_to_regain_access"] == 6  # one call drains in 360 s
    clock.advance(360)
    assert (await client.two_step_verification.set_pin("135790")).success
    clock.advance(HOUR)
    response = await transport.send(_raw(sandbox, "GET", f"/v23.0/{waba}", token=sandbox.access_token))
    assert json.loads(response.headers["x-business-use-case-usage"])[waba][0]["call_count"] == 10


async def test_app_budget_is_code_4(clock: VirtualClock) -> None:
    sandbox = Sandbox(phone_numbers=1, clock=clock, app_budget="3/1s")
    client = WhatsApp(
        transport=sandbox.transport(),
        access_token=sandbox.access_token,
        phone_number_id=sandbox.phone_number_ids[0],
        retry=None,
        rate_limit=None,
    )
    for _ in range(3):
        await client.phone_numbers.get()
    with pytest.raises(RateLimitError) as info:
        await client.phone_numbers.get()
    assert (info.value.code, info.value.http_status) == (4, 429)
    assert json.loads(info.value.headers["x-app-usage"])["call_count"] == 100
    clock.advance(1 / 3)
    assert (await client.phone_numbers.get()).id == sandbox.phone_number_ids[0]


# -- faults ------------------------------------------------------------------------------------


def _faulty(clock: VirtualClock, faults: FaultConfig | str) -> tuple[Sandbox, WhatsApp]:
    sandbox = Sandbox(phone_numbers=2, clock=clock, faults=faults)
    client = WhatsApp(
        transport=sandbox.transport(),
        access_token=sandbox.access_token,
        phone_number_id=sandbox.phone_number_ids[0],
        retry=None,
        rate_limit=None,
    )
    return sandbox, client


async def test_reset_after_applies_then_drops(clock: VirtualClock) -> None:
    sandbox, client = _faulty(clock, "set_pin.reset_after=1")
    with pytest.raises(APIConnectionError) as info:
        await client.two_step_verification.set_pin("135790")
    assert info.value.request_sent is True
    assert sandbox.state(sandbox.phone_number_ids[0]).pin == "135790"
    assert sandbox.request_log[-1].fault == "reset_after"
    assert sandbox.request_log[-1].status == 200
    # Other routes are untouched.
    assert (await client.phone_numbers.get()).id == sandbox.phone_number_ids[0]


async def test_reset_before_drops_without_applying(clock: VirtualClock) -> None:
    sandbox, client = _faulty(clock, FaultConfig(routes={"set_pin": FaultRates(reset_before=1.0)}))
    before = sandbox.state(sandbox.phone_number_ids[0]).pin
    with pytest.raises(APIConnectionError) as info:
        await client.two_step_verification.set_pin("135790")
    assert info.value.request_sent is True
    assert sandbox.state(sandbox.phone_number_ids[0]).pin == before
    entry = sandbox.request_log[-1]
    assert (entry.fault, entry.status, entry.params) == ("reset_before", None, None)


async def test_transient_faults_use_the_platform_statuses(clock: VirtualClock) -> None:
    sandbox, client = _faulty(clock, "transient=1,seed=5")
    seen = set()
    for _ in range(30):
        with pytest.raises(ServerError) as info:
            await client.two_step_verification.set_pin("135790")
        assert info.value.is_transient is True
        seen.add((info.value.code, info.value.http_status))
    assert seen == {(1, 400), (2, 503), (131000, 500)}
    assert sandbox.state(sandbox.phone_number_ids[0]).pin != "135790"


async def test_latency_uses_injected_sleep(clock: VirtualClock) -> None:
    sandbox, _ = _faulty(clock, "latency=250ms,jitter=0")
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    client = WhatsApp(
        transport=sandbox.transport(sleep=fake_sleep),
        access_token=sandbox.access_token,
        phone_number_id=sandbox.phone_number_ids[0],
        retry=None,
        rate_limit=None,
    )
    await client.two_step_verification.set_pin("135790")
    assert slept == [0.25]


async def test_latency_advances_a_virtual_clock(clock: VirtualClock) -> None:
    sandbox, client = _faulty(clock, "latency=2s,jitter=1s,seed=1")
    start = clock()
    await client.phone_numbers.get()
    assert 2.0 <= clock() - start < 3.0
    assert (sandbox.request_log[-1].fault or "").startswith("latency=")


async def test_slow_body_sleeps_per_chunk(clock: VirtualClock) -> None:
    sandbox, _ = _faulty(clock, "slow_body=1,slow_chunks=3,slow_chunk_delay=20ms")
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)

    client = WhatsApp(
        transport=sandbox.transport(sleep=fake_sleep),
        access_token=sandbox.access_token,
        phone_number_id=sandbox.phone_number_ids[0],
        retry=None,
        rate_limit=None,
    )
    assert (await client.phone_numbers.get()).id == sandbox.phone_number_ids[0]
    assert slept == [0.02, 0.02, 0.02]


async def test_faults_are_reproducible_per_seed(clock: VirtualClock) -> None:
    async def run(seed: int) -> list[str]:
        sandbox, client = _faulty(clock, f"transient=0.3,reset_before=0.2,reset_after=0.2,seed={seed}")
        for _ in range(40):
            try:
                await client.phone_numbers.get()
            except (APIConnectionError, GraphAPIError):
                pass
        return [e.fault or "-" for e in sandbox.request_log]

    first, again, other = await run(11), await run(11), await run(12)
    assert first == again
    assert first != other
    assert {"transient", "reset_before", "reset_after", "-"} == set(first)


# -- request log -------------------------------------------------------------------------------


async def test_request_log_redacts_pins_and_codes(sandbox: Sandbox, make_client: ClientFactory) -> None:
    client = make_client()
    await client.two_step_verification.set_pin("428915")
    await client.registration.register("428915")
    await client.phone_numbers.request_code()
    code = sandbox.state(sandbox.phone_number_ids[0]).verification_code
    assert code is not None
    await client.phone_numbers.verify_code(code)
    text = repr(sandbox.request_log)
    assert "428915" not in text and code not in text and sandbox.access_token not in text
    assert [e.route for e in sandbox.request_log] == ["set_pin", "register", "request_code", "verify_code"]
    assert sandbox.request_log[1].params == {"messaging_product": "whatsapp", "pin": "<redacted>"}


async def test_log_is_bounded(clock: VirtualClock) -> None:
    sandbox = Sandbox(phone_numbers=1, clock=clock, request_log_size=5)
    client = WhatsApp(
        transport=sandbox.transport(),
        access_token=sandbox.access_token,
        phone_number_id=sandbox.phone_number_ids[0],
        retry=None,
        rate_limit=None,
    )
    for _ in range(8):
        await client.phone_numbers.get()
    assert [e.seq for e in sandbox.request_log] == [4, 5, 6, 7, 8]


# -- Request.timeout on the in-process door ----------------------------------------------


async def test_request_timeout_cancels_a_call_stuck_in_latency_without_applying_it(
    clock: VirtualClock,
) -> None:
    sandbox = Sandbox(phone_numbers=1, clock=clock, faults="latency=1h")
    pid = sandbox.phone_number_ids[0]
    before = sandbox.state(pid).pin
    never = asyncio.Event()
    slept: list[float] = []

    async def stuck_sleep(seconds: float) -> None:
        slept.append(seconds)
        await never.wait()  # never set: only the request timeout can end this call

    transport = sandbox.transport(sleep=stuck_sleep)
    request = _raw(sandbox, "POST", f"/v23.0/{pid}", b'{"pin":"135790"}', token=sandbox.access_token)
    request = attrs.evolve(request, timeout=0.05)
    with pytest.raises(APITimeoutError) as info:
        await transport.send(request)
    assert info.value.request_sent is True
    assert slept == [3600.0]
    assert sandbox.state(pid).pin == before  # cancelled before the state machine ran, as over HTTP
    assert len(sandbox.request_log) == 0

    client = WhatsApp(
        transport=transport,
        access_token=sandbox.access_token,
        phone_number_id=pid,
        retry=None,
        rate_limit=None,
        timeout=0.05,
    )
    with pytest.raises(APITimeoutError):
        await client.two_step_verification.set_pin("135790")
    assert sandbox.state(pid).pin == before
    await client.aclose()


async def test_request_timeout_does_not_fire_when_the_answer_comes_in_time(clock: VirtualClock) -> None:
    sandbox = Sandbox(
        phone_numbers=1, clock=clock, faults="latency=2s,slow_body=1,slow_chunks=2,slow_chunk_delay=1s"
    )
    pid = sandbox.phone_number_ids[0]
    request = _raw(sandbox, "POST", f"/v23.0/{pid}", b'{"pin":"135790"}', token=sandbox.access_token)
    response = await sandbox.transport().send(attrs.evolve(request, timeout=30.0))
    assert response.status_code == 200
    assert sandbox.state(pid).pin == "135790"
    assert clock() == 1_000_004.0  # latency and chunks waited on the virtual clock, not the timeout's
