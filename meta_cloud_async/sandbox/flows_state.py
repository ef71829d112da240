"""WhatsApp Flows per WABA for the sandbox: DRAFT → PUBLISHED → DEPRECATED, and Flow JSON checks.

Plain Python, no I/O, like the rest of the sandbox's state: methods take
``now`` and return Graph-shaped dicts or raise :class:`~.envelope.GraphError`.

Transitions (Meta's Flows state machine, its 139xxx codes on refusal)::

    create ──> DRAFT ──publish──> PUBLISHED ──deprecate──> DEPRECATED
               │  ▲ update JSON / metadata      (JSON frozen)          (final)
               └──┘ delete (DRAFT only)

``update_json`` answers ``{"success": true, "validation_errors": [...]}`` like
Meta: a Flow JSON that does not parse, or breaks a structural rule, is stored
with its errors, each with line and column spans (1-based) and a path, and a
flow with errors cannot be published. The checks are the sandbox's own, a
subset of Meta's (the top-level shape, screens, layouts, terminal screens,
routing model); see docs/sandbox.md.
"""

from __future__ import annotations

import bisect
import json
import random
import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from .envelope import GraphError

__all__ = ["FLOW_CATEGORIES", "FlowsState", "validate_flow_json"]

FLOW_CATEGORIES = frozenset(
    {
        "SIGN_UP",
        "SIGN_IN",
        "APPOINTMENT_BOOKING",
        "LEAD_GENERATION",
        "CONTACT_US",
        "CUSTOMER_SUPPORT",
        "SURVEY",
        "OTHER",
    }
)
_TOP_LEVEL = frozenset({"version", "screens", "data_api_version", "routing_model", "data_channel_uri"})
_SCREEN_ID = re.compile(r"[A-Za-z_]+")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_WS = " \t\n\r"


# -- positions in the JSON text ---------------------------------------------------------------


