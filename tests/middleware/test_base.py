"""The middleware chain: order, and both ways a layer is bound."""

from __future__ import annotations

import functools

from meta_cloud_async._http import Request, Response
from meta_cloud_async.middleware.base import Handler, build_chain


async def test_chain_runs_outermost_first_whatever_the_layers_call_their_next() -> None:
    seen: list[str] = []

    class ByName:
        async def __call__(self, request: Request, call_next: Handler) -> Response:
            seen.append("by-name")
            return await call_next(request)

    async def positional(request: Request, nxt: Handler) -> Response:
        seen.append("positional")
        return await nxt(request)

    async def last(request: Request) -> Response:
        seen.append("transport")
        return Response(status_code=204)

    chain = build_chain([ByName(), positional, ByName()], last)
    response = await chain(Request(method="GET", url="http://127.0.0.1/x"))
    assert response.status_code == 204
    assert seen == ["by-name", "positional", "by-name", "transport"]


def test_a_layer_taking_call_next_by_name_is_bound_without_a_wrapper_of_ours() -> None:
    class ByName:
        async def __call__(self, request: Request, call_next: Handler) -> Response:
            return await call_next(request)

    async def positional(request: Request, nxt: Handler) -> Response:
        return await nxt(request)

    async def last(request: Request) -> Response:
        return Response(status_code=204)

    assert isinstance(build_chain([ByName()], last), functools.partial)
    assert not isinstance(build_chain([positional], last), functools.partial)
    assert not isinstance(build_chain([len], last), functools.partial)  # type: ignore[list-item]
