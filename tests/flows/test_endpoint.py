"""The Flow endpoint: Meta's encryption both ways, its status codes, routing, and the two doors."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from meta_cloud_async.flows import (
    DecryptionError,
    FlowEndpoint,
    FlowRequest,
    FlowTokenInvalid,
    complete,
    decrypt_response,
    encrypt_request,
    flip_iv,
    generate_key_pair,
    next_screen,
    signature_header,
)

APP_SECRET = "app-secret-for-tests-0123456789"
PASSPHRASE = "correct horse battery"


@pytest.fixture(scope="module")
def keys() -> tuple[str, str]:
    return generate_key_pair(PASSPHRASE)


@pytest.fixture
def endpoint(keys: tuple[str, str]) -> FlowEndpoint:
    ep = FlowEndpoint(private_key=keys[0], passphrase=PASSPHRASE, app_secret=APP_SECRET)

    @ep.on_init
    def init(request: FlowRequest) -> dict[str, Any]:
        return next_screen("MY_SCREEN", {"greeting": "Hey there!"})

    @ep.on_data_exchange("MY_SCREEN")
    async def my_screen(request: FlowRequest) -> dict[str, Any]:
        assert request.flow_token is not None
        return complete(request.flow_token, name=request.data.get("name"))

    @ep.on_data_exchange()
    def any_screen(request: FlowRequest) -> dict[str, Any]:
        return next_screen("FALLBACK", {"from": request.screen})

    @ep.on_back("MY_SCREEN")
    def back(request: FlowRequest) -> dict[str, Any]:
        return next_screen("START")

    return ep


def meta_request(public_pem: str, payload: dict[str, Any]) -> tuple[dict[str, str], bytes, bytes, bytes]:
    body, aes_key, iv = encrypt_request(public_pem, payload)
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature_header(APP_SECRET, body)}
    return headers, body, aes_key, iv


async def roundtrip(endpoint: FlowEndpoint, public_pem: str, payload: dict[str, Any]) -> tuple[int, Any]:
    headers, body, aes_key, iv = meta_request(public_pem, payload)
    status, _, answer = await endpoint.handle("POST", headers, body)
    if status != 200:
        return status, answer
    return status, decrypt_response(answer, aes_key, iv)


async def test_round_trip_init(endpoint: FlowEndpoint, keys: tuple[str, str]) -> None:
    status, answer = await roundtrip(
        endpoint, keys[1], {"version": "3.0", "action": "INIT", "flow_token": "tok-1"}
    )
    assert status == 200
    assert answer == {"screen": "MY_SCREEN", "data": {"greeting": "Hey there!"}}


async def test_answer_is_base64_under_the_flipped_iv(endpoint: FlowEndpoint, keys: tuple[str, str]) -> None:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    headers, body, aes_key, iv = meta_request(keys[1], {"version": "3.0", "action": "ping"})
    status, out_headers, answer = await endpoint.handle("POST", headers, body)
    assert status == 200 and out_headers["content-type"].startswith("text/plain")
    raw = base64.b64decode(answer, validate=True)
    assert flip_iv(iv) == bytes(b ^ 0xFF for b in iv) and flip_iv(iv) != iv
    assert json.loads(AESGCM(aes_key).decrypt(flip_iv(iv), raw, None)) == {"data": {"status": "active"}}
    with pytest.raises(InvalidTag):  # the unflipped IV must not open it
        AESGCM(aes_key).decrypt(iv, raw, None)


async def test_routing_by_action_and_screen(endpoint: FlowEndpoint, keys: tuple[str, str]) -> None:
    base = {"version": "3.0", "flow_token": "tok-2"}
    status, answer = await roundtrip(
        endpoint, keys[1], {**base, "action": "data_exchange", "screen": "MY_SCREEN", "data": {"name": "Ana"}}
    )
    assert status == 200
    assert answer == {
        "screen": "SUCCESS",
        "data": {"extension_message_response": {"params": {"flow_token": "tok-2", "name": "Ana"}}},
    }
    _, answer = await roundtrip(endpoint, keys[1], {**base, "action": "data_exchange", "screen": "OTHER"})
    assert answer == {"screen": "FALLBACK", "data": {"from": "OTHER"}}
    _, answer = await roundtrip(endpoint, keys[1], {**base, "action": "BACK", "screen": "MY_SCREEN"})
    assert answer == {"screen": "START", "data": {}}
    status, _ = await roundtrip(endpoint, keys[1], {**base, "action": "BACK", "screen": "OTHER"})
    assert status == 500


async def test_ping_answered_without_a_handler(keys: tuple[str, str]) -> None:
    bare = FlowEndpoint(private_key=keys[0], passphrase=PASSPHRASE, app_secret=APP_SECRET)
    status, answer = await roundtrip(bare, keys[1], {"version": "3.0", "action": "ping"})
    assert (status, answer) == (200, {"data": {"status": "active"}})


async def test_error_notification_acknowledged_or_routed(
    endpoint: FlowEndpoint, keys: tuple[str, str]
) -> None:
    payload = {
        "version": "3.0",
        "flow_token": "tok-3",
        "action": "data_exchange",
        "screen": "MY_SCREEN",
        "data": {"error": "INVALID_SCREEN_TRANSITION", "error_message": "screen X is not reachable"},
    }
    assert await roundtrip(endpoint, keys[1], payload) == (200, {"data": {"acknowledged": True}})
    seen: list[str] = []

    @endpoint.on_error
    def record(request: FlowRequest) -> dict[str, Any]:
        seen.append(request.data["error"])
        return {"data": {"acknowledged": True}}

    await roundtrip(endpoint, keys[1], payload)
    assert seen == ["INVALID_SCREEN_TRANSITION"]


async def test_bad_signature_refused(endpoint: FlowEndpoint, keys: tuple[str, str]) -> None:
    headers, body, _, _ = meta_request(keys[1], {"version": "3.0", "action": "ping"})
    wrong = dict(headers, **{"X-Hub-Signature-256": signature_header("not-the-secret", body)})
    assert (await endpoint.handle("POST", wrong, body))[0] == 432
    missing = {"Content-Type": "application/json"}
    assert (await endpoint.handle("POST", missing, body))[0] == 432
    tampered = body.replace(b'"initial_vector"', b'"initial_vector" ')
    assert (await endpoint.handle("POST", headers, tampered))[0] == 432


async def test_undecryptable_body_answered_421(
    endpoint: FlowEndpoint, keys: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    _, other_public = generate_key_pair()
    body, _, _ = encrypt_request(other_public, {"version": "3.0", "action": "ping"})
    headers = {"X-Hub-Signature-256": signature_header(APP_SECRET, body)}
    with caplog.at_level(logging.DEBUG, logger="meta_cloud_async.flows"):
        assert (await endpoint.handle("POST", headers, body))[0] == 421
    # A flipped bit in the sealed data fails GCM authentication: also 421.
    good, _, _ = encrypt_request(keys[1], {"version": "3.0", "action": "ping"})
    envelope = json.loads(good)
    sealed = bytearray(base64.b64decode(envelope["encrypted_flow_data"]))
    sealed[0] ^= 1
    envelope["encrypted_flow_data"] = base64.b64encode(bytes(sealed)).decode()
    tampered = json.dumps(envelope).encode()
    assert (
        await endpoint.handle(
            "POST", {"x-hub-signature-256": signature_header(APP_SECRET, tampered)}, tampered
        )
    )[0] == 421
    envelope["initial_vector"] = "not base64!"
    bad = json.dumps(envelope).encode()
    assert (await endpoint.handle("POST", {"x-hub-signature-256": signature_header(APP_SECRET, bad)}, bad))[
        0
    ] == 421
    assert APP_SECRET not in caplog.text and "PRIVATE KEY" not in caplog.text


async def test_malformed_envelope_and_method(endpoint: FlowEndpoint) -> None:
    body = b"[1, 2]"
    assert (await endpoint.handle("POST", {"x-hub-signature-256": signature_header(APP_SECRET, body)}, body))[
        0
    ] == 400
    status, headers, _ = await endpoint.handle("GET", {}, b"")
    assert status == 405 and headers["allow"] == "POST"


async def test_flow_token_invalid_answers_427(endpoint: FlowEndpoint, keys: tuple[str, str]) -> None:
    @endpoint.on_data_exchange("DONE")
    def done(request: FlowRequest) -> dict[str, Any]:
        raise FlowTokenInvalid("The order has already been placed")

    status, body = await roundtrip(
        endpoint, keys[1], {"version": "3.0", "action": "data_exchange", "screen": "DONE", "flow_token": "t"}
    )
    assert status == 427
    assert json.loads(body) == {"error_msg": "The order has already been placed"}


async def test_failing_handler_answers_500_without_leaking(
    endpoint: FlowEndpoint, keys: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    @endpoint.on_data_exchange("BOOM")
    def boom(request: FlowRequest) -> dict[str, Any]:
        raise RuntimeError("kaboom")

    with caplog.at_level(logging.ERROR, logger="meta_cloud_async.flows"):
        status, body = await roundtrip(
            endpoint, keys[1], {"version": "3.0", "action": "data_exchange", "screen": "BOOM"}
        )
    assert status == 500 and b"kaboom" not in body


def test_construction_checks_and_repr(keys: tuple[str, str]) -> None:
    with pytest.raises(ValueError, match="app_secret"):
        FlowEndpoint(private_key=keys[0], passphrase=PASSPHRASE, app_secret="")
    with pytest.raises(ValueError, match="passphrase") as info:
        FlowEndpoint(private_key=keys[0], passphrase="wrong", app_secret=APP_SECRET)
    assert "PRIVATE" not in str(info.value)
    with pytest.raises(ValueError, match="private_key"):
        FlowEndpoint(private_key="not a key", app_secret=APP_SECRET)
    ep = FlowEndpoint(private_key=keys[0], passphrase=PASSPHRASE, app_secret=APP_SECRET)
    ep.on_init(lambda r: next_screen("A"))
    with pytest.raises(ValueError, match="already registered"):
        ep.on_init(lambda r: next_screen("B"))
    assert APP_SECRET not in repr(ep) and PASSPHRASE not in repr(ep) and "KEY" not in repr(ep)


def test_key_pair_without_passphrase_and_decrypt_response_errors() -> None:
    private, public = generate_key_pair()
    assert private.startswith("-----BEGIN PRIVATE KEY-----")
    assert public.startswith("-----BEGIN PUBLIC KEY-----")
    FlowEndpoint(private_key=private.encode(), app_secret=b"s")
    with pytest.raises(DecryptionError):
        decrypt_response("AAAA", b"k" * 16, b"i" * 16)


async def test_aiohttp_adapter_live(
    endpoint: FlowEndpoint, keys: tuple[str, str], serve_app: Callable[..., Any]
) -> None:
    headers, body, aes_key, iv = meta_request(
        keys[1], {"version": "3.0", "action": "INIT", "flow_token": "t"}
    )
    async with serve_app(endpoint.aiohttp_app(path="/flow")) as base, aiohttp.ClientSession() as session:
        async with session.post(f"{base}/flow", data=body, headers=headers) as resp:
            assert resp.status == 200
            answer = decrypt_response(await resp.text(), aes_key, iv)
        async with session.post(
            f"{base}/flow", data=body, headers={"X-Hub-Signature-256": "sha256=00"}
        ) as resp:
            assert resp.status == 432
        async with session.get(f"{base}/flow") as resp:
            assert resp.status == 405
    assert answer == {"screen": "MY_SCREEN", "data": {"greeting": "Hey there!"}}


async def _asgi_call(
    app: Callable[..., Awaitable[None]], method: str, path: str, headers: dict[str, str], body: bytes
) -> tuple[int, bytes]:
    messages = [
        {"type": "http.request", "body": body[:10], "more_body": True},
        {"type": "http.request", "body": body[10:], "more_body": False},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
    }
    await app(scope, receive, send)
    return sent[0]["status"], sent[1]["body"]


async def test_asgi_adapter(endpoint: FlowEndpoint, keys: tuple[str, str]) -> None:
    app = endpoint.asgi_app(path="/flow")
    headers, body, aes_key, iv = meta_request(keys[1], {"version": "3.0", "action": "ping"})
    status, answer = await _asgi_call(app, "POST", "/flow", headers, body)
    assert status == 200 and decrypt_response(answer, aes_key, iv) == {"data": {"status": "active"}}
    assert (await _asgi_call(app, "POST", "/elsewhere", headers, body))[0] == 404
    lifespan = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]
    replies: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return lifespan.pop(0)

    async def send(message: dict[str, Any]) -> None:
        replies.append(message)

    await app({"type": "lifespan"}, receive, send)
    assert [r["type"] for r in replies] == ["lifespan.startup.complete", "lifespan.shutdown.complete"]
