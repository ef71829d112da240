"""wa.media: uploads from every source kind, refusals before sending, verified and resumed downloads."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import json
import os
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from meta_cloud_async import MediaIntegrityError, MockTransport, Request, Response, WhatsApp
from meta_cloud_async.errors import APIConnectionError, UnexpectedResponseError
from meta_cloud_async.sandbox import Sandbox, VirtualClock
from meta_cloud_async.types.media import MediaUrl, webp_is_animated

JPEG = b"\xff\xd8\xff\xe0" + os.urandom(200_000)


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(1_000_000.0)


@pytest.fixture
def sandbox(clock: VirtualClock) -> Sandbox:
    return Sandbox(clock=clock, seed=3)


@pytest.fixture
async def wa(sandbox: Sandbox, clock: VirtualClock) -> AsyncIterator[WhatsApp]:
    async with WhatsApp(
        access_token=sandbox.access_token,
        phone_number_id=sandbox.phone_number_ids[0],
        transport=sandbox.transport(),
        clock=clock,
        rate_limit=None,
    ) as client:
        yield client


async def agen(data: bytes, size: int = 50_000) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i : i + size]


# -- upload ------------------------------------------------------------------------------


async def test_upload_from_bytes_is_byte_exact(wa: WhatsApp, sandbox: Sandbox) -> None:
    media = await wa.media.upload(JPEG, mime_type="image/jpeg")
    stored = sandbox.media.media[media.id]
    assert stored.data == JPEG and stored.mime_type == "image/jpeg"


async def test_upload_from_a_path_guesses_the_type(wa: WhatsApp, sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(JPEG)
    for source in (path, str(path)):
        media = await wa.media.upload(source)
        assert sandbox.media.media[media.id].data == JPEG


async def test_upload_from_a_file_object_and_a_stream(wa: WhatsApp, sandbox: Sandbox, tmp_path: Path) -> None:
    path = tmp_path / "doc.pdf"
    path.write_bytes(JPEG)
    with path.open("rb") as f:
        media = await wa.media.upload(f)
    assert sandbox.media.media[media.id].data == JPEG
    assert sandbox.media.media[media.id].mime_type == "application/pdf"
    media = await wa.media.upload(io.BytesIO(JPEG), mime_type="image/png")
    assert sandbox.media.media[media.id].data == JPEG
    media = await wa.media.upload(agen(JPEG), mime_type="image/jpeg")
    assert sandbox.media.media[media.id].data == JPEG


async def test_the_multipart_body_has_file_type_and_product() -> None:
    seen: list[Request] = []

    def handler(request: Request) -> Response:
        seen.append(request)
        return Response(status_code=200, content=b'{"id": "1"}')

    async with WhatsApp(access_token="t", phone_number_id="55", transport=MockTransport(handler)) as wa:
        await wa.media.upload(b"OggS" + b"\0" * 10, mime_type="audio/ogg", filename="note.ogg")
    body = seen[0].content
    assert isinstance(body, bytes)
    assert b'name="file"; filename="note.ogg"\r\nContent-Type: audio/ogg\r\n\r\nOggS' in body
    assert b'name="type"\r\n\r\naudio/ogg\r\n' in body
    assert b'name="messaging_product"\r\n\r\nwhatsapp\r\n' in body
    assert seen[0].url == "https://graph.facebook.com/v23.0/55/media"


async def test_a_path_upload_is_streamed_with_a_content_length(tmp_path: Path) -> None:
    seen: list[Request] = []

    def handler(request: Request) -> Response:
        seen.append(request)
        return Response(status_code=200, content=b'{"id": "1"}')

    path = tmp_path / "a.png"
    path.write_bytes(JPEG)
    async with WhatsApp(
        access_token="t", phone_number_id="55", transport=MockTransport(handler, read_body=False)
    ) as wa:
        await wa.media.upload(path)
    content = seen[0].content
    assert callable(content)  # a factory: each attempt re-opens the file
    body = b"".join([c async for c in content()])
    assert JPEG in body
    assert seen[0].headers["content-length"] == str(len(body))


def _webp(animated: bool) -> bytes:
    flags = 0x02 if animated else 0
    return b"RIFF" + b"\0\0\0\0" + b"WEBP" + b"VP8X" + b"\x0a\0\0\0" + bytes([flags]) + b"\0" * 20


@pytest.mark.parametrize(
    ("source", "kwargs", "match"),
    [
        (b"x" * (5 * 1024 * 1024 + 1), {"mime_type": "image/jpeg"}, "cap for image"),
        (b"x" * (16 * 1024 * 1024 + 1), {"mime_type": "video/mp4"}, "cap for video"),
        (b"x" * 10, {"mime_type": "image/gif"}, "not a media type"),
        (b"x" * 10, {}, "cannot guess"),
        (_webp(False) + b"\0" * (100 * 1024), {"mime_type": "image/webp"}, "cap for sticker"),
        (_webp(True) + b"\0" * (500 * 1024), {"mime_type": "image/webp"}, "cap for sticker"),
    ],
)
async def test_refusals_send_nothing(source: bytes, kwargs: dict[str, Any], match: str) -> None:
    seen: list[Request] = []

    def handler(request: Request) -> Response:
        seen.append(request)
        return Response(status_code=200, content=b'{"id": "1"}')

    async with WhatsApp(access_token="t", phone_number_id="55", transport=MockTransport(handler)) as wa:
        with pytest.raises(ValueError, match=match):
            await wa.media.upload(source, **kwargs)
        with pytest.raises(ValueError, match="cap"):
            await wa.media.upload(agen(b"x" * 10), mime_type="image/png", size=6 * 1024 * 1024)
        with pytest.raises(TypeError):
            await wa.media.upload(12345, mime_type="image/png")
    assert seen == []


async def test_an_animated_sticker_may_be_bigger_than_a_static_one(wa: WhatsApp, sandbox: Sandbox) -> None:
    assert webp_is_animated(_webp(True)) is True and webp_is_animated(_webp(False)) is False
    media = await wa.media.upload(_webp(True) + b"\0" * (200 * 1024), mime_type="image/webp")
    assert media.id in sandbox.media.media


async def test_a_stream_without_size_is_stopped_past_the_cap(wa: WhatsApp, sandbox: Sandbox) -> None:
    sent = 0

    async def big() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(200):
            sent += 65536
            yield b"\0" * 65536

    with pytest.raises(ValueError, match="cap for image"):
        await wa.media.upload(big(), mime_type="image/png")
    assert sent < 6 * 1024 * 1024
    assert not sandbox.media.media
    assert not [e for e in sandbox.request_log if e.route == "upload_media"]


async def test_a_stream_past_the_cap_over_real_aiohttp(sandbox: Sandbox, clock: VirtualClock) -> None:
    async with (
        sandbox.serve() as url,
        WhatsApp(
            access_token=sandbox.access_token, phone_number_id=sandbox.phone_number_ids[0], base_url=url
        ) as wa,
    ):
        with pytest.raises(ValueError, match="cap for image"):
            await wa.media.upload(agen(b"\0" * (6 * 1024 * 1024), 65536), mime_type="image/png")
    assert not sandbox.media.media


# -- URL, delete ---------------------------------------------------------------------------


async def test_get_url_accepts_hex_and_base64_hashes() -> None:
    digest = hashlib.sha256(b"abc").digest()
    import base64

    for form in (digest.hex(), digest.hex().upper(), base64.b64encode(digest).decode()):
        body = {
            "url": "https://lookaside.fbsbx.com/x",
            "sha256": form,
            "file_size": "3",
            "mime_type": "image/png",
        }

        def handler(request: Request, body: Any = body) -> Response:
            return Response(status_code=200, content=json.dumps(body).encode())

        async with WhatsApp(access_token="t", transport=MockTransport(handler)) as wa:
            info = await wa.media.get_url("1")
        assert info.sha256 == digest.hex() and info.file_size == 3


async def test_delete_and_then_the_id_is_gone(wa: WhatsApp, sandbox: Sandbox) -> None:
    from meta_cloud_async.errors import GraphAPIError

    media = await wa.media.upload(JPEG, mime_type="image/jpeg")
    assert (await wa.media.delete(media.id)).success
    with pytest.raises(GraphAPIError):
        await wa.media.get_url(media.id)
    with pytest.raises(ValueError):
        await wa.media.delete("")


# -- download ------------------------------------------------------------------------------


async def test_download_to_a_path_and_as_a_stream(wa: WhatsApp, tmp_path: Path) -> None:
    media = await wa.media.upload(JPEG, mime_type="image/jpeg")
    target = tmp_path / "out.jpg"
    info = await wa.media.download(media.id, target)
    assert target.read_bytes() == JPEG
    assert info.sha256 == hashlib.sha256(JPEG).hexdigest()
    assert os.listdir(tmp_path) == ["out.jpg"]
    async with wa.media.stream(media.id) as chunks:
        got = b"".join([c async for c in chunks])
    assert got == JPEG
    buf = io.BytesIO()
    await wa.media.download(media.id, buf)
    assert buf.getvalue() == JPEG


async def test_download_over_real_aiohttp(sandbox: Sandbox, clock: VirtualClock, tmp_path: Path) -> None:
    async with (
        sandbox.serve() as url,
        WhatsApp(
            access_token=sandbox.access_token,
            phone_number_id=sandbox.phone_number_ids[0],
            base_url=url,
            clock=clock,
        ) as wa,
    ):
        media = await wa.media.upload(JPEG, mime_type="image/jpeg")
        await wa.media.download(media.id, tmp_path / "x.jpg")
    assert (tmp_path / "x.jpg").read_bytes() == JPEG


async def test_an_expired_url_is_refreshed_once(wa: WhatsApp, sandbox: Sandbox, clock: VirtualClock) -> None:
    media = await wa.media.upload(JPEG, mime_type="image/jpeg")
    info = await wa.media.get_url(media.id)
    clock.advance(301)  # the URL is dead on the server: a 404, then a fresh URL
    info = MediaUrl(url=info.url, id=media.id, sha256=info.sha256, file_size=info.file_size)
    buf = io.BytesIO()
    await wa.media.download(info, buf)
    assert buf.getvalue() == JPEG
    last = [(e.route, e.status) for e in sandbox.request_log][-3:]
    assert last == [("download_media", 404), ("get_media_url", 200), ("download_media", 200)]


async def test_an_old_url_is_refreshed_before_use(
    wa: WhatsApp, sandbox: Sandbox, clock: VirtualClock
) -> None:
    media = await wa.media.upload(JPEG, mime_type="image/jpeg")
    async with wa.media.stream(media.id) as chunks:
        clock.advance(400)
        got = b"".join([c async for c in chunks])
    assert got == JPEG
    assert [e.route for e in sandbox.request_log][-2:] == ["get_media_url", "download_media"]
    assert all(e.status == 200 for e in sandbox.request_log)


async def test_a_404_url_survives_via_the_expire_fault(clock: VirtualClock) -> None:
    sandbox = Sandbox(clock=clock, faults="download_media.expire_url=1.0,seed=1")
    async with WhatsApp(
        access_token=sandbox.access_token,
        phone_number_id=sandbox.phone_number_ids[0],
        transport=sandbox.transport(),
        clock=clock,
        rate_limit=None,
    ) as wa:
        media = await wa.media.upload(JPEG, mime_type="image/jpeg")
        with pytest.raises(Exception, match="expired"):  # refreshed once, then the error stands
            await wa.media.download(media.id, io.BytesIO())
    downloads = [e for e in sandbox.request_log if e.route == "download_media"]
    assert len(downloads) == 2


async def test_a_corrupted_body_raises_and_leaves_no_file(clock: VirtualClock, tmp_path: Path) -> None:
    sandbox = Sandbox(clock=clock, faults="download_media.corrupt_body=1.0,seed=1")
    async with WhatsApp(
        access_token=sandbox.access_token,
        phone_number_id=sandbox.phone_number_ids[0],
        transport=sandbox.transport(),
        clock=clock,
    ) as wa:
        media = await wa.media.upload(JPEG, mime_type="image/jpeg")
        with pytest.raises(MediaIntegrityError):
            await wa.media.download(media.id, tmp_path / "bad.jpg")
        with pytest.raises(MediaIntegrityError):
            async with wa.media.stream(media.id) as chunks:
                async for _ in chunks:
                    pass
    assert os.listdir(tmp_path) == []


async def test_a_corrupted_body_into_a_file_object_raises(clock: VirtualClock) -> None:
    # A file object takes the same path as a file: written and hashed on a worker thread.
    sandbox = Sandbox(clock=clock, faults="download_media.corrupt_body=1.0,seed=1")
    async with WhatsApp(
        access_token=sandbox.access_token,
        phone_number_id=sandbox.phone_number_ids[0],
        transport=sandbox.transport(),
        clock=clock,
    ) as wa:
        media = await wa.media.upload(JPEG, mime_type="image/jpeg")
        with pytest.raises(MediaIntegrityError):
            await wa.media.download(media.id, io.BytesIO())


def _pieces_handler(body: bytes, announced: bytes) -> Any:
    """A MockTransport handler: a media URL announcing ``announced``'s hash and size, ``body`` in 40 KB pieces."""

    def handler(request: Request) -> Response:
        if "lookaside" in request.url:
            return Response(status_code=200, stream=agen(body, 40_000))  # type: ignore[arg-type]
        return Response(
            status_code=200,
            json={
                "url": "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1",
                "id": "1",
                "sha256": hashlib.sha256(announced).hexdigest(),
                "file_size": len(announced),
            },
        )

    return handler