class _Spans:
    """Where each value (and each object key) sits in the text, by path like ``screens[0].id``."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.values: dict[str, tuple[int, int]] = {}
        self.keys: dict[str, tuple[int, int]] = {}
        self._lines = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        self._parse(self._skip(0), "")

    def _string_end(self, i: int) -> int:
        """Offset just past the string whose opening quote is at ``i``."""
        i += 1
        while self.text[i] != '"':
            i += 2 if self.text[i] == "\\" else 1
        return i + 1

    def _skip(self, i: int) -> int:
        while i < len(self.text) and self.text[i] in _WS:
            i += 1
        return i

    def _parse(self, i: int, path: str) -> int:
        ch = self.text[i]
        start = i
        if ch == "{":
            i = self._skip(i + 1)
            while self.text[i] != "}":
                key_start = i
                i = self._string_end(i)
                key = json.loads(self.text[key_start:i])
                child = f"{path}.{key}" if path else key
                self.keys[child] = (key_start, i)
                i = self._skip(self._skip(i) + 1)  # past ':'
                i = self._skip(self._parse(i, child))
                if self.text[i] == ",":
                    i = self._skip(i + 1)
            i += 1
        elif ch == "[":
            i = self._skip(i + 1)
            index = 0
            while self.text[i] != "]":
                i = self._skip(self._parse(i, f"{path}[{index}]"))
                index += 1
                if self.text[i] == ",":
                    i = self._skip(i + 1)
            i += 1
        elif ch == '"':
            i = self._string_end(i)
        else:
            for literal in ("true", "false", "null"):
                if self.text.startswith(literal, i):
                    i += len(literal)
                    break
            else:
                match = _NUMBER.match(self.text, i)
                assert match is not None, "the text was parsed by json first"
                i = match.end()
        self.values[path] = (start, i)
        return i

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._lines, offset)
        return line, offset - self._lines[line - 1] + 1

    def error(self, code: str, message: str, path: str, *, at_key: bool = False) -> dict[str, Any]:
        span = (self.keys.get(path) if at_key else None) or self.values.get(path) or (0, 1)
        (line_start, column_start), (line_end, column_end) = (
            self.position(span[0]),
            self.position(span[1] - 1),
        )
        return {
            "error": code,
            "error_type": "FLOW_JSON_ERROR",
            "message": message,
            "line_start": line_start,
            "line_end": line_end,
            "column_start": column_start,
            "column_end": column_end + 1,
            "pointers": [
                {
                    "line_start": line_start,
                    "line_end": line_end,
                    "column_start": column_start,
                    "column_end": column_end + 1,
                    "path": path,
                }
            ],
        }


def validate_flow_json(text: str) -> list[dict[str, Any]]:
    """Meta-shaped ``validation_errors`` for a Flow JSON text (empty when it passes our checks)."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        return [
            {
                "error": "INVALID_JSON",
                "error_type": "JSON_SCHEMA_ERROR",
                "message": f"Invalid JSON: {exc.msg}",
                "line_start": exc.lineno,
                "line_end": exc.lineno,
                "column_start": exc.colno,
                "column_end": exc.colno + 1,
                "pointers": [],
            }
        ]
    spans = _Spans(text)
    errors: list[dict[str, Any]] = []

    def fail(code: str, message: str, path: str, *, at_key: bool = False) -> None:
        errors.append(spans.error(code, message, path, at_key=at_key))

    if not isinstance(document, dict):
        fail("INVALID_PROPERTY_VALUE", "The Flow JSON must be an object.", "")
        return errors
    for key in document:
        if key not in _TOP_LEVEL:
            fail("INVALID_PROPERTY", f"Property '{key}' is not allowed at the top level.", key, at_key=True)
    if not isinstance(document.get("version"), str):
        fail(
            "MISSING_REQUIRED_PROPERTY" if "version" not in document else "INVALID_PROPERTY_VALUE",
            "Property 'version' is required and must be a string.",
            "version" if "version" in document else "",
        )
    screens = document.get("screens")
    if not isinstance(screens, list) or not screens:
        fail(
            "MISSING_REQUIRED_PROPERTY" if "screens" not in document else "INVALID_PROPERTY_VALUE",
            "Property 'screens' must be a non-empty array.",
            "screens" if "screens" in document else "",
        )
        return errors
    ids: list[str] = []
    terminal = False
    for i, screen in enumerate(screens):
        path = f"screens[{i}]"
        if not isinstance(screen, dict):
            fail("INVALID_PROPERTY_VALUE", "A screen must be an object.", path)
            continue
        screen_id = screen.get("id")
        if not isinstance(screen_id, str) or not _SCREEN_ID.fullmatch(screen_id):
            fail(
                "INVALID_PROPERTY_VALUE" if "id" in screen else "MISSING_REQUIRED_PROPERTY",
                "A screen 'id' is required: letters and underscores only.",
                f"{path}.id" if "id" in screen else path,
            )
        elif screen_id == "SUCCESS":
            fail("INVALID_PROPERTY_VALUE", "The screen id 'SUCCESS' is reserved.", f"{path}.id")
        elif screen_id in ids:
            fail("DUPLICATE_SCREEN_ID", f"The screen id '{screen_id}' is used more than once.", f"{path}.id")
        else:
            ids.append(screen_id)
        if screen.get("terminal") is True:
            terminal = True
        elif "terminal" in screen and not isinstance(screen["terminal"], bool):
            fail("INVALID_PROPERTY_VALUE", "Property 'terminal' must be a boolean.", f"{path}.terminal")
        layout = screen.get("layout")
        if not isinstance(layout, dict):
            fail(
                "MISSING_REQUIRED_PROPERTY" if "layout" not in screen else "INVALID_PROPERTY_VALUE",
                "A screen needs a 'layout' object.",
                f"{path}.layout" if "layout" in screen else path,
            )
            continue
        if layout.get("type") != "SingleColumnLayout":
            fail(
                "INVALID_PROPERTY_VALUE",
                "Invalid value found for property 'type': the layout must be 'SingleColumnLayout'.",
                f"{path}.layout.type" if "type" in layout else f"{path}.layout",
            )
        children = layout.get("children")
        if not isinstance(children, list):
            fail("INVALID_PROPERTY_VALUE", "The layout needs a 'children' array.", f"{path}.layout")
        else:
            for j, child in enumerate(children):
                if not isinstance(child, dict) or not isinstance(child.get("type"), str):
                    fail(
                        "INVALID_PROPERTY_VALUE",
                        "Each component needs a 'type'.",
                        f"{path}.layout.children[{j}]",
                    )
    if not terminal:
        fail("MISSING_TERMINAL_SCREEN", "At least one screen must have 'terminal': true.", "screens")
    routing = document.get("routing_model")
    if "data_api_version" in document:
        if document["data_api_version"] != "3.0":
            fail("INVALID_PROPERTY_VALUE", "Property 'data_api_version' must be '3.0'.", "data_api_version")
        if not isinstance(routing, dict):
            fail("MISSING_REQUIRED_PROPERTY", "'routing_model' is required with 'data_api_version'.", "")
    if isinstance(routing, dict):
        for source, targets in routing.items():
            if source not in ids:
                fail(
                    "INVALID_ROUTING_MODEL",
                    f"Screen '{source}' in routing_model does not exist.",
                    f"routing_model.{source}",
                    at_key=True,
                )
            if not isinstance(targets, list) or not all(isinstance(t, str) for t in targets):
                fail(
                    "INVALID_ROUTING_MODEL",
                    "Each route is an array of screen ids.",
                    f"routing_model.{source}",
                )
                continue
            for k, target in enumerate(targets):
                if target not in ids:
                    fail(
                        "INVALID_ROUTING_MODEL",
                        f"Screen '{target}' in routing_model does not exist.",
                        f"routing_model.{source}[{k}]",
                    )
    return errors


