"""Our own request and response value types.

Transports translate to and from these, so no aiohttp or httpx type ever
reaches the client, the middleware or the resources.
"""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable, Iterator, Mapping
from typing import Any, Protocol, Union
from urllib.parse import unquote

import attrs

from ._facts import REDACTED, SECRET_HEADERS, is_secret_name
from ._options import NOT_GIVEN

__all__ = [
    "JSON_BACKEND",
    "MAX_ERROR_BODY",
    "ByteStream",
    "Content",
    "HeaderView",
    "Headers",
    "IterableStream",
    "LowerCaseHeaders",
    "Request",
    "RequestMeta",
    "Response",
    "dumps_json",
    "dumps_json_bytes",
    "is_replayable",
    "loads_json",
    "may_hold_big_int",
    "open_content",
]

Headers = Mapping[str, str]


#: A request body: bytes, a one-shot async iterable of bytes, or a zero-argument factory that
#: returns a fresh async iterable each time it is called. Only bytes and factories can be
#: sent twice, so only they are ever retried (a factory re-opens its file per attempt).
Content = Union[bytes, AsyncIterable[bytes], Callable[[], AsyncIterable[bytes]]]

#: The most of an error answer a transport reads from a streamed response (the error mapping needs it).
MAX_ERROR_BODY = 1 << 20


def is_replayable(content: Content) -> bool:
    """True when ``content`` can be sent again: bytes, or a factory of fresh streams."""
    # Plain bytes (every JSON call) first, without the tuple isinstance: this runs on each call.
    return (
        type(content) is bytes
        or isinstance(content, (bytes, bytearray, memoryview))
        or (callable(content) and not hasattr(content, "__aiter__"))
    )


def open_content(content: Content) -> bytes | AsyncIterable[bytes]:
    """What one attempt sends: the bytes, the stream, or a fresh stream from the factory."""
    if isinstance(content, (bytes, bytearray, memoryview)):
        return bytes(content)
    if hasattr(content, "__aiter__"):
        return content
    return content()


class ByteStream(Protocol):
    """A response body read as it arrives; what a transport puts in ``Response.stream``.

    ``aclose`` must release the connection at once (dropping it when the body
    was not read to the end) and be safe to call twice.
    """

    def __aiter__(self) -> AsyncIterator[bytes]: ...

    def aclose(self) -> Awaitable[None]: ...


class IterableStream:
    """A :class:`ByteStream` over any async iterable (for ``MockTransport`` handlers and tests)."""

    def __init__(self, source: AsyncIterable[bytes], on_close: Callable[[], Awaitable[None]] | None = None):
        self._source = source
        self._on_close = on_close
        self.closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._source:
            yield chunk

    async def aclose(self) -> None:
        if self.closed:
            return
        self.closed = True
        close = getattr(self._source, "aclose", None)
        if close is not None:
            await close()
        if self._on_close is not None:
            await self._on_close()


_decoder = json.JSONDecoder()
_JSON_WS = " \t\n\r"


