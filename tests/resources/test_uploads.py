"""wa.uploads: the resumable upload API, resumed after a cut, byte-exact; the wire shape."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from meta_cloud_async import MockTransport, Request, Response, WhatsApp
from meta_cloud_async._operations import path_segment_with_query
from meta_cloud_async.errors import APIConnectionError
from meta_cloud_async.sandbox import Sandbox, VirtualClock

DATA = os.urandom(700_001)


def client(sandbox: Sandbox, clock: VirtualClock, **kw: object) -> WhatsApp:
    return WhatsApp(
        access_token=sandbox.access_token,
        app_id="1234567",
        transport=sandbox.transport(),
        clock=clock,
        rate_limit=None,
        **kw,  # type: ignore[arg-type]
    )


def assembled(sandbox: Sandbox) -> bytes:
    (session,) = sandbox.media.sessions.values()
    return bytes(session.data)


@pytest.mark.parametrize("kind", ["bytes", "path", "file"])
async def test_a_cut_mid_body_is_resumed_and_the_bytes_are_exact(kind: str, tmp_path: Path) -> None:
    clock = VirtualClock()
    # Seeded: the first three chunks are cut halfway (0 -> half -> 3/4 -> 7/8), the fourth finishes.
    sandbox = Sandbox(clock=clock, faults="upload_chunk.cut_body=0.6,seed=3")
    path = tmp_path / "big.pdf"
    path.write_bytes(DATA)
    async with client(sandbox, clock) as wa:
        if kind == "bytes":
            handle = await wa.uploads.upload(DATA, file_type="application/pdf", file_name="big.pdf")
        elif kind == "path":
            handle = await wa.uploads.upload(path, file_type="application/pdf")
        else:
            with path.open("rb") as f:
                handle = await wa.uploads.upload(f, file_type="application/pdf")
    assert handle.startswith("4::")
    assert assembled(sandbox) == DATA
    log = [(e.route, e.fault) for e in sandbox.request_log]
    assert ("upload_chunk", "cut_body") in log and ("upload_status", None) in log


async def test_over_real_aiohttp_with_a_cut(tmp_path: Path) -> None:
    sandbox = Sandbox(faults="upload_chunk.cut_body=0.6,seed=1")
    path = tmp_path / "v.mp4"
    path.write_bytes(DATA)
    async with (
        sandbox.serve() as url,
        WhatsApp(access_token=sandbox.access_token, app_id="42", base_url=url) as wa,
    ):
        handle = await wa.uploads.upload(path, file_type="video/mp4")
    assert handle.startswith("4::")
    assert assembled(sandbox) == DATA


async def test_an_async_iterable_cannot_be_rewound() -> None:
    clock = VirtualClock()
    sandbox = Sandbox(clock=clock, faults="upload_chunk.cut_body=1.0,seed=2")

    async def gen() -> AsyncIterator[bytes]:
        yield DATA

    async with client(sandbox, clock) as wa:
        with pytest.raises(APIConnectionError):
            await wa.uploads.upload(gen(), file_type="image/png", size=len(DATA))
        with pytest.raises(ValueError, match="size"):
            await wa.uploads.upload(gen(), file_type="image/png")


async def test_the_steps_by_hand() -> None:
    clock = VirtualClock()
    sandbox = Sandbox(clock=clock)
    async with client(sandbox, clock) as wa:
        session = await wa.uploads.start(file_name="a.png", file_length=10, file_type="image/png")
        assert session.id.startswith("upload:") and "?sig=" in session.id
        assert (await wa.uploads.status(session.id)).file_offset == 0
        part = await wa.uploads.send_chunk(session.id, b"01234", file_offset=0)
        assert part.h is None and part.file_offset == 5
        assert (await wa.uploads.status(session.id)).file_offset == 5
        done = await wa.uploads.send_chunk(session.id, b"56789", file_offset=5)
        assert done.h
    assert assembled(sandbox) == b"0123456789"


async def test_wire_shape_and_refusals() -> None:
    seen: list[Request] = []

    def handler(request: Request) -> Response:
        seen.append(request)
        if request.url.endswith("/uploads?file_name=a.pdf&file_length=3&file_type=application%2Fpdf"):
            return Response(status_code=200, content=b'{"id": "upload:MTph?sig=ARZ-x_y"}')
        return Response(status_code=200, content=b'{"h": "2:abc"}')

    async with WhatsApp(access_token="tok", app_id="99", transport=MockTransport(handler)) as wa:
        assert await wa.uploads.upload(b"abc", file_type="application/pdf", file_name="a.pdf") == "2:abc"
        with pytest.raises(ValueError, match="file_type"):
            await wa.uploads.upload(b"abc", file_type="image/gif")
        with pytest.raises(ValueError, match="session_id"):
            await wa.uploads.status("MTph")
    assert len(seen) == 2
    assert seen[0].url.startswith("https://graph.facebook.com/v23.0/99/uploads?")
    chunk = seen[1]
    assert chunk.url == "https://graph.facebook.com/v23.0/upload:MTph?sig=ARZ-x_y"
    assert chunk.headers["file_offset"] == "0"
    assert chunk.headers["authorization"] == "OAuth tok"
    assert chunk.content == b"abc"
    async with WhatsApp(access_token="tok", transport=MockTransport(handler)) as no_app:
        with pytest.raises(ValueError, match="app_id"):
            await no_app.uploads.upload(b"abc", file_type="application/pdf")


@pytest.mark.parametrize("bad", ["a/b?x=1", "a?", "a?x#y", "a?x y", "", "a b"])
def test_session_segments_are_checked(bad: str) -> None:
    with pytest.raises(ValueError):
        path_segment_with_query("session", bad)
    assert path_segment_with_query("session", "MTph?sig=ARZ-x_y%2F") == "MTph?sig=ARZ-x_y%2F"
