"""Routing and the admin surface on the in-process door."""

from __future__ import annotations

import pytest

from meta_cloud_async import Request, Response
from meta_cloud_async.sandbox import Sandbox


async def _call(sandbox: Sandbox, method: str, path: str, body: bytes = b"") -> Response:
    headers = {"authorization": f"Bearer {sandbox.access_token}"}
    return await sandbox.transport().send(Request(method=method, url=f"http://h{path}", headers=headers, content=body))


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
    unauthorised = await sandbox.transport().send(Request(method="GET", url="http://h/_sandbox/phone_numbers"))
    assert unauthorised.status_code == 401


@pytest.mark.parametrize(
    ("authorization", "status"),
    [("bearer {t}", 200), ("Bearer  {t} ", 200), ("Basic {t}", 401), ("Bearer", 401), ("Bearer other", 401)],
)
async def test_authorization_header_forms(authorization: str, status: int) -> None:
    sandbox = Sandbox()
    request = Request(
        method="GET", url=f"http://h/v23.0/{sandbox.phone_number_ids[0]}",
        headers={"authorization": authorization.format(t=sandbox.access_token)},
    )
    response = await sandbox.transport().send(request)
    assert response.status_code == status
    if status == 401:
        assert response.json()["error"]["code"] == 190
