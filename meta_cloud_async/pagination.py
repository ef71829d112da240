"""Cursor pagination over Graph edges.

``await paginator`` gives the first page; ``async for item in paginator``
walks every item of every page by following ``paging.next`` and stops only
when a page has no ``next`` (pages may be short or even empty mid-way).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from typing import Any, Generic, TypeVar

from .errors import UnexpectedResponseError
from .types.shared import Page

__all__ = ["AsyncPaginator"]

T = TypeVar("T")


class AsyncPaginator(Generic[T]):
    def __init__(
        self,
        first: Callable[[], Awaitable[Page[T]]],
        follow: Callable[[str], Awaitable[Page[T]]],
    ) -> None:
        self._first = first
        self._follow = follow

    def __await__(self) -> Generator[Any, None, Page[T]]:
        return self._first().__await__()

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Every page in order."""
        page = await self._first()
        yield page
        followed: set[str] = set()
        while page.paging is not None and page.paging.next:
            url = page.paging.next
            if url in followed:  # a server loop would otherwise spin (and spend quota) forever
                raise UnexpectedResponseError("paging.next points to a page already fetched; stopping")
            followed.add(url)
            page = await self._follow(url)
            yield page

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.data:
                yield item
