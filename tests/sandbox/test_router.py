"""Routing and the admin surface on the in-process door."""

from __future__ import annotations

import gc
import json
import logging

import aiohttp
import pytest

from meta_cloud_async import Request, Response, WhatsApp
from meta_cloud_async.sandbox import Sandbox, VirtualClock


async def _call(sandbox: Sandbox, method: str, path: str, body: bytes = b"") -> Response:
    headers = {"authorization": f"Bearer {sandbox.access_token}"}
    return await sandbox.transport().send(
        Request(method=method, url=f"http://h{path}", headers=headers, content=body)
    )


@pytest.mark.parametrize(
    ("method", "suffix", "route"),
    [
        ("POST", "{p}", "set_pin"),
        ("POST", "{p}/", "set_pin"),
        ("GET", "{p}", "get_phone_number"),
        ("GET", "{w}", "get_waba"),
        ("POST", "{p}/register", "register"),
        ("POST", "{p}/deregister", "deregister"),
        ("POST", "{p}/request_code", "request_code"),
        ("POST", "{p}/verify_code", "verify_code"),
        ("GET", "{w}/phone_numbers", "list_phone_numbers"),
        ("DELETE", "{p}", "other"),
        ("GET", "{p}/register", "other"),
        ("POST", "{p}/a/b", "other"),
    ],
)
def test_route_of(method: str, suffix: str, route: str) -> None:
    sandbox = Sandbox()
    path = "/v23.0/" + suffix.format(p=sandbox.phone_number_ids[0], w=sandbox.waba_ids[0])
    assert sandbox.router.route_of(method, path) == route
    assert sandbox.router.route_of("GET", "/_sandbox/requests") == "admin"


async def test_unsupported_method_on_a_known_number() -> None:
    sandbox = Sandbox()
    response = await _call(sandbox, "DELETE", f"/v23.0/{sandbox.phone_number_ids[0]}")
    error = response.json()["error"]
    assert (response.status_code, error["error_subcode"]) == (400, 33)
    assert error["message"].startswith("Unsupported delete request.")


async def test_bad_bodies() -> None:
    sandbox = Sandbox()
    pid = sandbox.phone_number_ids[0]
    for body in (b"{not json", b"[1,2]", b"\xff\xfe"):
        response = await _call(sandbox, "POST", f"/v23.0/{pid}", body)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == 100


async def test_admin_over_the_in_process_door() -> None:
    sandbox = Sandbox(phone_numbers=2, wabas=2)
    wabas = await _call(sandbox, "GET", "/_sandbox/wabas")
    assert wabas.json() == {"data": [{"id": w, "phone_numbers": 1} for w in sandbox.waba_ids]}
    clock = await _call(sandbox, "POST", "/_sandbox/clock", b'{"advance": 5}')
    assert clock.status_code == 400  # real clock: cannot be moved
    assert (await _call(sandbox, "GET", "/_sandbox/clock")).json()["now"] > 0
    assert (await _call(sandbox, "GET", "/_sandbox/nothing")).status_code == 404
    await _call(sandbox, "GET", f"/v23.0/{sandbox.phone_number_ids[0]}")
    assert (await _call(sandbox, "GET", "/_sandbox/requests?limit=0")).json() == {"data": []}
    assert len((await _call(sandbox, "GET", "/_sandbox/requests")).json()["data"]) == 1
    unauthorised = await sandbox.transport().send(
        Request(method="GET", url="http://h/_sandbox/phone_numbers")
    )
    assert unauthorised.status_code == 401


@pytest.mark.parametrize(
    ("authorization", "status"),
    [("bearer {t}", 200), ("Bearer  {t} ", 200), ("Basic {t}", 401), ("Bearer", 401), ("Bearer other", 401)],
)
async def test_authorization_header_forms(authorization: str, status: int) -> None:
    sandbox = Sandbox()
    request = Request(
        method="GET",
        url=f"http://h/v23.0/{sandbox.phone_number_ids[0]}",
        headers={"authorization": authorization.format(t=sandbox.access_token)},
    )
    response = await sandbox.transport().send(request)
    assert response.status_code == status
    if status == 401:
        assert response.json()["error"]["code"] == 190


