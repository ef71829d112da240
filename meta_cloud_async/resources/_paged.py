"""``paged_endpoint``: ``endpoint``'s twin for Graph edges, returning an :class:`AsyncPaginator`.

::

    class Waba(Resource):
        activities = paged_endpoint(ListActivitiesRequest)

``wa.waba.activities(limit=50)`` builds the request at once (so bad input
raises before anything is sent), then ``await`` gives the first page and
``async for`` walks every item, following ``paging.next``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, overload

from ..pagination import AsyncPaginator
from ..types.shared import ApiRequest, Page

if TYPE_CHECKING:
    from ._base import Resource

__all__ = ["paged_endpoint"]

P = ParamSpec("P")
T = TypeVar("T")


class paged_endpoint(Generic[P, T]):
    """A namespace method that is its request class's constructor, then a paginator over the edge."""

    def __init__(self, request: Callable[P, ApiRequest[Page[T]]], *, doc: str | None = None) -> None:
        self.request = request
        self.name = ""
        self.__doc__ = doc or getattr(request, "__doc__", None)

    def __set_name__(self, owner: type[Any], name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> paged_endpoint[P, T]: ...
    @overload
    def __get__(self, obj: Resource, owner: type[Any]) -> Callable[P, AsyncPaginator[T]]: ...
    def __get__(self, obj: Resource | None, owner: type[Any]) -> Any:
        if obj is None:
            return self
        build = self.request
        client = obj._client

        def bound(*args: P.args, **kwargs: P.kwargs) -> AsyncPaginator[T]:
            request = build(*args, **kwargs)
            return AsyncPaginator(lambda: client._call(request), lambda url: client._follow(url, request))

        bound.__name__ = bound.__qualname__ = self.name
        bound.__doc__ = self.__doc__
        obj.__dict__[self.name] = bound
        return bound
