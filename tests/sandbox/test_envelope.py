from __future__ import annotations

import json

from meta_cloud_async.sandbox.envelope import GraphError, render_error


def test_whatsapp_error_shape() -> None:
    err = GraphError.whatsapp(133005, "Two step verification PIN Mismatch", "explained")
    body = json.loads(render_error(err, "TRACE"))
    assert body == {
        "error": {
            "message": "(#133005) Two step verification PIN Mismatch",
            "type": "OAuthException",
            "code": 133005,
            "error_data": {"messaging_product": "whatsapp", "details": "explained"},
            "fbtrace_id": "TRACE",
            "is_transient": False,
        }
    }
    assert err.status == 400


def test_subcode_and_no_details() -> None:
    body = json.loads(render_error(GraphError.unsupported("GET", "42"), "T"))["error"]
    assert body["error_subcode"] == 33
    assert body["type"] == "GraphMethodException"
    assert body["message"].startswith("Unsupported get request. Object with ID '42' does not exist")
    assert "error_data" not in body
    auth = GraphError.bad_token(missing=False)
    assert (auth.status, auth.code) == (401, 190)