def _not_serializable(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _make_stdlib_dumps() -> Callable[[Any], str]:
    # ``JSONEncoder.encode`` builds a new C encoder on every call (a third of a small body's cost);
    # one built here is reused. No circular check (request bodies are trees); NaN and infinities
    # are refused, since Graph cannot read them and a silent ``NaN`` would fail only at Meta.
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - only interpreters without the C accelerator
        return json.JSONEncoder(separators=(",", ":"), allow_nan=False).encode
    encode = make(
        None, _not_serializable, json.encoder.encode_basestring_ascii, None, ":", ",", False, False, False
    )

    def dumps(value: Any) -> str:
        try:
            return "".join(encode(value, 0))
        except RecursionError:
            raise ValueError("cannot encode a circular or too deeply nested value as JSON") from None

    return dumps


#: ``json.dumps(obj, separators=(",", ":"), allow_nan=False)``, without building an encoder per call.
stdlib_dumps_json: Callable[[Any], str] = _make_stdlib_dumps()


def stdlib_loads_json(content: bytes | str) -> Any:
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


def stdlib_dumps_json_bytes(value: Any) -> bytes:
    """:func:`stdlib_dumps_json` as UTF-8 bytes (ASCII, in fact: non-ASCII text is escaped)."""
    return stdlib_dumps_json(value).encode()


# orjson reads an integer beyond 64 bits as a float, silently losing digits (from 19 digits on:
# -9223372036854775809 is one). Such a body is left to the standard library, which keeps every
# digit. Digits are found at C speed by mapping them to "9" and the rest to " " (a regex is slower
# than orjson itself); a run counts only where a number can start, so ids and Meta's ``user_id``
# inside strings ("US.13491208655302741918") do not send a webhook body down the slow path.
_BIG_RUN = 19
_digits_only = bytes(57 if 48 <= i <= 57 else 32 for i in range(256))
_big_digits = b"9" * _BIG_RUN
_NUMBER_STARTS = frozenset(b":,[")
_BLANKS = frozenset(b" \t\n\r")


def may_hold_big_int(raw: bytes) -> bool:
    """Whether ``raw`` may hold an integer of 19 or more digits as a JSON number (not in a string).

    A number token follows ``:``, ``,``, ``[`` or the start of the document (blanks and a ``-``
    between); a run of digits after anything else is inside a string. A string holding ``": 1..."``
    counts too: a false alarm only costs the slower decoder, never a digit.
    """
    mapped = raw.translate(_digits_only)
    at = mapped.find(_big_digits)
    while at != -1:
        i = at - 1
        if i >= 0 and raw[i] == 45:  # "-"
            i -= 1
        while i >= 0 and raw[i] in _BLANKS:
            i -= 1
        if i < 0 or raw[i] in _NUMBER_STARTS:
            return True
        end = mapped.find(b" ", at)
        if end == -1:
            return False
        at = mapped.find(_big_digits, end)
    return False


def _orjson_backend() -> Any:
    """orjson (the ``fast`` extra) unless ``META_CLOUD_ASYNC_JSON=stdlib`` asks for the standard library."""
    if os.environ.get("META_CLOUD_ASYNC_JSON", "").strip().lower() == "stdlib":
        return None
    try:
        import orjson
    except ImportError:
        return None
    return orjson


_orjson = _orjson_backend()
#: The JSON library the client encodes and decodes with: ``"orjson"`` or ``"json"``.
JSON_BACKEND = "json" if _orjson is None else "orjson"

#: A value as compact JSON bytes: what request bodies are made of.
dumps_json_bytes: Callable[[Any], bytes] = stdlib_dumps_json_bytes
#: A value as compact JSON text.
dumps_json: Callable[[Any], str] = stdlib_dumps_json
#: JSON bytes or text decoded (``ValueError`` when it is not JSON).
loads_json: Callable[[bytes | str], Any] = stdlib_loads_json

if _orjson is not None:
    _orjson_dumps = _orjson.dumps
    _orjson_loads = _orjson.loads
    _OrjsonError = _orjson.JSONDecodeError

    def _orjson_dumps_bytes(value: Any) -> bytes:
        try:
            out: bytes = _orjson_dumps(value)
        except TypeError:
            return stdlib_dumps_json_bytes(value)  # the standard library's error (or its int keys)
        # orjson writes NaN and infinities as ``null``: let the standard library refuse them.
        # ``110 in out`` (is there an "n" at all) is a memchr; ``bytes.find`` is cheaper than ``in``.
        return stdlib_dumps_json_bytes(value) if 110 in out and out.find(b"null") != -1 else out

    def _orjson_dumps_text(value: Any) -> str:
        return _orjson_dumps_bytes(value).decode()

    def _orjson_loads_json(content: bytes | str) -> Any:
        raw = content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content
        if len(raw) >= _BIG_RUN and may_hold_big_int(raw):
            return stdlib_loads_json(content)
        try:
            return _orjson_loads(content)
        except _OrjsonError:
            # orjson refuses a BOM, UTF-16, NaN literals and big numbers json.loads reads: the
            # standard library decides those, so answers and errors are the same either way.
            return stdlib_loads_json(content)

    dumps_json_bytes = _orjson_dumps_bytes
    dumps_json = _orjson_dumps_text
    loads_json = _orjson_loads_json


class LowerCaseHeaders(dict[str, str]):
    """A header dict whose names are known to be lower-cased already.

    The client builds one per option set and reuses it for every request, so
    the converter can take it as is instead of copying it on each call.
    """


class HeaderView(Mapping[str, str]):
    """A response's headers over the case-insensitive mapping its transport already has (aiohttp's, httpx's).

    Copying every header into a lower-cased dict costs a few microseconds per answer, and
    the success path only asks whether a name is there; so names are matched without
    regard to case at once, and the lower-cased dict (a repeated header gives its last
    value, as before) is built only when a value is read or the headers are iterated.
    The transport's own type never shows: this is the only thing callers see.
    """

    __slots__ = ("_lowered", "_source")

    def __init__(self, source: Mapping[str, str]) -> None:
        self._source = source
        self._lowered: dict[str, str] | None = None

    def _dict(self) -> dict[str, str]:
        lowered = self._lowered
        if lowered is None:
            lowered = self._lowered = {k.lower(): v for k, v in self._source.items()}
        return lowered

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self._source  # case-insensitive in the source already

    def __len__(self) -> int:
        return len(self._dict())

    def __bool__(self) -> bool:
        return bool(self._source)

    def __getitem__(self, key: str) -> str:
        return self._dict()[key.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._dict())

    def __repr__(self) -> str:
        return repr(self._dict())


def _lower_keys(headers: Mapping[str, str] | None) -> Mapping[str, str]:
    if type(headers) is LowerCaseHeaders or type(headers) is HeaderView:
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
# The fast constructors of Request and Response (built per call) set their slots directly.
_new_object = object.__new__


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
    """One HTTP request, fully built: absolute URL, headers and body.

    ``content`` is bytes, an async iterable of bytes (sent once, never retried)
    or a zero-argument factory of such iterables (see :data:`Content`).
    ``stream=True`` asks for the answer as a stream: a success status comes back
    with ``Response.stream`` set and the body unread; an error status (>= 300)
    is read (up to :data:`MAX_ERROR_BODY`) so the error mapping works as usual.

    Header names are stored lower-cased. The repr never shows the body (it may
    hold a PIN), the Authorization header, nor an ``access_token`` in the URL.
    """

    method: str
    url: str
    headers: Mapping[str, str] = attrs.field(factory=dict, converter=_lower_keys)
    #: A :data:`Content`. Typed ``Any`` so the common case (bytes, in every handler and test
    #: that reads ``request.content``) needs no narrowing; :func:`open_content` reads any kind.
    content: Any = b""
    timeout: float | None = None
    meta: RequestMeta = _DEFAULT_META
    stream: bool = False

    @classmethod
    def _built(
        cls,
        method: str,
        url: str,
        headers: LowerCaseHeaders,
        content: Any,
        timeout: float | None,
        meta: RequestMeta,
    ) -> Request:
        """What the client builds for each call: the same object as ``Request(...)`` (tests hold the
        two equal), from headers already lower-cased, without the attrs ``__init__`` on the hot path."""
        self = _new_object(cls)
        _req_method(self, method)
        _req_url(self, url)
        _req_headers(self, headers)
        _req_content(self, content)
        _req_timeout(self, timeout)
        _req_meta(self, meta)
        _req_stream(self, False)
        return self

    def json(self) -> Any:
        """The body decoded as JSON (for ``MockTransport`` handlers); ``ValueError`` when it is not JSON."""
        if not isinstance(self.content, bytes):
            raise TypeError("this request's body is a stream, not bytes")
        return loads_json(self.content)

    def __repr__(self) -> str:
        content = self.content
        shown = f"<{len(content)} bytes>" if isinstance(content, (bytes, bytearray)) else "<stream>"
        return (
            f"Request(method={self.method!r}, url={_redacted_url(self.url)!r}, "
            f"headers={_redacted_headers(self.headers)}, content={shown})"
        )


def _slot_setters(cls: type[Any], *names: str) -> tuple[Callable[[Any, Any], None], ...]:
    """The slots' own setters: they write past a frozen class's ``__setattr__``, in half the time
    ``object.__setattr__`` takes (it looks the name up first). For the per-call constructors only."""
    return tuple(cls.__dict__[name].__set__ for name in names)


(_req_method, _req_url, _req_headers, _req_content, _req_timeout, _req_meta, _req_stream) = _slot_setters(
    Request, "method", "url", "headers", "content", "timeout", "meta", "stream"
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
    #: The unread body of a streamed answer (``Request.stream``); None when ``content`` holds it.
    stream: ByteStream | None = attrs.field(default=None, eq=False)
    _decoded_body: Any = attrs.field(default=_UNDECODED, init=False, eq=False)

    def __init__(
        self,
        *,
        status_code: int,
        headers: Mapping[str, str] | None = None,
        content: bytes = b"",
        request: Request | None = None,
        prior_attempt_ambiguous: bool = False,
        stream: ByteStream | None = None,
        json: Any = _NO_JSON,
    ) -> None:
        if json is not _NO_JSON:
            if content:
                raise TypeError("give content= or json=, not both")
            content = dumps_json_bytes(json)
            headers = {"content-type": "application/json", **(headers or {})}
        self.__attrs_init__(
            status_code=status_code,
            headers=headers if headers is not None else {},
            content=content,
            request=request,
            prior_attempt_ambiguous=prior_attempt_ambiguous,
            stream=stream,
        )

    @classmethod
    def _received(
        cls, status_code: int, headers: Mapping[str, str], content: bytes, request: Request | None
    ) -> Response:
        """What a transport builds for each buffered answer: the same object as ``Response(...)``
        (tests hold the two equal), without keyword parsing and the attrs ``__init__`` on the hot path."""
        self = _new_object(cls)
        _resp_status_code(self, status_code)
        _resp_headers(self, _lower_keys(headers))
        _resp_content(self, content)
        _resp_request(self, request)
        _resp_prior_attempt_ambiguous(self, False)
        _resp_stream(self, None)
        _resp_decoded_body(self, _UNDECODED)
        return self

    @property
    def is_success(self) -> bool:
        """Whether the status is 2xx."""
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
            _resp_decoded_body(self, value)
        return value

    async def aiter_bytes(self) -> AsyncIterator[bytes]:
        """The body chunk by chunk; a streamed body is closed when the loop ends, breaks or is cancelled."""
        stream = self.stream
        if stream is None:
            if self.content:
                yield self.content
            return
        try:
            async for chunk in stream:
                if chunk:
                    yield chunk
        finally:
            await stream.aclose()

    async def aread(self) -> bytes:
        """The whole body (a streamed one read to the end and closed)."""
        if self.stream is None:
            return self.content
        return b"".join([chunk async for chunk in self.aiter_bytes()])

    async def aclose(self) -> None:
        """Release the connection of a streamed body (dropping it if unread); a no-op otherwise."""
        if self.stream is not None:
            await self.stream.aclose()

    async def __aenter__(self) -> Response:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def json(self) -> Any:
        """Decode the body as JSON (raises ``ValueError`` when it is not JSON)."""
        return loads_json(self.content)

    def __repr__(self) -> str:
        return f"Response(status_code={self.status_code}, content=<{len(self.content)} bytes>)"


(
    _resp_status_code,
    _resp_headers,
    _resp_content,
    _resp_request,
    _resp_prior_attempt_ambiguous,
    _resp_stream,
    _resp_decoded_body,
) = _slot_setters(
    Response,
    "status_code",
    "headers",
    "content",
    "request",
    "prior_attempt_ambiguous",
    "stream",
    "_decoded_body",
)
