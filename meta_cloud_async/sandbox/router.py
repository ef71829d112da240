"""The router: (method, path, query, headers, body) in, (status, headers, body bytes) out.

Both doors (the in-process transport and the aiohttp server) call
:meth:`Router.process` for every request, so they behave the same by
construction. Routing matches the path against the SDK's own operation
declarations (:mod:`.routes`: one compiled template per operation, indexed by
method and segment count); validation stays the sandbox's own.

Order of checks for a Graph call (each refusal is an answer, never an exception
to the door): transient fault -> path/version -> access token -> app budget ->
object lookup -> WABA budget -> body parsing -> the state machine.
"""

from __future__ import annotations

import json
import logging
import math
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, overload
from urllib.parse import parse_qsl, urlencode

import attrs

from .._facts import REDACTED, is_ascii_digits, is_secret_name
from .._http import LowerCaseHeaders
from .budgets import Budget, UsageMeter
from .clock import Clock, Sleep
from .content_routes import FLOW_ASSET_PREFIX
from .envelope import GraphError, render_error
from .faults import Decision, FaultInjector, FaultKind
from .routes import Call, Resolved, not_emulated_error, route_table
from .state import SUCCESS, Business

__all__ = ["RequestLog", "RequestLogEntry", "Result", "Router"]

_log = logging.getLogger(__name__)

_SUCCESS_BODY = b'{"success":true}'
_JSON = "application/json; charset=UTF-8"
_REDACTED = REDACTED
#: The request log keeps bounded entries only: the sandbox may be reachable by anyone with its
#: (public default) token, so 10,000 entries must never mean 10,000 request bodies.
LOG_VALUE_CHARS = 64
LOG_PARAMS = 32
LOG_TEXT_CHARS = 512
#: How many distinct API versions are remembered (each one seen once is cached for the fast path).
MAX_VERSIONS = 64
#: Multipart bodies up to this size are parsed into parameters (Flow JSON uploads); larger ones
#: (media uploads) are left to their route, which parses the raw body once.
_MULTIPART_FIELDS_MAX = 1024 * 1024