# -- the flows ----------------------------------------------------------------------------------


@attrs.define(kw_only=True)
class _Flow:
    id: str
    waba_id: str
    name: str
    categories: list[str]
    status: str = "DRAFT"
    endpoint_uri: str | None = None
    flow_json: str | None = None
    validation_errors: list[dict[str, Any]] = attrs.field(factory=list)
    updated_at: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "status": self.status,
            "categories": list(self.categories),
            "validation_errors": list(self.validation_errors),
        }
        document = _parsed(self.flow_json)
        if isinstance(document, dict):
            if isinstance(document.get("version"), str):
                out["json_version"] = document["version"]
            if isinstance(document.get("data_api_version"), str):
                out["data_api_version"] = document["data_api_version"]
        if self.endpoint_uri is not None:
            out["endpoint_uri"] = self.endpoint_uri
        return out


def _parsed(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _categories(value: Any) -> list[str]:
    if isinstance(value, str):
        try:
            value = json.loads(value)  # multipart forms carry the list as JSON text
        except ValueError:
            value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(c, str) for c in value):
        raise GraphError.invalid_parameter("categories: a non-empty list of Flow categories is required")
    unknown = sorted(set(value) - FLOW_CATEGORIES)
    if unknown:
        raise GraphError.invalid_parameter(f"categories: unknown {', '.join(unknown)}")
    return list(dict.fromkeys(value))


