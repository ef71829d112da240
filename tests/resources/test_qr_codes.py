"""wa.qr_codes: create (never retried), update, get, delete, list."""

from __future__ import annotations

from typing import Any

import pytest

from meta_cloud_async import WhatsApp
from meta_cloud_async.errors import UnexpectedResponseError
from meta_cloud_async.types.qr_codes import QrCode

URL = "https://graph.facebook.com/v23.0/1234/message_qrdls"
CODE = "ANED2T5QRUTHGA"
QR = {"code": CODE, "prefilled_message": "Hi", "deep_link_url": f"https://wa.me/message/{CODE}"}


async def test_create_with_image_and_update(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply({**QR, "qr_image_url": "https://x.example/q.png"})
    qr = await wa.qr_codes.create("Hi", generate_qr_image="PNG")
    assert qr == QrCode(
        code=CODE,
        prefilled_message="Hi",
        deep_link_url=QR["deep_link_url"],
        qr_image_url="https://x.example/q.png",
    )
    assert recorder.last.url == URL
    assert recorder.body() == {"prefilled_message": "Hi", "generate_qr_image": "PNG"}
    assert recorder.last.meta.idempotent is False
    recorder.reply(QR)
    await wa.qr_codes.update(CODE, "Hello")
    assert recorder.body() == {"code": CODE, "prefilled_message": "Hello"}
    assert recorder.last.meta.idempotent is True


async def test_get_delete_list(wa: WhatsApp, recorder: Any) -> None:
    recorder.reply(QR)
    assert (await wa.qr_codes.get(CODE, fields=["code"])).code == CODE
    assert recorder.last.url == f"{URL}/{CODE}?fields=code"
    recorder.reply({"data": [QR]})  # Meta's shape for one code
    assert (await wa.qr_codes.get(CODE)).deep_link_url == QR["deep_link_url"]
    recorder.reply({"data": []})
    with pytest.raises(UnexpectedResponseError):
        await wa.qr_codes.get(CODE)
    await wa.qr_codes.delete(CODE)
    assert recorder.last.method == "DELETE" and recorder.last.url == f"{URL}/{CODE}"
    recorder.reply({"data": [QR]})
    page = await wa.qr_codes.list(limit=25, code=CODE)
    assert [q.code for q in page.data] == [CODE]
    assert recorder.last.url == f"{URL}?code={CODE}&limit=25"


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda wa: wa.qr_codes.create("x" * 141), "prefilled_message"),
        (lambda wa: wa.qr_codes.create(""), "prefilled_message"),
        (lambda wa: wa.qr_codes.create("Hi", generate_qr_image="JPG"), "generate_qr_image"),
        (lambda wa: wa.qr_codes.update("abc", "Hi"), "code"),
        (lambda wa: wa.qr_codes.get("aned2t5qruthga"), "code"),
        (lambda wa: wa.qr_codes.get("ANED2T5QRUTHG"), "code"),
        (lambda wa: wa.qr_codes.delete("../messages"), "code"),
    ],
)
async def test_bad_input_is_refused_before_sending(
    wa: WhatsApp, recorder: Any, call: Any, match: str
) -> None:
    with pytest.raises((ValueError, TypeError), match=match):
        await call(wa)
    assert recorder.requests == []


def test_list_limit_is_checked() -> None:
    from meta_cloud_async.types.qr_codes import ListQrCodesRequest

    with pytest.raises(ValueError, match="limit"):
        ListQrCodesRequest(limit=26)
