"""Our own request and response value types.

Transports translate to and from these, so no aiohttp or httpx type ever
reaches the client, the middleware or the resources.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

import attrs

from ._facts import REDACTED, SECRET_HEADERS, is_secret_name
from ._options import NOT_GIVEN

__all__ = ["Headers", "LowerCaseHeaders", "Request", "RequestMeta", "Response", "dumps_json", "loads_json"]

Headers = Mapping[str, str]


_decoder = json.JSONDecoder()
_JSON_WS = " \t\n\r"

#: ``json.dumps(obj, separators=(",", ":"))`` without building a new encoder per call.
dumps_json = json.JSONEncoder(separators=(",", ":")).encode


def loads_json(content: bytes | str) -> Any:
    """``json.loads(content)``, faster on the common path: UTF-8 text starting with the value.

    ``json.loads`` sniffs the encoding and runs two whitespace regexes per
    call; that is a third of what decoding a small Graph answer costs. Any
    other input (leading whitespace, a BOM, UTF-16, bad JSON, trailing data)
    takes ``json.loads`` itself, so results and errors are the same, except
    one: a value nested too deeply for the parser (``[[[[...`` from a hostile
    server) is a ``ValueError`` like any other undecodable body, never a
    ``RecursionError`` escaping every caller's ``except ValueError``.
    """
    try:
        try:
            text = content if isinstance(content, str) else content.decode()
            data, end = _decoder.raw_decode(text)
        except ValueError:
            return json.loads(content)
        if end != len(text) and text[end:].strip(_JSON_WS):
            return json.loads(content)
        return data
    except RecursionError:
        raise ValueError("JSON value nested too deeply") from None


class LowerCaseHeaders(dict[str, str]):
    """A header dict whose names are known to be lower-cased already.

    The client builds one per option set and reuses it for every request, so
    the converter can take it as is instead of copying it on each call.
    """


def _lower_keys(headers: Mapping[str, str] | None) -> Mapping[str, str]:
    if type(headers) is LowerCaseHeaders:
        return headers
    if not headers:
        return {}
    return {k.lower(): v for k, v in headers.items()}


@attrs.frozen(kw_only=True, slots=True)
class RequestMeta:
    """What the middleware needs to know about a call, decided by its declaration and client copy.

    ``idempotent`` says a repeat cannot duplicate an effect, so the call may be
    retried even when the first attempt may have reached the server.
    ``rate_limit_keys`` name the token buckets one attempt draws from.
    ``retry`` and ``rate_limit`` are a ``with_options`` copy's policies: ``NOT_GIVEN``
    means the middleware's own, ``None`` switches that middleware off for the call.
    """

    operation: str = ""
    idempotent: bool = False
    rate_limit_keys: tuple[str, ...] = ()
    #: Retry even a non-idempotent call after a code that proves Meta refused it unprocessed.
    retry_refused: bool = False
    retry: Any = NOT_GIVEN
    rate_limit: Any = NOT_GIVEN


_DEFAULT_META = RequestMeta()


def _redacted_url(url: str) -> str:
    base, sep, query = url.partition("?")
    if not sep:
        return url
    query, hash_sep, fragment = query.partition("#")
    parts = []
    for part in query.split("&"):
        name = unquote(part.split("=", 1)[0]).lower()
        # Graph ``paging.next`` links may carry the caller's token in the query string.
        parts.append(f"{part.split('=', 1)[0]}={REDACTED}" if is_secret_name(name) else part)
    return f"{base}?{'&'.join(parts)}{hash_sep}{fragment}"


def _redacted_headers(headers: Mapping[str, str]) -> str:
    shown = {k: (REDACTED if k in SECRET_HEADERS else v) for k, v in headers.items()}
    return repr(shown)


@attrs.frozen(kw_only=True, slots=True, repr=False)
class Request:
    """One HTTP request, fully built: absolute URL, headers and body bytes.

    Header names are stored lower-cased. The repr never shows the body (it may
    hold a PIN), the Authorization header, nor an ``access_token`` in the URL.
    """

    method: str
    url: str
    headers: Mapping[str, str] = attrs.field(factory=dict, converter=_lower_keys)
    content: bytes = b""
    timeout: float | None = None
    meta: RequestMeta = _DEFAULT_META

    def json(self) -> Any:
        """The body decoded as JSON (for ``MockTransport`` handlers); ``ValueError`` when it is not JSON."""
        if not isinstance(self.content, bytes):
            raise TypeError("this request's body is a stream, not bytes")
        return loads_json(self.content)

    def __repr__(self) -> str:
        return (
            f"Request(method={self.method!r}, url={_redacted_url(self.url)!r}, "
            f"headers={_redacted_headers(self.headers)}, content=<{len(self.content)} bytes>)"
        )


_UNDECODED: Any = object()
_NO_JSON: Any = object()


@attrs.frozen(kw_only=True, slots=True, repr=False, init=False)
class Response:
    """One HTTP response as the client sees it; header names are lower-cased.

    ``Response(status_code=200, json={...})`` encodes ``json`` as the body (for
    ``MockTransport`` handlers) and sets ``content-type: application/json``.
    """

    status_code: int
    headers: Mapping[str, str] = attrs.field(factory=dict, converter=_lower_keys)
    content: bytes = b""
    request: Request | None = attrs.field(default=None, eq=False)
    #: Set by the retry middleware when an earlier attempt of this call may have taken effect.
    prior_attempt_ambiguous: bool = attrs.field(default=False, eq=False)
    _decoded_body: Any = attrs.field(default=_UNDECODED, init=False, eq=False)

    def __init__(
        self,
        *,
        status_code: int,
        headers: Mapping[str, str] | None = None,
        content: bytes = b"",
        request: Request | None = None,
        prior_attempt_ambiguous: bool = False,
        json: Any = _NO_JSON,
    ) -> None:
        if json is not _NO_JSON:
            if content:
                raise TypeError("give content= or json=, not both")
            content = dumps_json(json).encode()
            headers = {"content-type": "application/json", **(headers or {})}
        self.__attrs_init__(
            status_code=status_code,
            headers=headers if headers is not None else {},
            content=content,
            request=request,
            prior_attempt_ambiguous=prior_attempt_ambiguous,
        )

    @property
    def is_success(self) -> bool:
        return 200 <= self.status_code < 300

    def decoded(self) -> Any:
        """The body as JSON, decoded once per response (the error mapping, the rate limiter and the
        client all read it); ``None`` when it is empty or not JSON. Treat the result as read-only."""
        value = self._decoded_body
        if value is _UNDECODED:
            try:
                value = loads_json(self.content) if self.content else None
            except ValueError:
                value = None
            object.__setattr__(self, "_decoded_body", value)
        return value

    def json(self) -> Any:
        """Decode the body as JSON (raises ``ValueError`` when it is not JSON)."""
        return loads_json(self.content)

    def __repr__(self) -> str:
        return f"Response(status_code={self.status_code}, content=<{len(self.content)} bytes>)"
