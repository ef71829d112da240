"""What every namespace shares: the client reference, and ``endpoint``, a method declared in one line.

::

    class Media(Resource):
        delete = endpoint(DeleteMediaRequest)

makes ``await wa.media.delete(media_id="1")`` build ``DeleteMediaRequest(media_id="1")``
and send it; mypy and IDEs see the request class's exact keyword signature and
its declared response model as the return type.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, overload

from ..types.shared import ApiRequest

if TYPE_CHECKING:
    from .._client import WhatsApp

__all__ = ["Resource", "endpoint"]

P = ParamSpec("P")
R = TypeVar("R")


class Resource:
    """A namespace of calls; its methods validate input and hand one request object to the client."""

    def __init__(self, client: WhatsApp) -> None:
        self._client = client


class endpoint(Generic[P, R]):
    """A namespace method that is exactly its request class's constructor, then the call.

    A non-data descriptor: the bound function is made once per namespace
    instance and cached in its ``__dict__``.
    """

    def __init__(self, request: Callable[P, ApiRequest[R]], *, doc: str | None = None) -> None:
        self.request = request
        self.name = ""
        self.__doc__ = doc or getattr(request, "__doc__", None)

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> endpoint[P, R]: ...
    @overload
    def __get__(self, obj: Resource, owner: type[Any]) -> Callable[P, Awaitable[R]]: ...
    def __get__(self, obj: Resource | None, owner: type[Any]) -> Any:
        if obj is None:
            return self
        build = self.request
        call = obj._client._call

        async def bound(*args: P.args, **kwargs: P.kwargs) -> R:
            return await call(build(*args, **kwargs))

        bound.__name__ = bound.__qualname__ = self.name
        bound.__doc__ = self.__doc__
        obj.__dict__[self.name] = bound
        return bound
