"""Shared by the transports: what a mapped error may carry from the library's own.

Graph ``paging.next`` URLs carry ``access_token`` in the query, and some
library errors quote the full URL (aiohttp's connect timeout, response
errors). Such an original must not ride along as ``__cause__``, where a
traceback would print it.
"""

from __future__ import annotations

from .._facts import SECRET_QUERY

__all__ = ["safe_cause"]


def safe_cause(exc: BaseException, url: str) -> BaseException | None:
    """``exc`` when its message cannot quote a secret from ``url``; otherwise None (chain suppressed)."""
    if "?" in url and SECRET_QUERY.search(url):
        return None
    return exc