@attrs.frozen(kw_only=True, slots=True)
class RequestLogEntry:
    """One Graph call as the sandbox saw it, bounded: no PIN, code or token, and no body is kept.

    ``params`` holds parameter names (at most 32) with scalar values capped at
    64 characters; objects and lists are summarised (``"<list of 3 items>"``).
    ``path`` and the redacted ``query`` are capped at 512 characters.
    """

    seq: int
    at: float
    method: str
    path: str
    query: str
    route: str
    status: int | None
    error_code: int | None
    fault: str | None
    params: Mapping[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        """The entry as plain values (for the admin door's request log)."""
        return attrs.asdict(self)


_LogRow = tuple[
    int,
    float,
    str,
    str,
    str,
    str,
    "int | None",
    "int | None",
    "str | None",
    "tuple[tuple[str, Any], ...] | None",
]


def _log_row(
    *,
    seq: int,
    at: float,
    method: str,
    path: str,
    query: str,
    route: str,
    status: int | None,
    error_code: int | None,
    fault: str | None,
    params: Mapping[str, Any] | None,
) -> _LogRow:
    """A log entry as a plain tuple of scalars (params as pairs): the collector stops tracking it.

    10,000 entry objects kept alive would be walked by every full collection of the process the
    sandbox runs in (a rotation's event loop); entries are built only when the log is read. A
    dict, even of scalars, would keep its row tracked, hence the pairs.
    """
    pairs = None if params is None else tuple(params.items())
    return (seq, at, method, path, query, route, status, error_code, fault, pairs)


def _log_entry(row: _LogRow) -> RequestLogEntry:
    seq, at, method, path, query, route, status, error_code, fault, params = row
    return RequestLogEntry(
        seq=seq,
        at=at,
        method=method,
        path=path,
        query=query,
        route=route,
        status=status,
        error_code=error_code,
        fault=fault,
        params=None if params is None else dict(params),
    )


class RequestLog(Sequence[RequestLogEntry]):
    """The bounded request log: reads as a sequence of :class:`RequestLogEntry`, stores plain rows."""

    __slots__ = ("_rows",)

    def __init__(self, maxlen: int) -> None:
        self._rows: deque[_LogRow] = deque(maxlen=maxlen)

    @property
    def maxlen(self) -> int | None:
        return self._rows.maxlen

    def append(self, row: _LogRow) -> None:
        """Add a row made by :func:`_log_row` (the oldest one drops out when full)."""
        self._rows.append(row)

    def clear(self) -> None:
        self._rows.clear()

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> RequestLogEntry: ...

    @overload
    def __getitem__(self, index: slice) -> list[RequestLogEntry]: ...

    def __getitem__(self, index: int | slice) -> RequestLogEntry | list[RequestLogEntry]:
        if isinstance(index, slice):
            return [_log_entry(row) for row in list(self._rows)[index]]
        return _log_entry(self._rows[index])

    def __iter__(self) -> Iterator[RequestLogEntry]:
        for row in self._rows:
            yield _log_entry(row)

    def __repr__(self) -> str:
        return f"RequestLog({len(self)} entries, maxlen={self.maxlen})"


class Result:
    """What a door must send: status, headers and body, or ``reset`` (drop the connection)."""

    __slots__ = ("body", "cut_at", "headers", "reset", "slow_chunk_delay", "slow_chunks", "status")

    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.reset = False
        self.slow_chunks = 0
        self.slow_chunk_delay = 0.0
        #: Send only ``body[:cut_at]`` (headers announcing it whole), then drop the connection.
        self.cut_at: int | None = None


def _is_secret(key: str) -> bool:
    # Case-insensitive: a ``Pin`` Graph ignores still must not put a PIN in the log.
    return is_secret_name(key)


def _capped(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}...(+{len(text) - limit} chars)"


def _logged_value(key: str, value: Any) -> Any:
    """One parameter's value as the log keeps it: redacted, scalar, at most ``LOG_VALUE_CHARS`` long.

    Objects and lists are summarised, never kept: the log must not grow with
    the bodies it is sent (nor hold a secret nested anywhere inside them).
    """
    if _is_secret(key):
        return _REDACTED
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value if len(repr(value)) <= LOG_VALUE_CHARS else _capped(repr(value), LOG_VALUE_CHARS)
    if isinstance(value, str):
        return _capped(value, LOG_VALUE_CHARS)
    if isinstance(value, Mapping):
        return f"<object with {len(value)} keys>"
    if isinstance(value, (list, tuple)):
        return f"<list of {len(value)} items>"
    return f"<{type(value).__name__}>"


def _redact(params: Mapping[str, Any]) -> dict[str, Any]:
    """Parameter names (capped) with their logged values, for at most ``LOG_PARAMS`` parameters."""
    if len(params) == 1:  # most calls (a PIN, a code): no loop, no enumerate
        for key, value in params.items():
            name = key if isinstance(key, str) else repr(key)
            return {_capped(name, LOG_VALUE_CHARS): _logged_value(name, value)}
    out: dict[str, Any] = {}
    for i, (key, value) in enumerate(params.items()):
        if i == LOG_PARAMS:
            out["<more>"] = f"{len(params) - LOG_PARAMS} more parameters not kept"
            break
        name = key if isinstance(key, str) else repr(key)
        out[_capped(name, LOG_VALUE_CHARS)] = _logged_value(name, value)
    return out


def _redact_query(query: str) -> str:
    """Decode keys (``access%5Ftoken`` is ``access_token``) before matching, so no encoding slips a secret by."""
    if not query:
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    return _capped(urlencode([(k, _REDACTED if _is_secret(k) else v) for k, v in pairs]), LOG_TEXT_CHARS)


def _bad_input(exc: Exception) -> GraphError:
    """Malformed input the checks did not anticipate: a Graph ``(#100)``, never a crash of the door."""
    return GraphError.invalid_parameter(f"The request could not be parsed ({type(exc).__name__}).")


def _unexpected(exc: BaseException, where: str) -> GraphError:
    # Only the exception type is logged: its message could carry request data.
    _log.error("sandbox: unexpected %s while answering %s", type(exc).__name__, where)
    return GraphError(
        500,
        1,
        "(#1) An unknown error occurred",
        is_transient=False,
        details="The sandbox failed unexpectedly on this call.",
    )


def _multipart_fields(ctype: str, body: bytes) -> dict[str, Any]:
    """The fields of a ``multipart/form-data`` body: file parts as bytes, the others as text."""
    import email.parser
    import email.policy

    if "boundary=" not in ctype:
        raise GraphError.invalid_parameter("multipart/form-data without a boundary")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + ctype.encode("latin-1") + b"\r\n\r\n" + body
    )
    if not message.is_multipart():
        raise GraphError.invalid_parameter("The multipart body could not be parsed.")
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise GraphError.invalid_parameter("a multipart part has no name")
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        fields[name] = data if part.get_filename() is not None else data.decode("utf-8")
    return fields


