"""Conformance cases: WhatsApp Flows.

Spec notes: ``listAssetsGetFlowJsonUrl`` declares a (non-required, empty)
multipart body on a GET; we send none, which the spec allows. ``listFlows``
declares no query parameters, so the cases call it without paging.
"""

from __future__ import annotations

from meta_cloud_async.types.flows import (
    CreateFlowRequest,
    DeleteFlowRequest,
    DeprecateFlowRequest,
    GetFlowRequest,
    ListFlowAssetsRequest,
    ListFlowsRequest,
    MigrateFlowsRequest,
    PublishFlowRequest,
    UpdateFlowJsonRequest,
    UpdateFlowMetadataRequest,
)

from . import Case

_FLOW = "1234567890123"
_JSON = '{"version": "6.0", "screens": [{"id": "WELCOME", "terminal": true, "layout": {"type": "SingleColumnLayout", "children": []}}]}'

CASES = [
    Case("flows_list", ListFlowsRequest, lambda wa: wa.flows.list(), {"data": []}),
    Case(
        "flows_create",
        CreateFlowRequest,
        lambda wa: wa.flows.create("appointment", ["APPOINTMENT_BOOKING"]),
        {"id": _FLOW},
    ),
    Case(
        "flows_create_clone_with_endpoint",
        CreateFlowRequest,
        lambda wa: wa.flows.create(
            "appointment_v2",
            ["APPOINTMENT_BOOKING", "OTHER"],
            clone_flow_id=_FLOW,
            endpoint_uri="https://example.com/flow",
        ),
        {"id": "1234567890124"},
    ),
    Case(
        "flows_migrate",
        MigrateFlowsRequest,
        lambda wa: wa.flows.migrate("104996122399160", source_flow_names=["appointment", "leadgen"]),
        {"migrated_flows": [], "failed_flows": []},
    ),
    Case("flows_get", GetFlowRequest, lambda wa: wa.flows.get(_FLOW), {"id": _FLOW}),
    Case(
        "flows_get_fields",
        GetFlowRequest,
        lambda wa: wa.flows.get(_FLOW, fields=["id", "name", "status", "validation_errors"], date_format="U"),
        {"id": _FLOW},
    ),
    Case(
        "flows_preview_url",
        GetFlowRequest,
        lambda wa: wa.flows.preview_url(_FLOW),
        {"id": _FLOW, "preview": {"preview_url": "https://business.facebook.com/wa/manage/flows/1/preview/"}},
    ),
    Case(
        "flows_update_metadata",
        UpdateFlowMetadataRequest,
        lambda wa: wa.flows.update_metadata(_FLOW, name="appointment_booking", categories=["OTHER"]),
        {"success": True},
    ),
    Case("flows_delete", DeleteFlowRequest, lambda wa: wa.flows.delete(_FLOW), {"success": True}),
    Case("flows_assets", ListFlowAssetsRequest, lambda wa: wa.flows.assets(_FLOW), {"data": []}),
    Case(
        "flows_update_json",
        UpdateFlowJsonRequest,
        lambda wa: wa.flows.update_json(_FLOW, _JSON),
        {"success": True, "validation_errors": []},
    ),
    Case("flows_publish", PublishFlowRequest, lambda wa: wa.flows.publish(_FLOW), {"success": True}),
    Case("flows_deprecate", DeprecateFlowRequest, lambda wa: wa.flows.deprecate(_FLOW), {"success": True}),
]