# -- regressions: secrets in the request log, odd input, the admin clock ----------------

_PIN, _CODE = "424242", "123456"


async def _both_doors(
    sandbox: Sandbox, method: str, target: str, body: bytes = b"", headers: dict[str, str] | None = None
) -> list[tuple[int, dict[str, object]]]:
    """The same call through the in-process door and over HTTP: (status, JSON body) from each."""
    sent = {"authorization": f"Bearer {sandbox.access_token}"} if headers is None else headers
    inproc = await sandbox.transport().send(
        Request(method=method, url=f"http://h{target}", headers=sent, content=body)
    )
    async with (
        sandbox.serve() as base_url,
        aiohttp.ClientSession() as http,
        http.request(method, f"{base_url}{target}", headers=sent, data=body) as r,
    ):
        over_http = (r.status, await r.json(content_type=None))
    return [(inproc.status_code, inproc.json()), over_http]


def _logged_text(sandbox: Sandbox) -> str:
    return json.dumps([entry.to_dict() for entry in sandbox.router.log])


async def test_secrets_in_the_query_never_reach_the_request_log() -> None:
    sandbox = Sandbox(phone_numbers=1, clock=VirtualClock(0.0))
    pid = sandbox.phone_number_ids[0]
    token = sandbox.access_token
    await _call(sandbox, "POST", f"/v23.0/{pid}?pin={_PIN}")
    await _call(sandbox, "POST", f"/v23.0/{pid}/verify_code?code={_CODE}")
    await _call(sandbox, "POST", f"/v23.0/{pid}/register?messaging_product=whatsapp&Pin={_PIN}&pin={_PIN}")
    # Percent-encoded key names are the same keys once decoded, and no header at all: the query token is used.
    for query in (f"access%5Ftoken={token}", f"%61ccess_token={token}", f"access_token={token}&pin={_PIN}"):
        response = await sandbox.transport().send(Request(method="GET", url=f"http://h/v23.0/{pid}?{query}"))
        assert response.status_code == 200
    logged = _logged_text(sandbox)
    assert len(sandbox.router.log) == 6
    for secret in (_PIN, _CODE, token):
        assert secret not in logged
    assert "<redacted>" in logged
    admin = await _call(sandbox, "GET", "/_sandbox/requests")
    assert admin.status_code == 200
    admin_text = admin.content.decode()
    for secret in (_PIN, _CODE, token):
        assert secret not in admin_text
    # The same over HTTP.
    sandbox.router.log.clear()
    async with sandbox.serve() as base_url, aiohttp.ClientSession() as http:
        async with http.post(
            f"{base_url}/v23.0/{pid}?pin={_PIN}", headers={"Authorization": f"Bearer {token}"}
        ):
            pass
        async with http.get(f"{base_url}/v23.0/{pid}?access%5Ftoken={token}") as r:
            assert r.status == 200
        async with http.get(
            f"{base_url}/_sandbox/requests", headers={"Authorization": f"Bearer {token}"}
        ) as r:
            admin_text = await r.text()
    assert len(json.loads(admin_text)["data"]) == 2
    for secret in (_PIN, token):
        assert secret not in admin_text