@pytest.mark.parametrize("where", ["first", "last"])
async def test_a_byte_wrong_in_any_batch_of_the_writer_raises(tmp_path: Path, where: str) -> None:
    # Many small pieces, gathered into batches for the writer thread: a flipped byte in the
    # first batch or in the tail batch (written after the stream ended) is caught alike.
    good = os.urandom(3 * 1024 * 1024 + 12_345)
    i = 10 if where == "first" else len(good) - 1
    bad = good[:i] + bytes([good[i] ^ 1]) + good[i + 1 :]
    async with WhatsApp(access_token="tok", transport=MockTransport(_pieces_handler(bad, good))) as wa:
        with pytest.raises(MediaIntegrityError, match="sha256"):
            await wa.media.download("1", tmp_path / "x.bin")
        with pytest.raises(MediaIntegrityError, match="sha256"):
            await wa.media.download("1", io.BytesIO())
    assert os.listdir(tmp_path) == []
    async with WhatsApp(access_token="tok", transport=MockTransport(_pieces_handler(good, good))) as wa:
        await wa.media.download("1", tmp_path / "x.bin")
    assert (tmp_path / "x.bin").read_bytes() == good


async def test_a_short_body_through_the_writer_raises(tmp_path: Path) -> None:
    good = os.urandom(2 * 1024 * 1024 + 7)
    async with WhatsApp(access_token="tok", transport=MockTransport(_pieces_handler(good[:-7], good))) as wa:
        with pytest.raises(MediaIntegrityError, match="bytes"):
            await wa.media.download("1", tmp_path / "x.bin")
    assert os.listdir(tmp_path) == []