class FlowsState:
    """Every WABA's Flows."""

    def __init__(self, *, seed: int = 0) -> None:
        self._rng = random.Random(seed)
        self._flows: dict[str, _Flow] = {}

    def _new_id(self) -> str:
        while True:
            candidate = str(self._rng.randrange(10**14, 10**15))
            if candidate not in self._flows:
                return candidate

    def _flow(self, flow_id: str, method: str = "GET") -> _Flow:
        flow = self._flows.get(str(flow_id))
        if flow is None:
            raise GraphError.unsupported(method, str(flow_id))
        return flow

    def create(
        self,
        waba_id: str,
        name: Any,
        categories: Any,
        now: float,
        *,
        clone_flow_id: str | None = None,
        endpoint_uri: str | None = None,
        flow_json: str | None = None,
    ) -> dict[str, Any]:
        """``POST /{waba}/flows`` → ``{"id"}`` (plus ``validation_errors`` when JSON came with it)."""
        if not isinstance(name, str) or not name.strip():
            raise GraphError.missing_parameter("name")
        if any(f.waba_id == waba_id and f.name == name for f in self._flows.values()):
            raise GraphError.whatsapp(100, "Invalid parameter", "Flow name is not unique")
        cats = _categories(categories)
        source_json: str | None = flow_json
        if clone_flow_id is not None:
            source = self._flows.get(str(clone_flow_id))
            if source is None or source.waba_id != waba_id:
                raise GraphError.whatsapp(100, "Invalid parameter", "Flow with specified ID does not exist")
            if flow_json is not None:
                raise GraphError.whatsapp(100, "Invalid parameter", "Only one clone source can be set")
            source_json = source.flow_json
        flow = _Flow(
            id=self._new_id(),
            waba_id=waba_id,
            name=name,
            categories=cats,
            endpoint_uri=endpoint_uri,
            updated_at=now,
        )
        self._flows[flow.id] = flow
        out: dict[str, Any] = {"id": flow.id}
        if source_json is not None:
            flow.flow_json = source_json
            flow.validation_errors = validate_flow_json(source_json)
            if flow_json is not None:
                out["success"] = True
                out["validation_errors"] = flow.validation_errors
        return out

    def __contains__(self, flow_id: object) -> bool:
        return isinstance(flow_id, str) and flow_id in self._flows

    def get(self, flow_id: str) -> dict[str, Any]:
        return self._flow(flow_id).to_dict()

    def migrate(
        self, waba_id: str, source_waba_id: str, names: Sequence[str] | None, now: float
    ) -> dict[str, Any]:
        """``POST /{waba}/migrate_flows``: copy the named (or all) Flows of another WABA as new drafts."""
        if source_waba_id == waba_id:
            raise GraphError.invalid_parameter("source_waba_id: the source WABA is this WABA")
        source = {f.name: f for f in self._flows.values() if f.waba_id == source_waba_id}
        migrated: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for name in names if names is not None else sorted(source):
            flow = source.get(name)
            if flow is None:
                failed.append(
                    {
                        "source_name": name,
                        "error_code": "4233041",
                        "error_message": "Flows Migration Error: Flow name not found in source WABA.",
                    }
                )
                continue
            if any(f.waba_id == waba_id and f.name == name for f in self._flows.values()):
                failed.append(
                    {
                        "source_name": name,
                        "error_code": "4233042",
                        "error_message": "Flows Migration Error: a Flow with this name exists in the WABA.",
                    }
                )
                continue
            created = self.create(waba_id, name, list(flow.categories), now, flow_json=flow.flow_json)
            migrated.append({"source_name": name, "source_id": flow.id, "migrated_id": created["id"]})
        return {"migrated_flows": migrated, "failed_flows": failed}

    def list(self, waba_id: str) -> list[dict[str, Any]]:
        return [
            {
                k: v
                for k, v in f.to_dict().items()
                if k in ("id", "name", "status", "categories", "validation_errors")
            }
            for f in sorted(self._flows.values(), key=lambda f: f.id)
            if f.waba_id == waba_id
        ]

    def update_metadata(
        self,
        flow_id: str,
        now: float,
        *,
        name: str | None = None,
        categories: Any = None,
        endpoint_uri: str | None = None,
    ) -> dict[str, Any]:
        """``POST /{flow}``: name, categories, endpoint; refused once deprecated (139001)."""
        flow = self._flow(flow_id, "POST")
        if flow.status == "DEPRECATED":
            raise GraphError.whatsapp(139001, "Flow update failed", "A deprecated Flow can't be updated.")
        if name is not None:
            if any(
                f.waba_id == flow.waba_id and f.name == name and f is not flow for f in self._flows.values()
            ):
                raise GraphError.whatsapp(100, "Invalid parameter", "Flow name is not unique")
            flow.name = name
        if categories is not None:
            flow.categories = _categories(categories)
        if endpoint_uri is not None:
            flow.endpoint_uri = endpoint_uri
        flow.updated_at = now
        return {"success": True}

    def update_json(self, flow_id: str, flow_json: str | bytes, now: float) -> dict[str, Any]:
        """``POST /{flow}/assets`` (``asset_type=FLOW_JSON``): stored with its validation errors, DRAFT only."""
        flow = self._flow(flow_id, "POST")
        if flow.status != "DRAFT":
            raise GraphError.whatsapp(
                139001,
                "Flow update failed",
                f"The Flow JSON of a {flow.status.lower()} Flow can't be updated.",
            )
        text = flow_json.decode("utf-8", errors="replace") if isinstance(flow_json, bytes) else flow_json
        flow.flow_json = text
        flow.validation_errors = validate_flow_json(text)
        flow.updated_at = now
        return {"success": True, "validation_errors": flow.validation_errors}

    def get_json(self, flow_id: str) -> str | None:
        return self._flow(flow_id).flow_json

    def publish(self, flow_id: str, now: float) -> dict[str, Any]:
        """``POST /{flow}/publish``: DRAFT with valid JSON (and an endpoint when it exchanges data)."""
        flow = self._flow(flow_id, "POST")
        if flow.status != "DRAFT":
            raise GraphError.whatsapp(
                139002, "Publishing Flow in invalid state", f"The Flow is {flow.status}."
            )
        if flow.flow_json is None:
            raise GraphError.whatsapp(139002, "Publishing Flow failed", "The Flow has no Flow JSON.")
        if flow.validation_errors:
            raise GraphError.whatsapp(
                139002, "Publishing Flow failed", "The Flow JSON has validation errors; fix them first."
            )
        document = _parsed(flow.flow_json)
        if isinstance(document, dict) and "data_api_version" in document and not flow.endpoint_uri:
            raise GraphError.whatsapp(
                139002, "Publishing Flow failed", "A Flow with data_api_version needs an endpoint_uri."
            )
        flow.status, flow.updated_at = "PUBLISHED", now
        return {"success": True}

    def deprecate(self, flow_id: str, now: float) -> dict[str, Any]:
        flow = self._flow(flow_id, "POST")
        if flow.status != "PUBLISHED":
            raise GraphError.whatsapp(
                139003, "Deprecating Flow failed", "Only published Flows can be deprecated."
            )
        flow.status, flow.updated_at = "DEPRECATED", now
        return {"success": True}

    def delete(self, flow_id: str) -> dict[str, Any]:
        flow = self._flow(flow_id, "DELETE")
        if flow.status != "DRAFT":
            raise GraphError.whatsapp(
                139004, "Deleting Flow failed", "Only draft Flows can be deleted; deprecate a published one."
            )
        del self._flows[flow.id]
        return {"success": True}

    def sendable(self, flow_id: str, *, draft_ok: bool = False) -> None:
        """Refuse sending a Flow that is not published (drafts only with ``mode: draft``)."""
        flow = self._flows.get(str(flow_id))
        allowed: Sequence[str] = ("PUBLISHED", "DRAFT") if draft_ok else ("PUBLISHED",)
        if flow is None or flow.status not in allowed:
            raise GraphError.invalid_parameter(
                f"flow {flow_id} can't be sent in status {flow.status if flow else 'unknown'}"
            )

    def snapshot(self) -> Mapping[str, str]:
        """Status by flow id, for tests."""
        return {fid: f.status for fid, f in self._flows.items()}