async def test_secrets_inside_lists_in_a_json_body_are_redacted() -> None:
    sandbox = Sandbox(phone_numbers=1)
    pid = sandbox.phone_number_ids[0]
    body = json.dumps(
        {"pin": _PIN, "extra": [{"pin": _PIN}, {"nested": [{"code": _CODE}]}, "plain"]}
    ).encode()
    await sandbox.transport().send(
        Request(
            method="POST",
            url=f"http://h/v23.0/{pid}",
            content=body,
            headers={"authorization": f"Bearer {sandbox.access_token}", "content-type": "application/json"},
        )
    )
    params = sandbox.router.log[-1].params
    assert params is not None
    # Nested values are summarised, never kept: nothing inside them can reach the log.
    assert params == {"pin": "<redacted>", "extra": "<list of 3 items>"}
    assert _PIN not in _logged_text(sandbox) and _CODE not in _logged_text(sandbox)


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        (
            "POST",
            "{p}/register",
            b'{"messaging_product":"whatsapp","pin":"424242","data_localization_region":["DE"]}',
        ),
        (
            "POST",
            "{p}/register",
            b'{"messaging_product":"whatsapp","pin":"424242","data_localization_region":{}}',
        ),
        ("GET", "{w}/phone_numbers?limit=%C2%B2", b""),  # "²": str.isdigit() says yes, int() says no
        ("GET", "{p}?fields=id&fields=%C2%B2", b""),
        ("POST", "{p}", b'{"pin":["424242"]}'),
        ("GET", "{p}", b""),  # path with a superscript version below
    ],
)
async def test_odd_input_is_a_graph_error_and_both_doors_agree(method: str, suffix: str, body: bytes) -> None:
    sandbox = Sandbox(phone_numbers=1, clock=VirtualClock(0.0))
    target = "/v23.0/" + suffix.format(p=sandbox.phone_number_ids[0], w=sandbox.waba_ids[0])
    if suffix == "{p}" and not body:
        target = f"/v2\u00b3.0/{sandbox.phone_number_ids[0]}"
    results = await _both_doors(
        sandbox,
        method,
        target,
        body,
        {
            "authorization": f"Bearer {sandbox.access_token}",
            "content-type": "application/json",
        },
    )
    (status_in, body_in), (status_http, body_http) = results
    assert status_in == status_http
    assert status_in < 500
    error_in, error_http = body_in["error"], body_http["error"]
    assert isinstance(error_in, dict) and isinstance(error_http, dict)
    assert error_in["code"] == error_http["code"]
    assert error_in["code"] in (100, 2500)


async def test_admin_requests_limit_with_a_superscript_digit() -> None:
    sandbox = Sandbox(phone_numbers=1)
    await _call(sandbox, "GET", f"/v23.0/{sandbox.phone_number_ids[0]}")
    (status_in, body_in), (status_http, body_http) = await _both_doors(
        sandbox, "GET", "/_sandbox/requests?limit=%C2%B2"
    )
    assert status_in == status_http == 200
    assert len(body_in["data"]) == 1  # type: ignore[arg-type]
    assert body_http["data"] == body_in["data"]


