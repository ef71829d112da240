"""Conformance cases: QR codes."""

from __future__ import annotations

from meta_cloud_async.types.qr_codes import (
    CreateQrCodeRequest,
    DeleteQrCodeRequest,
    GetQrCodeRequest,
    ListQrCodesRequest,
    UpdateQrCodeRequest,
)

from . import Case

CODE = "ANED2T5QRUTHGA"
QR = {"code": CODE, "prefilled_message": "Order status", "deep_link_url": f"https://wa.me/message/{CODE}"}

CASES = [
    Case("create_qr", CreateQrCodeRequest, lambda wa: wa.qr_codes.create("Order status"), QR),
    Case(
        "create_qr_svg",
        CreateQrCodeRequest,
        lambda wa: wa.qr_codes.create("Order status", generate_qr_image="SVG"),
        {**QR, "qr_image_url": "https://scontent.example.com/qr.svg"},
    ),
    Case(
        "update_qr",
        UpdateQrCodeRequest,
        lambda wa: wa.qr_codes.update(CODE, "Where is my order?"),
        QR,
        skip={
            "body": "the spec's oneOf branches overlap: an update body ({code, prefilled_message}) also fits"
            " the create branch (no additionalProperties: false), so no update can match exactly one"
        },
    ),
    Case("list_qr", ListQrCodesRequest, lambda wa: wa.qr_codes.list(), {"data": [QR]}),
    Case(
        "list_qr_filtered",
        ListQrCodesRequest,
        lambda wa: wa.qr_codes.list(code=CODE, fields=["code", "prefilled_message"], limit=10, after="QVFI"),
        {"data": [QR]},
    ),
    Case("get_qr", GetQrCodeRequest, lambda wa: wa.qr_codes.get(CODE), QR),
    Case("delete_qr", DeleteQrCodeRequest, lambda wa: wa.qr_codes.delete(CODE), {"success": True}),
]