_is_digits = is_ascii_digits  # ``str.isdigit`` alone accepts ``²``, which ``int`` rejects


def _is_version(segment: str) -> bool:
    """``v23.0``: at most three digits each side, so the set of versions a client can make us see is small."""
    major, dot, minor = segment[1:].partition(".")
    return (
        segment[:1] == "v"
        and bool(dot)
        and len(major) <= 3
        and len(minor) <= 3
        and _is_digits(major)
        and _is_digits(minor)
    )


class Router:
    """Graph paths plus the ``/_sandbox/...`` admin paths, over one :class:`Business`."""

    def __init__(
        self,
        *,
        business: Business,
        access_token: str,
        clock: Clock,
        faults: FaultInjector,
        app_budget: Budget,
        waba_budget: Budget,
        log_size: int,
        on_reset: Callable[[], None],
        advance: Callable[[float], float] | None,
    ) -> None:
        self._token = access_token
        self._bearer = f"Bearer {access_token}"
        self._clock = clock
        self._app_budget = app_budget
        self._waba_budget = waba_budget
        self._on_reset = on_reset
        self._advance = advance
        self._versions: set[str] = set()
        self.routes = route_table()
        self._last: tuple[str, str, Business, Resolved | None] | None = None
        self.log = RequestLog(log_size)
        self.faults = faults
        self.business = business
        self._seq = 0
        self._app_meter = UsageMeter(app_budget, clock())
        self._waba_meters: dict[str, UsageMeter] = {}
        self._app_cache: dict[int, str] = {}
        self._buc_cache: dict[tuple[str, int, int], str] = {}
        self.reset(business, faults)

    def entries(self) -> list[RequestLogEntry]:
        """The request log, oldest first."""
        return list(self.log)

    def reset(self, business: Business, faults: FaultInjector) -> None:
        now = self._clock()
        self.business = business
        self.faults = faults
        self._app_meter = UsageMeter(self._app_budget, now)
        self._waba_meters = {waba: UsageMeter(self._waba_budget, now) for waba in business.waba_ids}
        self.log.clear()
        self._seq = 0

    # -- the shared entry point --------------------------------------------------

    def _resolve(self, method: str, path: str) -> Resolved | None:
        """Match ``/{version}/...`` against the declared operations (cached for the call's second look)."""
        last = self._last
        if last is not None and last[0] == method and last[1] == path and last[2] is self.business:
            return last[3]
        _, _, rest = path[1:].partition("/")
        rel = rest[:-1] if rest.endswith("/") else rest
        resolved = self.routes.resolve(method, rel, self.business)
        self._last = (method, path, self.business, resolved)
        return resolved

    def route_of(self, method: str, path: str) -> str:
        """The route name faults and the log use: the matched declaration's route, else ``other``."""
        if path.startswith("/_sandbox"):
            return "admin"
        if path.startswith("/_media/"):
            return "download_media"
        resolved = self._resolve(method, path)
        return "other" if resolved is None else resolved.route.name

    async def process(
        self,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
        origin: str,
        sleep: Sleep,
    ) -> Result:
        """Decide faults, wait out latency, then answer (or tell the door to drop the connection).

        Both doors call this for every request, admin paths included.
        """
        route = self.route_of(method, path)
        if route == "admin" or not self.faults.enabled:
            return self._answer_now(method, path, query, headers, body, origin, route)
        return await self._faulted(method, path, query, headers, body, origin, sleep, route)

    def process_now(
        self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes, origin: str
    ) -> Result | None:
        """:meth:`process` without the coroutine when no fault can apply (admin paths, faults off), else ``None``.

        The in-process door calls this first: an unfaulted call never waits, so
        its answer needs no frame to resume (a rotation makes 100,000 of them).
        """
        route = self.route_of(method, path)
        if route == "admin" or not self.faults.enabled:
            return self._answer_now(method, path, query, headers, body, origin, route)
        return None

    def _answer_now(
        self,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
        origin: str,
        route: str,
    ) -> Result:
        if route == "admin":
            return self.admin(method, path, query, headers, body)
        if route == "download_media":
            return self.media_download(method, path, query, headers)
        return self.handle(method, path, query, headers, body, origin, route)

    async def _faulted(
        self,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
        origin: str,
        sleep: Sleep,
        route: str,
    ) -> Result:
        decision = self.faults.decide(route)
        if decision.delay:
            await sleep(decision.delay)
        if decision.kind is FaultKind.RESET_BEFORE:
            self._seq += 1
            self.log.append(
                _log_row(
                    seq=self._seq,
                    at=self._clock(),
                    method=_capped(method, LOG_VALUE_CHARS),
                    path=_capped(path, LOG_TEXT_CHARS),
                    query=_redact_query(query),
                    route=route,
                    status=None,
                    error_code=None,
                    fault=decision.label,
                    params=None,
                )
            )
            result = Result(0, {}, b"")
            result.reset = True
            return result
        if route == "download_media":
            result = self.media_download(method, path, query, headers, decision)
        elif decision.cut and route == "upload_chunk":
            # Half the body arrived before the connection dropped: that half is kept.
            result = self.handle(
                method, path, query, headers, body[: len(body) // 2], origin, route, decision
            )
            result.reset = True
        else:
            result = self.handle(method, path, query, headers, body, origin, route, decision)
        if decision.kind is FaultKind.RESET_AFTER:
            result.reset = True
        result.slow_chunks = decision.slow_chunks
        result.slow_chunk_delay = decision.slow_chunk_delay
        return result

    def handle(
        self,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
        origin: str,
        route: str,
        decision: Decision | None = None,
    ) -> Result:
        """Answer one Graph call synchronously (faults other than ``transient`` are the door's job)."""
        now = self._clock()
        self._seq = seq = self._seq + 1
        trace = f"ASbx{seq:011d}"
        parts = path.split("/")
        version = parts[1] if len(parts) > 1 else ""
        waba_id: str | None = None
        params: dict[str, Any] | None = None
        status = 200
        error_code: int | None = None
        try:
            if decision is not None and decision.transient is not None:
                code, http_status, title = decision.transient
                raise GraphError(
                    http_status,
                    code,
                    f"(#{code}) {title}",
                    is_transient=True,
                    details="A transient error; retry the call later.",
                )
            if version not in self._versions:
                if not _is_version(version):
                    raise GraphError.unknown_path(path)
                if len(self._versions) < MAX_VERSIONS:  # beyond it, checked per call, never stored
                    self._versions.add(version)
            self._authenticate(headers, query)
            resolved = self._resolve(method, path)
            if resolved is not None:
                waba_id = resolved.waba_id
            if not self._app_meter.try_acquire(now):
                raise GraphError(
                    429,
                    4,
                    "(#4) Application request limit reached",
                    details="The app's call budget is spent; calls are accepted again as usage decays.",
                    is_transient=True,
                )
            if resolved is None or not resolved.found:
                rel = "/".join(parts[2:]).rstrip("/")
                missing = None if resolved is not None else self.routes.not_emulated(method, rel)
                if missing is not None:
                    raise not_emulated_error(missing)
                raise GraphError.unsupported(method, parts[2] if len(parts) > 2 else "")
            if waba_id is not None:
                meter = self._waba_meters[waba_id]
                if not meter.try_acquire(now):
                    raise GraphError.whatsapp(
                        80007,
                        "Rate limit issues",
                        f"The WhatsApp Business Account {waba_id} reached its call budget; retry after "
                        f"{meter.regain_minutes(now)} minutes.",
                        is_transient=True,
                    )
            params = self._params(method, query, headers, body)
            self._last = None
            call = Call(
                self.business,
                resolved.phone,
                waba_id,
                resolved.values,
                params,
                now,
                origin,
                path,
                body,
                headers,
            )
            payload = resolved.route.handler(call)
            content = (
                _SUCCESS_BODY if payload is SUCCESS else json.dumps(payload, separators=(",", ":")).encode()
            )
        except GraphError as err:
            status, error_code, content = err.status, err.code, render_error(err, trace)
        except (TypeError, ValueError, KeyError, AttributeError, UnicodeError) as exc:
            bad = _bad_input(exc)
            status, error_code, content = bad.status, bad.code, render_error(bad, trace)
        except Exception as exc:  # the door must always get an answer
            bug = _unexpected(exc, route)
            status, error_code, content = bug.status, bug.code, render_error(bug, trace)
        headers_out = self._headers(version, trace, waba_id, now)
        self.log.append(
            _log_row(
                seq=seq,
                at=now,
                method=_capped(method, LOG_VALUE_CHARS),
                path=_capped(path, LOG_TEXT_CHARS),
                query=_redact_query(query),
                route=route,
                status=status,
                error_code=error_code,
                fault=decision.label if decision is not None else None,
                params=_redact(params) if params else None,
            )
        )
        return Result(status, headers_out, content)

    # -- pieces --------------------------------------------------------------------

    def _authenticate(self, headers: Mapping[str, str], query: str) -> None:
        auth = headers.get("authorization")
        if auth == self._bearer:
            return
        if auth is None:
            token = dict(parse_qsl(query)).get("access_token") if query else None
            if token is None:
                raise GraphError.bad_token(missing=True)
            if token == self._token:
                return
            raise GraphError.bad_token(missing=False)
        scheme, _, token = auth.partition(" ")
        if scheme.lower() not in ("bearer", "oauth") or token.strip() != self._token:
            raise GraphError.bad_token(missing=not token.strip())

    @staticmethod
    def _params(method: str, query: str, headers: Mapping[str, str], body: bytes) -> dict[str, Any]:
        params: dict[str, Any] = dict(parse_qsl(query)) if query else {}
        if method not in ("POST", "DELETE") or not body:  # Graph reads a DELETE's JSON body too
            return params
        ctype = headers.get("content-type") or ""
        if "file_offset" in headers:
            return params  # a resumable chunk: the route reads the raw body
        if ctype.startswith("multipart/form-data"):
            if len(body) > _MULTIPART_FIELDS_MAX:
                return params  # a media upload: its route parses the raw body itself, once
            params.update(_multipart_fields(ctype, body))
            return params
        if "json" in ctype or body[:1] == b"{":
            try:
                data = json.loads(body)
            except ValueError:
                raise GraphError.invalid_parameter("The request body is not valid JSON.") from None
            except RecursionError:  # [[[[... : a 400 like any bad body, not a 500
                raise GraphError.invalid_parameter("The request body is nested too deeply.") from None
            if not isinstance(data, dict):
                raise GraphError.invalid_parameter("The request body must be a JSON object.")
            params.update(data)
        else:
            try:
                params.update(parse_qsl(body.decode(), strict_parsing=True))
            except (UnicodeDecodeError, ValueError):
                raise GraphError.invalid_parameter(
                    "The request body is neither JSON nor form-encoded."
                ) from None
        return params

    def _headers(self, version: str, trace: str, waba_id: str | None, now: float) -> dict[str, str]:
        """Usage headers for every answer; the JSON strings are cached per value, they change rarely."""
        app = self._app_meter.percent(now)
        app_header = self._app_cache.get(app)
        if app_header is None:
            app_header = f'{{"call_count":{app},"total_cputime":{app},"total_time":{app}}}'
            self._app_cache[app] = app_header
        # Marked lower-cased (they are): the in-process door's Response takes the dict as is.
        headers = LowerCaseHeaders({"content-type": _JSON, "x-fb-trace-id": trace, "x-app-usage": app_header})
        if version:
            known = version in self._versions or _is_version(version)
            headers["facebook-api-version"] = version if known else "v23.0"
        if waba_id is None:
            headers["x-business-use-case-usage"] = "{}"
            return headers
        meter = self._waba_meters[waba_id]
        key = (waba_id, meter.percent(now), meter.regain_minutes(now))
        buc = self._buc_cache.get(key)
        if buc is None:
            _, p, minutes = key
            buc = (
                f'{{"{waba_id}":[{{"type":"whatsapp_business_management","call_count":{p},'
                f'"total_cputime":{p},"total_time":{p},"estimated_time_to_regain_access":{minutes}}}]}}'
            )
            if len(self._buc_cache) > 4096:
                self._buc_cache.clear()
            self._buc_cache[key] = buc
        headers["x-business-use-case-usage"] = buc
        return headers

    # -- media downloads -------------------------------------------------------------

    def media_download(
        self,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        decision: Decision | None = None,
    ) -> Result:
        """``GET /_media/<id>?exp=&sig=``: the bytes of a signed URL (bearer token required), ``Range`` honoured."""
        from .media_state import store_of

        now = self._clock()
        self._seq = seq = self._seq + 1
        trace = f"ASbx{seq:011d}"
        status, error_code = 200, None
        out: dict[str, str] = {"x-fb-trace-id": trace}
        try:
            if method != "GET":
                raise GraphError.unsupported(method, "media")
            self._authenticate(headers, "")
            if decision is not None and decision.expire:
                raise GraphError(404, 100, "(#100) The media URL has expired; retrieve a new one")
            store = store_of(self.business)
            item = store.download(path[len("/_media/") :], dict(parse_qsl(query)), now)
            data = item.data
            start = 0
            wanted = headers.get("range", "")
            if (
                store.ranges
                and wanted.startswith("bytes=")
                and wanted.endswith("-")
                and _is_digits(wanted[6:-1])
            ):
                start = int(wanted[6:-1])
                if start >= len(data):
                    raise GraphError(416, 100, "(#100) Range not satisfiable")
                status = 206
                out["content-range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
            body = data[start:] if start else data
            if decision is not None and decision.corrupt and body:
                mid = len(body) // 2
                body = body[:mid] + bytes([body[mid] ^ 0xFF]) + body[mid + 1 :]
            out["content-type"] = item.mime_type
            if store.ranges:
                out["accept-ranges"] = "bytes"
            result = Result(status, out, body)
            if decision is not None and decision.cut:
                result.cut_at = len(body) // 2
        except GraphError as err:
            status, error_code = err.status, err.code
            result = Result(err.status, {**out, "content-type": _JSON}, render_error(err, trace))
        self.log.append(
            _log_row(
                seq=seq,
                at=now,
                method=method,
                path=path,
                query=_redact_query(query),
                route="download_media",
                status=status,
                error_code=error_code,
                fault=decision.label if decision is not None else None,
                params=None,
            )
        )
        return result

    # -- admin surface -------------------------------------------------------------

    def admin(self, method: str, path: str, query: str, headers: Mapping[str, str], body: bytes) -> Result:
        """``/_sandbox/...``: not Graph, never faulted, not logged, not budgeted; same token.

        Except a Flow's JSON asset, served without a token like the CDN link Meta gives.
        """
        if method == "GET" and path.startswith(FLOW_ASSET_PREFIX):
            flow_id = path[len(FLOW_ASSET_PREFIX) :].partition("/")[0]
            text = self.business.flows.get_json(flow_id) if flow_id in self.business.flows else None
            if text is None:
                return Result(404, {"content-type": "text/plain; charset=utf-8"}, b"no such asset")
            return Result(200, {"content-type": "application/json"}, text.encode())
        try:
            self._authenticate(headers, query)
            payload = self._admin(method, path.split("/")[2:], query, body)
            status, content = 200, json.dumps(payload, separators=(",", ":")).encode()
        except GraphError as err:
            status, content = err.status, render_error(err, "ASbxAdmin")
        except (TypeError, ValueError, KeyError, AttributeError, UnicodeError) as exc:
            bad = _bad_input(exc)
            status, content = bad.status, render_error(bad, "ASbxAdmin")
        except Exception as exc:  # the door must always get an answer
            bug = _unexpected(exc, "admin")
            status, content = bug.status, render_error(bug, "ASbxAdmin")
        return Result(status, {"content-type": _JSON}, content)

    def _inbound(self, body: bytes, now: float) -> dict[str, Any]:
        """``POST /_sandbox/inbound`` ``{"phone_number_id", "from", "type", <type>: {...}, "name"?, "reply_to"?}``: a user writes in."""
        try:
            data = json.loads(body or b"{}")
        except (ValueError, RecursionError):
            raise GraphError.invalid_parameter("The request body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise GraphError.invalid_parameter("send a JSON object")
        phone_id = data.get("phone_number_id")
        if phone_id not in self.business.phones:
            raise GraphError(404, 100, "(#100) No such phone_number_id in this sandbox")
        kind = data.get("type", "text")
        payload = data.get(kind) if isinstance(kind, str) else None
        sender = data.get("from")
        if not isinstance(sender, str):
            raise GraphError.invalid_parameter("from must be the user's phone number as a string")
        name = data.get("name")
        reply_to = data.get("reply_to")
        wamid = self.business.messaging.inbound(
            phone_id, sender, kind, payload, now, name=name, reply_to=reply_to
        )
        return {"id": wamid}

    def _admin(self, method: str, parts: list[str], query: str, body: bytes) -> Any:
        business = self.business
        now = self._clock()
        what = parts[0] if parts else ""
        if what == "phone_numbers" and method == "GET":
            if len(parts) == 1:
                return {
                    "data": [
                        {"id": pid, "waba_id": business.phones[pid].waba_id} for pid in business.phone_ids
                    ]
                }
            if len(parts) == 2 and parts[1] in business.phones:
                return business.snapshot(parts[1], now).to_dict()
            raise GraphError(404, 100, f"(#100) No phone number {parts[-1]!r} in this sandbox")
        if what == "inbound" and method == "POST" and len(parts) == 1:
            return self._inbound(body, now)
        if what == "messages" and method == "GET" and len(parts) == 1:
            query_args = dict(parse_qsl(query))
            records = business.messaging.messages(now, query_args.get("phone_number_id"))
            return {"data": [record.to_dict() for record in records]}
        if what == "wabas" and method == "GET" and len(parts) == 1:
            return {
                "data": [{"id": w, "phone_numbers": len(business.waba_phones[w])} for w in business.waba_ids]
            }
        if what == "reset" and method == "POST" and len(parts) == 1:
            self._on_reset()
            return {"success": True}
        if what == "requests" and method == "GET" and len(parts) == 1:
            raw_limit = dict(parse_qsl(query)).get("limit", "")
            entries = self.entries()
            if _is_digits(raw_limit):
                entries = entries[-int(raw_limit) :] if int(raw_limit) else []
            return {"data": [e.to_dict() for e in entries]}
        if what == "clock" and len(parts) == 1:
            if method == "POST":
                if self._advance is None:
                    raise GraphError(
                        400, 100, "(#100) This sandbox runs on the real clock; it cannot be advanced"
                    )
                try:
                    seconds = float(json.loads(body or b"{}").get("advance", 0))
                except (ValueError, AttributeError, TypeError, RecursionError):
                    raise GraphError.invalid_parameter('send {"advance": seconds}') from None
                if not (math.isfinite(seconds) and seconds >= 0):
                    raise GraphError.invalid_parameter("advance must be a finite number of seconds >= 0")
                return {"now": self._advance(seconds)}
            return {"now": now}
        raise GraphError(404, 100, f"(#100) Unknown sandbox admin path /_sandbox/{'/'.join(parts)}")