async def test_an_unexpected_exception_is_a_graph_500_without_secrets(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox = Sandbox(phone_numbers=1)
    pid = sandbox.phone_number_ids[0]

    class Boom(Exception):
        pass

    def explode(*_: object) -> None:
        raise Boom(f"secret pin {_PIN}")

    monkeypatch.setattr(sandbox.router.business, "set_pin", explode)
    monkeypatch.setattr(sandbox.router, "_on_reset", explode)
    caplog.set_level(logging.ERROR, logger="meta_cloud_async.sandbox.router")
    results = await _both_doors(
        sandbox,
        "POST",
        f"/v23.0/{pid}",
        json.dumps({"pin": _PIN}).encode(),
        {"authorization": f"Bearer {sandbox.access_token}", "content-type": "application/json"},
    )
    admin = await _both_doors(sandbox, "POST", "/_sandbox/reset")
    for status, body in (*results, *admin):
        assert status == 500
        error = body["error"]
        assert isinstance(error, dict)
        assert error["code"] == 1
    assert len(sandbox.router.log) == 2 and sandbox.router.log[-1].status == 500
    assert caplog.records and all(_PIN not in r.getMessage() for r in caplog.records)
    assert "Boom" in caplog.text


@pytest.mark.parametrize("advance", ["NaN", "Infinity", "-Infinity", "-1", '"nan"', '"-5"'])
async def test_admin_clock_refuses_nan_infinite_and_negative(advance: str) -> None:
    clock = VirtualClock(100.0)
    sandbox = Sandbox(phone_numbers=1, clock=clock)
    body = f'{{"advance": {advance}}}'.encode()
    for status, answer in await _both_doors(sandbox, "POST", "/_sandbox/clock", body):
        assert status == 400
        error = answer["error"]
        assert isinstance(error, dict) and error["code"] == 100
    assert clock() == 100.0
    ok = await _call(sandbox, "POST", "/_sandbox/clock", b'{"advance": 2.5}')
    assert ok.json() == {"now": 102.5}


async def test_deeply_nested_json_body_is_a_400_code_100() -> None:
    sandbox = Sandbox()
    pid = sandbox.phone_number_ids[0]
    for body in (b"[" * 100_000, b'{"pin":' * 100_000):
        response = await _call(sandbox, "POST", f"/v23.0/{pid}", body)
        assert response.status_code == 400
        error = response.json()["error"]
        assert (error["code"], error["type"]) == (100, "OAuthException")
    virtual = Sandbox(clock=VirtualClock())
    response = await _call(virtual, "POST", "/_sandbox/clock", b"[" * 100_000)
    assert (response.status_code, response.json()["error"]["code"]) == (400, 100)


async def test_the_request_log_keeps_names_and_capped_values_never_bodies() -> None:
    """Authenticated 1 MiB bodies used to add ~1 MB each to the log; now each entry stays small."""
    sandbox = Sandbox(phone_numbers=1)
    pid = sandbox.phone_number_ids[0]
    big = "x" * (1 << 20)
    body = json.dumps(
        {"pin": big, "data_localization_region": big, "blob": {"k": big}, "items": [big], "n": 10**70}
        | {f"p{i}": i for i in range(40)}
    ).encode()
    for _ in range(20):
        await _call(sandbox, "POST", f"/v23.0/{pid}?q={big[:10_000]}", body)
    entries = sandbox.request_log
    assert len(entries) == 20
    params = entries[-1].params
    assert params is not None and len(params) == 33 and params["<more>"] == "14 more parameters not kept"
    assert params["pin"] == "<redacted>"
    assert params["data_localization_region"] == "x" * 64 + f"...(+{(1 << 20) - 64} chars)"
    assert (params["blob"], params["items"]) == ("<object with 1 keys>", "<list of 1 items>")
    assert str(params["n"]).startswith("1000") and len(str(params["n"])) < 100
    assert len(entries[-1].query) < 600
    assert all(len(repr(entry)) < 4000 for entry in entries)  # was > 3 MiB each


async def test_the_versions_remembered_are_bounded() -> None:
    sandbox = Sandbox(phone_numbers=1)
    pid = sandbox.phone_number_ids[0]
    for major in range(200):
        response = await _call(sandbox, "GET", f"/v{major}.{major % 7}/{pid}")
        assert response.status_code == 200
        assert response.headers["facebook-api-version"] == f"v{major}.{major % 7}"
    assert len(sandbox.router._versions) == 64
    # An absurd version is an unknown path, not one more entry.
    response = await _call(sandbox, "GET", f"/v{'9' * 5000}.0/{pid}")
    assert response.json()["error"]["code"] == 2500


async def test_log_rows_are_not_tracked_by_the_collector_and_read_back_as_entries() -> None:
    sandbox = Sandbox(phone_numbers=2, seed=3)
    wa = WhatsApp(
        access_token=sandbox.access_token, base_url="http://sandbox.invalid", transport=sandbox.transport()
    )
    pid = sandbox.phone_number_ids[0]
    await wa.with_options(phone_number_id=pid).two_step_verification.set_pin("135791")
    # Rows hold only scalars and tuples of scalars, so the collector can drop them from tracking.
    for row in sandbox.router.log._rows:
        assert not any(gc.is_tracked(x) for x in row if not isinstance(x, tuple))
        assert all(not gc.is_tracked(v) for pair in (row[-1] or ()) for v in pair)
    entry = sandbox.router.log[-1]
    assert entry == sandbox.request_log[-1] and entry.params is not None and "135791" not in str(entry.params)
    assert entry.status == 200 and isinstance(entry.params, dict)
    await wa.aclose()
