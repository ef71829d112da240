"""The sandbox's Flows: Meta's transitions and refusals, and Flow JSON errors with line and column."""

from __future__ import annotations

import json
from typing import Any

import pytest

from meta_cloud_async.sandbox.envelope import GraphError
from meta_cloud_async.sandbox.flows_state import FlowsState, validate_flow_json

WABA = "102290129340398"

GOOD: dict[str, Any] = {
    "version": "5.0",
    "screens": [
        {
            "id": "WELCOME_SCREEN",
            "title": "Welcome",
            "terminal": True,
            "success": True,
            "data": {},
            "layout": {
                "type": "SingleColumnLayout",
                "children": [
                    {"type": "TextHeading", "text": "Hello World"},
                    {
                        "type": "Footer",
                        "label": "Complete",
                        "on-click-action": {"name": "complete", "payload": {}},
                    },
                ],
            },
        }
    ],
}


def good_text() -> str:
    return json.dumps(GOOD, indent=2)


def test_valid_flow_json_has_no_errors() -> None:
    assert validate_flow_json(good_text()) == []


def test_syntax_error_carries_line_and_column() -> None:
    text = '{\n  "version": "5.0",\n  "screens": [\n    {"id": "A",}\n  ]\n}'
    (error,) = validate_flow_json(text)
    assert error["error"] == "INVALID_JSON"
    assert (error["line_start"], error["column_start"]) == (4, 16)


def test_structural_error_points_at_the_value() -> None:
    document = json.loads(good_text())
    document["screens"][0]["layout"]["type"] = "TwoColumns"
    text = json.dumps(document, indent=2)
    (error,) = validate_flow_json(text)
    assert error["error"] == "INVALID_PROPERTY_VALUE"
    assert error["pointers"][0]["path"] == "screens[0].layout.type"
    line = text.splitlines()[error["line_start"] - 1]
    assert line[error["column_start"] - 1 : error["column_end"] - 1] == '"TwoColumns"'


def test_unknown_property_points_at_the_key() -> None:
    text = '{"version": "5.0", "colour": 1, "screens": []}'
    errors = validate_flow_json(text)
    unknown = next(e for e in errors if e["error"] == "INVALID_PROPERTY")
    assert text[unknown["column_start"] - 1 : unknown["column_end"] - 1] == '"colour"'
    assert any("screens" in e["message"] for e in errors)


@pytest.mark.parametrize(
    ("mutate", "code"),
    [
        (lambda d: d["screens"][0].pop("terminal"), "MISSING_TERMINAL_SCREEN"),
        (lambda d: d["screens"].append(dict(d["screens"][0])), "DUPLICATE_SCREEN_ID"),
        (lambda d: d["screens"][0].update(id="SUCCESS"), "INVALID_PROPERTY_VALUE"),
        (lambda d: d.update(data_api_version="3.0"), "MISSING_REQUIRED_PROPERTY"),
        (lambda d: d.update(routing_model={"WELCOME_SCREEN": ["NOWHERE"]}), "INVALID_ROUTING_MODEL"),
        (lambda d: d.pop("version"), "MISSING_REQUIRED_PROPERTY"),
        (lambda d: d["screens"][0]["layout"]["children"].append("text"), "INVALID_PROPERTY_VALUE"),
    ],
)
def test_structural_rules(mutate: Any, code: str) -> None:
    document = json.loads(good_text())
    mutate(document)
    errors = validate_flow_json(json.dumps(document, indent=2))
    assert code in [e["error"] for e in errors]
    assert all(e["line_start"] >= 1 and e["column_start"] >= 1 for e in errors)


def test_lifecycle_draft_published_deprecated() -> None:
    flows = FlowsState(seed=2)
    flow_id = flows.create(WABA, "survey", ["SURVEY"], 0.0)["id"]
    assert flows.get(flow_id)["status"] == "DRAFT"
    with pytest.raises(GraphError) as exc:
        flows.publish(flow_id, 1.0)  # no JSON yet
    assert exc.value.code == 139002
    bad = flows.update_json(flow_id, "{", 2.0)
    assert bad["success"] is True and bad["validation_errors"]
    with pytest.raises(GraphError) as exc:
        flows.publish(flow_id, 3.0)
    assert exc.value.code == 139002
    assert flows.update_json(flow_id, good_text(), 4.0) == {"success": True, "validation_errors": []}
    assert flows.get(flow_id)["json_version"] == "5.0"
    with pytest.raises(GraphError) as exc:
        flows.deprecate(flow_id, 4.5)  # a draft cannot be deprecated
    assert exc.value.code == 139003
    flows.publish(flow_id, 5.0)
    assert flows.get(flow_id)["status"] == "PUBLISHED"
    with pytest.raises(GraphError) as exc:
        flows.update_json(flow_id, good_text(), 6.0)
    assert exc.value.code == 139001
    with pytest.raises(GraphError) as exc:
        flows.delete(flow_id)
    assert exc.value.code == 139004
    with pytest.raises(GraphError) as exc:
        flows.publish(flow_id, 6.5)
    assert exc.value.code == 139002
    flows.deprecate(flow_id, 7.0)
    assert flows.get(flow_id)["status"] == "DEPRECATED"
    with pytest.raises(GraphError) as exc:
        flows.update_metadata(flow_id, 8.0, name="other")
    assert exc.value.code == 139001


def test_create_rules_clone_and_delete() -> None:
    flows = FlowsState()
    first = flows.create(WABA, "signup", '["SIGN_UP"]', 0.0)["id"]
    with pytest.raises(GraphError, match="Invalid parameter") as exc:
        flows.create(WABA, "signup", ["SIGN_UP"], 0.0)
    assert exc.value.details == "Flow name is not unique"
    with pytest.raises(GraphError):
        flows.create(WABA, "x", ["NOT_A_CATEGORY"], 0.0)
    with pytest.raises(GraphError):
        flows.create(WABA, "x", [], 0.0)
    flows.update_json(first, good_text(), 1.0)
    clone = flows.create(WABA, "signup_copy", ["SIGN_UP"], 2.0, clone_flow_id=first)["id"]
    assert flows.get_json(clone) == good_text()
    with pytest.raises(GraphError):
        flows.create(WABA, "y", ["OTHER"], 2.0, clone_flow_id="404")
    assert {f["name"] for f in flows.list(WABA)} == {"signup", "signup_copy"}
    assert flows.delete(clone) == {"success": True}
    with pytest.raises(GraphError):
        flows.get(clone)


def test_endpoint_flows_need_an_endpoint_to_publish() -> None:
    flows = FlowsState()
    document = json.loads(good_text())
    document["data_api_version"] = "3.0"
    document["routing_model"] = {"WELCOME_SCREEN": []}
    flow_id = flows.create(WABA, "booking", ["APPOINTMENT_BOOKING"], 0.0)["id"]
    assert flows.update_json(flow_id, json.dumps(document), 1.0)["validation_errors"] == []
    with pytest.raises(GraphError, match="139002"):
        flows.publish(flow_id, 2.0)
    flows.update_metadata(flow_id, 3.0, endpoint_uri="https://example.com/flow")
    flows.publish(flow_id, 4.0)
    assert flows.get(flow_id)["data_api_version"] == "3.0"
