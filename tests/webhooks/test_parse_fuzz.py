"""Mutated, truncated and arbitrary bodies: only WebhookPayloadError ever escapes parse_webhook."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meta_cloud_async.webhooks import WebhookPayload, WebhookPayloadError, parse_webhook

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_bytes(name: str) -> bytes:
    """One of our fixture bodies (built from Meta's documented shapes), as raw bytes."""
    return (FIXTURES / f"{name}.json").read_bytes()


BODIES = [p.read_bytes() for p in sorted(FIXTURES.glob("*.json"))]
DOCS = [json.loads(b) for b in BODIES]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*prefix, i))
    return out


def _replace(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        copy = dict(node)
        copy[head] = _replace(node[head], rest, value)
        return copy
    copy_list = list(node)
    copy_list[head] = _replace(node[head], rest, value)
    return copy_list


def _only_payload_error(body: bytes | str) -> None:
    try:
        result = parse_webhook(body)
    except WebhookPayloadError:
        return
    assert isinstance(result, WebhookPayload)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(DOCS) - 1), st.data(), json_values)
def test_replacing_any_node_with_any_json_value(index: int, data: st.DataObject, value: Any) -> None:
    doc = DOCS[index]
    paths = _paths(doc)
    path = data.draw(st.sampled_from(paths))
    _only_payload_error(json.dumps(_replace(doc, path, value)))


@settings(max_examples=300)
@given(st.integers(0, len(BODIES) - 1), st.data())
def test_truncated_bodies(index: int, data: st.DataObject) -> None:
    body = BODIES[index]
    cut = data.draw(st.integers(0, len(body)))
    _only_payload_error(body[:cut])


@settings(max_examples=300)
@given(st.integers(0, len(BODIES) - 1), st.data())
def test_byte_flips(index: int, data: st.DataObject) -> None:
    body = bytearray(BODIES[index])
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(body) - 1))
        body[pos] = data.draw(st.integers(0, 255))
    _only_payload_error(bytes(body))


@settings(max_examples=200)
@given(json_values)
def test_arbitrary_json(value: Any) -> None:
    _only_payload_error(json.dumps(value))


@settings(max_examples=100)
@given(st.binary(max_size=64))
def test_arbitrary_bytes(body: bytes) -> None:
    _only_payload_error(body)


def test_deep_nesting_and_non_json_are_payload_errors() -> None:
    for body in (b"[" * 100_000, b"", b"not json", b"\xff\xfe", b'{"entry": 5}', b"[]", b'{"entry": [1]}'):
        try:
            parse_webhook(body)
        except WebhookPayloadError as exc:
            assert isinstance(exc, ValueError)
        else:
            raise AssertionError(body[:20])


_kinds = st.sampled_from(["message", "status", "call", "group"])


@settings(max_examples=150)
@given(st.lists(st.lists(st.lists(_kinds, max_size=5), max_size=4), max_size=4))
def test_batched_entries_changes_items_all_come_out_in_order(shape: list[list[list[str]]]) -> None:
    """Every entry x change x item becomes one event, in the order sent (no entry[0] shortcut)."""
    expected: list[tuple[str, str]] = []
    entries = []
    n = 0
    for e, changes in enumerate(shape):
        out_changes = []
        for c, items in enumerate(changes):
            value: dict[str, Any] = {"metadata": {"phone_number_id": f"pn-{e}-{c}"}}
            for kind in items:
                n += 1
                key = f"id-{n}"
                if kind == "message":
                    value.setdefault("messages", []).append(
                        {"from": "1", "id": key, "timestamp": "1", "type": "text", "text": {"body": key}}
                    )
                elif kind == "status":
                    value.setdefault("statuses", []).append(
                        {"id": key, "status": "read", "recipient_id": "1"}
                    )
                elif kind == "call":
                    value.setdefault("calls", []).append(
                        {"id": key, "event": "connect", "from": "1", "to": "2"}
                    )
                else:
                    value.setdefault("groups", []).append({"group_id": key, "type": "group_create"})
            # Items come out grouped by their key, in the order the keys appear in the value.
            for group_key, group_items in value.items():
                if group_key != "metadata":
                    attr = "group_id" if group_key == "groups" else "id"
                    expected.extend((f"pn-{e}-{c}", item[attr]) for item in group_items)
            if not items:
                expected.append((f"pn-{e}-{c}", "<unknown>"))
            out_changes.append({"field": "messages", "value": value})
        entries.append({"id": f"waba-{e}", "changes": out_changes})
    events = parse_webhook(json.dumps({"object": "whatsapp_business_account", "entry": entries})).events
    got = [
        (ev.phone_number_id, getattr(ev, "id", None) or getattr(ev, "group_id", None) or "<unknown>")
        for ev in events
    ]
    assert got == expected