class _ThreadNotingHash:
    """A sha256 that notes which thread fed it each chunk."""

    threads: list[int] = []

    def __init__(self) -> None:
        self._h = hashlib.sha256()

    def update(self, data: bytes) -> None:
        self.threads.append(threading.get_ident())
        self._h.update(data)

    def hexdigest(self) -> str:
        return self._h.hexdigest()


async def test_a_download_hashes_on_the_writer_thread_and_a_stream_on_the_loop(
    wa: WhatsApp, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Hashing on the loop stalls the socket reads; a download hashes where it writes.
    media = await wa.media.upload(JPEG, mime_type="image/jpeg")
    monkeypatch.setattr("meta_cloud_async.resources.media.sha256", _ThreadNotingHash)
    _ThreadNotingHash.threads = []
    loop_thread = threading.get_ident()
    for to in (tmp_path / "x.jpg", io.BytesIO()):
        await wa.media.download(media.id, to)
    assert _ThreadNotingHash.threads and loop_thread not in _ThreadNotingHash.threads
    assert (tmp_path / "x.jpg").read_bytes() == JPEG
    _ThreadNotingHash.threads = []
    async with wa.media.stream(media.id) as chunks:
        assert b"".join([c async for c in chunks]) == JPEG
    assert set(_ThreadNotingHash.threads) == {loop_thread}


async def test_a_download_whose_writes_fail_raises_and_leaves_no_file(wa: WhatsApp, tmp_path: Path) -> None:
    media = await wa.media.upload(JPEG, mime_type="image/jpeg")

    class Full(io.BytesIO):
        def write(self, data: Any) -> int:
            raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        await wa.media.download(media.id, Full())


@pytest.mark.parametrize("ranges", [True, False], ids=["range-resume", "restart-and-skip"])
async def test_a_cut_download_is_resumed(clock: VirtualClock, tmp_path: Path, ranges: bool) -> None:
    # Seeded: the same cuts every run (some of them in a row).
    sandbox = Sandbox(clock=clock, faults=f"download_media.cut_body={0.5 if ranges else 0.3},seed=4")
    sandbox.media.ranges = ranges
    async with WhatsApp(
        access_token=sandbox.access_token,
        phone_number_id=sandbox.phone_number_ids[0],
        transport=sandbox.transport(),
        clock=clock,
    ) as wa:
        media = await wa.media.upload(JPEG, mime_type="image/jpeg")
        for i in range(4):
            await wa.media.download(media.id, tmp_path / f"{i}.jpg")
            assert (tmp_path / f"{i}.jpg").read_bytes() == JPEG
    faults = [e.fault for e in sandbox.request_log if e.route == "download_media"]
    assert "cut_body" in faults
    assert sorted(os.listdir(tmp_path)) == [f"{i}.jpg" for i in range(4)]


async def test_a_transfer_cut_every_time_gives_up_and_leaves_no_file(
    clock: VirtualClock, tmp_path: Path
) -> None:
    sandbox = Sandbox(clock=clock, faults="download_media.cut_body=1.0,seed=4")
    async with WhatsApp(
        access_token=sandbox.access_token,
        phone_number_id=sandbox.phone_number_ids[0],
        transport=sandbox.transport(),
        clock=clock,
    ) as wa:
        media = await wa.media.upload(JPEG, mime_type="image/jpeg")
        with pytest.raises(APIConnectionError):
            await wa.media.download(media.id, tmp_path / "x.jpg")
    assert os.listdir(tmp_path) == []


# -- the token stays home --------------------------------------------------------------------


async def test_the_token_never_reaches_a_foreign_host(tmp_path: Path) -> None:
    foreign_hits: list[dict[str, str]] = []

    async def foreign(request: web.Request) -> web.Response:
        foreign_hits.append(dict(request.headers))
        return web.Response(body=b"stolen?")

    async def api(request: web.Request) -> web.Response:
        assert request.headers["Authorization"] == "Bearer secret-token"
        return web.json_response({"url": f"http://127.0.0.1:{foreign_port}/media?x=1", "id": "1"})

    foreign_app = web.Application()
    foreign_app.router.add_get("/media", foreign)
    api_app = web.Application()
    api_app.router.add_get("/v23.0/1", api)
    runners = [web.AppRunner(foreign_app), web.AppRunner(api_app)]
    for runner in runners:
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
    foreign_port = runners[0].addresses[0][1]
    api_port = runners[1].addresses[0][1]
    try:
        async with WhatsApp(access_token="secret-token", base_url=f"http://127.0.0.1:{api_port}") as wa:
            with pytest.raises(UnexpectedResponseError, match="not sent"):
                await wa.media.download("1", tmp_path / "x")
            # Even listed as a media host, plain http never gets the token.
            wa.media.allowed_hosts = frozenset({"127.0.0.1"})
            with pytest.raises(UnexpectedResponseError):
                async with wa.media.stream("1") as chunks:
                    async for _ in chunks:
                        pass
    finally:
        for runner in runners:
            await runner.cleanup()
    assert foreign_hits == []
    assert os.listdir(tmp_path) == []


async def test_meta_media_hosts_get_the_token_over_https() -> None:
    seen: list[Request] = []

    def handler(request: Request) -> Response:
        seen.append(request)
        if "lookaside" in request.url:
            return Response(status_code=200, content=b"img")
        return Response(
            status_code=200,
            content=json.dumps(
                {"url": "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1"}
            ).encode(),
        )

    async with WhatsApp(access_token="tok", transport=MockTransport(handler)) as wa:
        buf = io.BytesIO()
        await wa.media.download("1", buf)
    assert buf.getvalue() == b"img"
    assert seen[1].headers["authorization"] == "Bearer tok"
    assert seen[1].stream is True


async def test_a_cancelled_download_leaves_no_file(
    sandbox: Sandbox, clock: VirtualClock, tmp_path: Path
) -> None:
    async with WhatsApp(
        access_token=sandbox.access_token,
        phone_number_id=sandbox.phone_number_ids[0],
        transport=sandbox.transport(),
        clock=clock,
    ) as wa:
        media = await wa.media.upload(JPEG, mime_type="image/jpeg")
        for steps in range(0, 40, 3):  # cancel at many points: in get_url, the open, mid-body, the rename
            task = asyncio.create_task(wa.media.download(media.id, tmp_path / "x.jpg"))
            for _ in range(steps):
                await asyncio.sleep(0)
            task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                assert os.listdir(tmp_path) == []
            else:  # finished before the cancellation: the whole file, nothing else
                assert os.listdir(tmp_path) == ["x.jpg"]
                (tmp_path / "x.jpg").unlink()


async def test_two_hundred_cancelled_sdk_downloads_leak_no_connection(sandbox: Sandbox) -> None:
    import aiohttp

    from meta_cloud_async.transports import AiohttpTransport

    data = os.urandom(4 * 1024 * 1024)
    transport = AiohttpTransport()
    async with sandbox.serve() as url:
        async with WhatsApp(
            access_token=sandbox.access_token,
            phone_number_id=sandbox.phone_number_ids[0],
            base_url=url,
            transport=transport,
        ) as wa:
            media = await wa.media.upload(data, mime_type="application/pdf")
            info = await wa.media.get_url(media.id)

            async def read() -> None:
                async with wa.media.stream(info) as chunks:
                    async for _ in chunks:
                        await asyncio.sleep(0)

            for _ in range(200):
                task = asyncio.create_task(read())
                for _ in range(6):
                    await asyncio.sleep(0)
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            session = transport.session
            assert session is not None and isinstance(session.connector, aiohttp.TCPConnector)
            assert not session.connector._acquired
            # The pool still works: a full download afterwards is exact.
            buf = io.BytesIO()
            await wa.media.download(media.id, buf)
            assert buf.getvalue() == data
        await transport.aclose()
