"""Cursor pagination over Graph edges.

``await paginator`` gives the first page; ``async for item in paginator``
walks every item of every page by following ``paging.next`` and stops only
when a page has no ``next`` (pages may be short or even empty mid-way).

A hostile or broken server cannot keep a walk going forever: a link already
followed ends it (a cycle), and so does the ``max_pages``-th page (a server
handing out fresh cursors forever), each with a typed error.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Generator
from typing import Any, Final, Generic, TypeVar
from urllib.parse import urlsplit

from .errors import PageLimitError, UnexpectedResponseError
from .types.shared import Page

__all__ = ["DEFAULT_MAX_PAGES", "AsyncPaginator", "check_next_url"]

T = TypeVar("T")

#: 10,000 pages of Meta's largest page size is far beyond any real edge.
DEFAULT_MAX_PAGES: Final = 10_000


def _check_max_pages(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"max_pages must be an int, got {type(value).__name__}")
    if value < 1:
        raise ValueError(f"max_pages must be >= 1, got {value!r}")
    return value


def check_next_url(url: str, origin: tuple[str, str]) -> None:
    """Refuse a ``paging.next`` link we must not follow, before anything is sent.

    It must parse, name a valid port, hold no whitespace or control
    character, and stay on the client's own ``(scheme, host[:port])``, so the
    token is never sent elsewhere. Every refusal is an
    :class:`UnexpectedResponseError` (server data is at fault, not the caller);
    the message never quotes the link, which may carry a token.
    """
    if not url.isascii() or not url.isprintable() or " " in url:
        raise UnexpectedResponseError("paging.next is not a valid URL (whitespace or control characters)")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port out of range or not a number
    except ValueError:
        raise UnexpectedResponseError("paging.next is not a valid URL") from None
    if parts[:2] != origin:
        raise UnexpectedResponseError("paging.next points to another host; refusing to send the token there")


class AsyncPaginator(Generic[T]):
    """The pages of one Graph edge; at most ``max_pages`` of them are fetched per walk.

    ``max_pages`` may also be set on the paginator before walking it
    (``paginator.max_pages = 50_000``).
    """

    def __init__(
        self,
        first: Callable[[], Awaitable[Page[T]]],
        follow: Callable[[str], Awaitable[Page[T]]],
        *,
        max_pages: int = DEFAULT_MAX_PAGES,
    ) -> None:
        self._first = first
        self._follow = follow
        self._max_pages = _check_max_pages(max_pages)

    @property
    def max_pages(self) -> int:
        """How many pages a walk may fetch before it raises ``PageLimitError`` (settable, a positive int)."""
        return self._max_pages

    @max_pages.setter
    def max_pages(self, value: int) -> None:
        self._max_pages = _check_max_pages(value)

    def __await__(self) -> Generator[Any, None, Page[T]]:
        return self._first().__await__()

    async def pages(self) -> AsyncIterator[Page[T]]:
        """Every page in order; :class:`PageLimitError` rather than fetch page ``max_pages + 1``."""
        max_pages = self._max_pages
        page = await self._first()
        yield page
        fetched = 1
        followed: set[str] = set()
        while page.paging is not None and page.paging.next:
            url = page.paging.next
            if url in followed:  # a server loop would otherwise spin (and spend quota) forever
                raise UnexpectedResponseError("paging.next points to a page already fetched; stopping")
            if fetched >= max_pages:
                raise PageLimitError(
                    f"stopped after max_pages={max_pages} pages with more announced; "
                    "raise the paginator's max_pages to walk further"
                )
            followed.add(url)
            page = await self._follow(url)
            fetched += 1
            yield page

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.data:
                yield item
