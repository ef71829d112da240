"""The client: options, lifecycle, namespaces, and the one path every call takes."""

from __future__ import annotations

import asyncio
import operator
import random as _random
import string
import sys
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from functools import cached_property
from typing import Any, TypeVar, overload
from urllib.parse import urlencode, urlsplit

import attrs
import cattrs

from ._converter import converter as _default_converter
from ._http import LowerCaseHeaders, Request, RequestMeta, Response, dumps_json_bytes, loads_json
from ._multipart import content_length, encode_multipart
from ._operations import OPTION_PARAMS, Operation, encode_value, operation_of
from ._options import NOT_GIVEN, ClientOptions, NotGiven, check_client_args, resolve
from ._version import __version__
from .errors import UnexpectedResponseError, error_from_response
from .middleware.base import Handler, Middleware, build_chain
from .middleware.logging import LoggingMiddleware
from .middleware.rate_limit import RateLimitMiddleware, RateLimitPolicy
from .middleware.retry import RetryMiddleware, RetryPolicy
from .pagination import check_next_url
from .resources.analytics import Analytics
from .resources.app import App
from .resources.block_users import BlockUsers
from .resources.business import Business
from .resources.business_profile import BusinessProfile
from .resources.calling import Calling
from .resources.commerce import Commerce
from .resources.encryption import Encryption
from .resources.flows import Flows
from .resources.groups import Groups
from .resources.media import Media
from .resources.message_history import MessageHistory
from .resources.messages import MarketingMessages, Messages
from .resources.payments import Payments
from .resources.phone_numbers import PhoneNumbers
from .resources.qr_codes import QrCodes
from .resources.registration import Registration
from .resources.solutions import Solutions
from .resources.templates import Templates
from .resources.two_step_verification import TwoStepVerification
from .resources.uploads import Uploads
from .resources.waba import Waba
from .transports.base import DEFAULT_MAX_RESPONSE_BYTES, Transport
from .types.shared import ApiRequest, Budget

__all__ = ["WhatsApp"]

T = TypeVar("T")
R = TypeVar("R")

# Meta's spec pattern allows only digits, dots and dashes in the trailing
# product version, so "3.13.0rc1" (platform.python_version()) would not fit.
USER_AGENT = f"meta-cloud-async/{__version__} python/{'.'.join(map(str, sys.version_info[:3]))}"

_JSON_TYPE = "application/json"
_FORM_TYPE = "application/x-www-form-urlencoded"


_OTHER_LOOP = (
    "this WhatsApp client's connection pool belongs to another event loop (a module-level client reused "
    "by a second asyncio.run(), or pytest-asyncio's per-test loops); create the client inside the loop "
    "that uses it (e.g. `async with WhatsApp(...) as wa:` per run or per test), or pass your own "
    "transport=AiohttpTransport(session) per loop"
)


#: How many ``with_options`` states are kept for reuse (per root client).
_MAX_PROFILES = 512


class _namespace(cached_property[T]):
    """``cached_property`` without Python 3.11's lock: a copy per number pays for each namespace once.

    The first access stores the namespace in the instance ``__dict__`` (which then shadows this
    non-data descriptor), as ``cached_property`` does; one event loop needs no lock for that.
    """

    @overload
    def __get__(self, instance: None, owner: type[Any] | None = None) -> _namespace[T]: ...
    @overload
    def __get__(self, instance: object, owner: type[Any] | None = None) -> T: ...
    def __get__(self, instance: object | None, owner: type[Any] | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__[self.attrname] = self.func(instance)  # type: ignore[index]
        return value


class _Shared:
    """State every ``with_options`` copy shares: transport, middleware chain, converter, metadata."""

    __slots__ = (
        "clock",
        "closed",
        "converter",
        "handler",
        "loop",
        "metas",
        "owns_transport",
        "pair_metas",
        "profiles",
        "transport",
    )

    def __init__(
        self, transport: Transport, owns_transport: bool, handler: Handler, converter: cattrs.Converter
    ) -> None:
        self.transport = transport
        self.owns_transport = owns_transport
        self.handler = handler
        self.converter = converter
        self.closed = False
        self.loop: asyncio.AbstractEventLoop | None = None
        self.clock: Callable[[], float] = time.monotonic  # the client's injected clock (media URL ages)
        #: One RequestMeta per (operation, budget keys, policies): copies per number share them.
        self.metas: dict[tuple[Any, ...], RequestMeta] = {}
        #: Send metadata with the recipient's pair key, per (metadata id, recipient); bounded.
        self.pair_metas: dict[tuple[int, str], tuple[RequestMeta, RequestMeta]] = {}
        #: The state of each ``with_options`` copy, per (parent, arguments): one per number, shared
        #: by every copy made with the same arguments (options, header dicts, bucket keys, prepared
        #: operations), so a copy per call costs one dict lookup and one ``__dict__`` update.
        #: ``with_options`` copies by (parent, arguments): a copy is an immutable view, so the same
        #: arguments give back the same copy, its namespaces and prepared operations included.
        self.profiles: dict[tuple[Any, ...], WhatsApp] = {}

    def check(self) -> None:
        """Before each call: not closed, and (for the pool this client owns) still on its first loop."""
        if self.closed:
            raise RuntimeError("this WhatsApp client is closed")
        if self.owns_transport:
            loop = asyncio.get_running_loop()
            if self.loop is None:
                self.loop = loop
            elif loop is not self.loop:
                raise RuntimeError(_OTHER_LOOP)


@attrs.frozen(slots=True)
class _Prepared:
    """What one client copy knows about one operation before any call: URL, headers, metadata."""

    op: Operation
    #: The absolute URL when the path needs nothing but the client's ids; None otherwise.
    url: str | None
    meta: RequestMeta
    #: The converter's structure hook for the response model (None: the body is returned as decoded).
    structure: Callable[[Any, Any], Any] | None
    #: The JSON body of a call, from the request object, when that is all the call needs: a fixed
    #: URL, JSON encoding, and a body that is either one whole checked field (every message send)
    #: or all the fields (``set_pin``, ``register``, most posts). Such calls skip the general
    #: builder's walk over field kinds. None for every other operation.
    json_body: Callable[[Any], Any] | None = None


def _check_header(name: object, value: object) -> None:
    if not isinstance(name, str) or not isinstance(value, str):
        raise TypeError("extra_headers must map str names to str values")
    if not name or any(c in name for c in " :\r\n\x00") or any(c in value for c in "\r\n\x00"):
        raise ValueError("extra_headers: a header name or value contains a forbidden character")


class WhatsApp:
    """Async client for the WhatsApp Cloud API.

    Arguments left out (or ``None``) fall back to the environment:
    ``CLOUD_API_ACCESS_TOKEN``, ``WA_PHONE_NUMBER_ID``, ``WA_BUSINESS_ACCOUNT_ID``,
    ``META_APP_ID`` and ``CLOUD_API_VERSION``. A missing token is a ``ValueError``
    here, not a 401 later.

    ``retry=None`` turns retries off and ``rate_limit=None`` turns pacing
    off (per copy, too: see :meth:`with_options`). ``clock``, ``sleep`` and
    ``random`` are injected into the middleware so tests of timing are exact
    and instant. ``max_response_bytes`` caps
    each response body of the transport created here (default 32 MiB); a
    transport passed in has its own cap.
    """

    def __init__(
        self,
        *,
        access_token: str | None = None,
        phone_number_id: str | None = None,
        business_account_id: str | None = None,
        app_id: str | None = None,
        api_version: str | None = None,
        base_url: str | None = None,
        transport: Transport | None = None,
        retry: RetryPolicy | NotGiven | None = NOT_GIVEN,
        rate_limit: RateLimitPolicy | NotGiven | None = NOT_GIVEN,
        timeout: float | NotGiven | None = NOT_GIVEN,
        middleware: Sequence[Middleware] = (),
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        random: Callable[[], float] = _random.random,
        max_response_bytes: int | NotGiven = NOT_GIVEN,
    ) -> None:
        check_client_args(
            retry=retry,
            rate_limit=rate_limit,
            middleware=middleware,
            clock=clock,
            sleep=sleep,
            random=random,
            max_response_bytes=max_response_bytes,
            transport=transport,
        )
        self._options = ClientOptions.from_env(
            access_token=access_token,
            phone_number_id=phone_number_id,
            business_account_id=business_account_id,
            app_id=app_id,
            api_version=api_version,
            base_url=base_url,
            timeout=timeout,
        )
        if transport is not None:
            _check_transport(transport)
        owns = transport is None
        if transport is None:
            from .transports.aiohttp_transport import AiohttpTransport

            transport = AiohttpTransport(
                max_response_bytes=resolve(max_response_bytes, DEFAULT_MAX_RESPONSE_BYTES)
            )
        retry_policy = RetryPolicy() if isinstance(retry, NotGiven) else retry
        rate_policy = RateLimitPolicy() if isinstance(rate_limit, NotGiven) else rate_limit
        chain: list[Middleware] = [
            RetryMiddleware(retry_policy, sleep=sleep, clock=clock, random=random),
            RateLimitMiddleware(rate_policy, clock=clock, sleep=sleep),
            *middleware,
            LoggingMiddleware(),
        ]
        self._shared = _Shared(transport, owns, build_chain(chain, transport.send), _default_converter)
        self._shared.clock = clock
        self._is_root = True
        self._profile = object()  # identifies this state in the profile cache of its copies
        self._retry: RetryPolicy | NotGiven | None = NOT_GIVEN
        self._rate_limit: RateLimitPolicy | NotGiven | None = NOT_GIVEN
        self._extra_headers: Mapping[str, str] = {}
        self._init_headers()
        self._init_derived()

    def _init_headers(self) -> None:
        opts = self._options
        self._prefix = f"{opts.base_url}/{opts.api_version}/"
        auth = f"Bearer {opts.access_token}"
        base = {"authorization": auth, "user-agent": USER_AGENT, "accept": "application/json"}
        base.update(self._extra_headers)
        self._get_headers = LowerCaseHeaders(base)
        self._json_headers = LowerCaseHeaders({**base, "content-type": _JSON_TYPE})
        self._form_headers = LowerCaseHeaders({**base, "content-type": _FORM_TYPE})
        self._origin = urlsplit(opts.base_url)[:2]

    def _init_derived(self) -> None:
        opts = self._options
        self._ids: dict[str, str | None] = {
            "phone_number_id": opts.phone_number_id,
            "business_account_id": opts.business_account_id,
            "app_id": opts.app_id,
        }
        phone = f"phone:{opts.phone_number_id}" if opts.phone_number_id else None
        waba = f"waba:{opts.business_account_id}" if opts.business_account_id else None
        self._keys: dict[Budget, tuple[str, ...]] = {
            "messaging": (phone,) if phone else (),
            "management": (waba,) if waba else (),
            "app": ("app",),
            "none": (),
        }
        self._prepared: dict[type[Any], _Prepared] = {}

    # -- public surface -------------------------------------------------------------

    @property
    def options(self) -> ClientOptions:
        """The resolved options of this client or copy (ids, version, base URL, timeout); its repr leaves the token out."""
        return self._options

    @_namespace
    def two_step_verification(self) -> TwoStepVerification:
        """Set or change a number's 2SV PIN."""
        return TwoStepVerification(self)

    @_namespace
    def registration(self) -> Registration:
        """Register a number on the Cloud API, or deregister it."""
        return Registration(self)

    @_namespace
    def phone_numbers(self) -> PhoneNumbers:
        """Read and list phone numbers; verify ownership by code."""
        return PhoneNumbers(self)

    @_namespace
    def templates(self) -> Templates:
        """Message templates of the WABA: list, get, create, edit, delete, analytics."""
        return Templates(self)

    @_namespace
    def flows(self) -> Flows:
        """WhatsApp Flows of the WABA: create, upload JSON, publish, deprecate."""
        return Flows(self)

    @_namespace
    def encryption(self) -> Encryption:
        """The number's business public key, for Flow data-exchange encryption."""
        return Encryption(self)

    @_namespace
    def messages(self) -> Messages:
        """Send every message type from the client's number; mark inbound messages read."""
        return Messages(self)

    @_namespace
    def marketing_messages(self) -> MarketingMessages:
        """Marketing templates through Meta's Marketing Messages API."""
        return MarketingMessages(self)

    @_namespace
    def waba(self) -> Waba:
        """The WABA: details, webhook subscriptions, users, schedules, partner intents."""
        return Waba(self)

    @_namespace
    def app(self) -> App:
        """The app node: webhook callback registration (app token), client businesses, solutions."""
        return App(self)

    @_namespace
    def solutions(self) -> Solutions:
        """One Multi-Partner Solution: details, accept/reject, deactivation requests, access token."""
        return Solutions(self)

    @_namespace
    def business(self) -> Business:
        """The business portfolio: WABAs, pre-verified numbers, credit lines."""
        return Business(self)

    @_namespace
    def payments(self) -> Payments:
        """The WABA's payment configurations (India) and gateway OAuth links."""
        return Payments(self)

    @_namespace
    def analytics(self) -> Analytics:
        """Messaging, conversation, pricing and template analytics as typed series."""
        return Analytics(self)

    @_namespace
    def business_profile(self) -> BusinessProfile:
        """The number's business profile: about, address, vertical, websites, picture."""
        return BusinessProfile(self)

    @_namespace
    def block_users(self) -> BlockUsers:
        """Block, unblock and list blocked WhatsApp users."""
        return BlockUsers(self)

    @_namespace
    def qr_codes(self) -> QrCodes:
        """QR codes and short links with a prefilled message."""
        return QrCodes(self)

    @_namespace
    def commerce(self) -> Commerce:
        """Cart and catalog visibility."""
        return Commerce(self)

    @_namespace
    def message_history(self) -> MessageHistory:
        """Delivery-status history of sent messages."""
        return MessageHistory(self)

    @_namespace
    def groups(self) -> Groups:
        """Groups the number runs: lifecycle, invite links, join requests, participants."""
        return Groups(self)

    @_namespace
    def calling(self) -> Calling:
        """Call permissions and call control (connect, pre-accept, accept, reject, terminate)."""
        return Calling(self)

    @_namespace
    def media(self) -> Media:
        """Upload, download (streamed, hash-checked) and delete media."""
        return Media(self)

    @_namespace
    def uploads(self) -> Uploads:
        """Meta's resumable upload API: a file handle for templates and profile pictures."""
        return Uploads(self)

    def with_options(
        self,
        *,
        access_token: str | NotGiven = NOT_GIVEN,
        phone_number_id: str | NotGiven | None = NOT_GIVEN,
        business_account_id: str | NotGiven | None = NOT_GIVEN,
        app_id: str | NotGiven | None = NOT_GIVEN,
        api_version: str | NotGiven = NOT_GIVEN,
        timeout: float | NotGiven | None = NOT_GIVEN,
        retry: RetryPolicy | NotGiven | None = NOT_GIVEN,
        rate_limit: RateLimitPolicy | NotGiven | None = NOT_GIVEN,
        extra_headers: Mapping[str, str] | NotGiven = NOT_GIVEN,
    ) -> WhatsApp:
        """A light copy with other options that shares transport, buckets and converter.

        Cheap enough to make one per phone number; a copy never closes the
        shared transport. ``retry``/``rate_limit`` replace the client's policies
        for this copy's calls (``None``: off); buckets stay shared, so a copy
        with other rates still draws on the same budgets. ``extra_headers`` are
        added to every request of the copy. A copy is an immutable view: the same
        arguments on the same client give back the same copy (the last 512 kept).
        """
        profiles = self._shared.profiles
        key: tuple[Any, ...] | None = None
        if extra_headers is NOT_GIVEN:
            key = (
                self._profile,
                access_token,
                phone_number_id,
                business_account_id,
                app_id,
                api_version,
                timeout,
                retry,
                rate_limit,
            )
            try:
                cached = profiles.get(key)
            except TypeError:  # a policy with an unhashable field: build the copy, do not cache it
                key = cached = None
            if cached is not None:
                return cached
        copy = self._new_copy(
            access_token=access_token,
            phone_number_id=phone_number_id,
            business_account_id=business_account_id,
            app_id=app_id,
            api_version=api_version,
            timeout=timeout,
            retry=retry,
            rate_limit=rate_limit,
            extra_headers=extra_headers,
        )
        if key is not None:
            if len(profiles) >= _MAX_PROFILES:  # one entry per number and argument set: bounded
                # Cleared whole, not evicted one by one: a batch over more numbers than this makes
                # each copy once anyway, and the bound keeps its memory (a few KB a copy) small.
                profiles.clear()
            profiles[key] = copy
        return copy

    def _new_copy(
        self,
        *,
        access_token: str | NotGiven,
        phone_number_id: str | NotGiven | None,
        business_account_id: str | NotGiven | None,
        app_id: str | NotGiven | None,
        api_version: str | NotGiven,
        timeout: float | NotGiven | None,
        retry: RetryPolicy | NotGiven | None,
        rate_limit: RateLimitPolicy | NotGiven | None,
        extra_headers: Mapping[str, str] | NotGiven,
    ) -> WhatsApp:
        """Validate the arguments and build a copy's state (what :meth:`with_options` caches)."""
        changes: dict[str, Any] = {
            k: v
            for k, v in (
                ("access_token", access_token),
                ("phone_number_id", phone_number_id),
                ("business_account_id", business_account_id),
                ("app_id", app_id),
                ("api_version", api_version),
                ("timeout", timeout),
            )
            if v is not NOT_GIVEN
        }
        if retry is not NOT_GIVEN and retry is not None and not isinstance(retry, RetryPolicy):
            raise TypeError(f"retry must be a RetryPolicy or None, got {type(retry).__name__}")
        if (
            rate_limit is not NOT_GIVEN
            and rate_limit is not None
            and not isinstance(rate_limit, RateLimitPolicy)
        ):
            raise TypeError(f"rate_limit must be a RateLimitPolicy or None, got {type(rate_limit).__name__}")
        copy = object.__new__(WhatsApp)
        copy._options = self._options.replace(changes) if changes else self._options
        copy._shared = self._shared
        copy._is_root = False
        copy._profile = object()
        copy._retry = self._retry if retry is NOT_GIVEN else retry
        copy._rate_limit = self._rate_limit if rate_limit is NOT_GIVEN else rate_limit
        if extra_headers is NOT_GIVEN:
            copy._extra_headers = self._extra_headers
        else:
            for name, value in extra_headers.items():
                _check_header(name, value)
            copy._extra_headers = {**self._extra_headers, **{k.lower(): v for k, v in extra_headers.items()}}
        if extra_headers is NOT_GIVEN and not changes.keys() & {"access_token", "api_version"}:
            # Share, do not rebuild: one header dict per token, however many copies.
            copy._prefix = self._prefix
            copy._get_headers = self._get_headers
            copy._json_headers = self._json_headers
            copy._form_headers = self._form_headers
            copy._origin = self._origin
        else:
            copy._init_headers()
        copy._init_derived()
        return copy

    async def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        cast_to: type[T] | Any = dict,
        idempotent: bool | None = None,
        budget: Budget = "management",
        timeout: float | NotGiven | None = NOT_GIVEN,
    ) -> Any:
        """Call any Graph operation, through retries, pacing and error mapping like every method.

        The way to reach an operation before it has a method::

            page = await wa.request("GET", "{business_account_id}/message_templates", params={"limit": 5})
            await wa.request("DELETE", "{business_account_id}/message_templates", params={"name": "x"})

        ``path`` is relative to the API version; ``{phone_number_id}``,
        ``{business_account_id}`` and ``{app_id}`` are filled from the options.
        ``params`` go in the query (``True`` as ``true``, lists and dicts as JSON),
        ``json`` is the body. ``idempotent`` (default: True for GET only) decides
        whether a call that may have reached Meta is retried. ``cast_to=dict``
        returns the decoded JSON; an attrs model is structured; ``bytes`` gives the body.
        """
        method = method.upper()
        if not isinstance(path, str) or "://" in path:
            raise ValueError("path must be relative to the API version, e.g. '{phone_number_id}/register'")
        path = path.lstrip("/")
        names = {name for _, name, _, _ in _formatter_parse(path) if name is not None}
        for name in names:
            if name not in OPTION_PARAMS:
                raise ValueError(f"path placeholder {{{name}}} is not a client option; fill it in the path")
            if not self._ids[name]:
                raise ValueError(f"this call needs {name}: pass it to WhatsApp() or with_options()")
        if names:
            path = path.format(**self._ids)
        url = self._prefix + path
        if params:
            url += "?" + urlencode([(k, encode_value(v)) for k, v in params.items() if v is not None])
        content = b"" if json is None else dumps_json_bytes(json)
        meta = RequestMeta(
            operation=f"{method} {path.split('?', 1)[0]}",
            idempotent=(method == "GET") if idempotent is None else idempotent,
            rate_limit_keys=self._keys[budget],
            retry=self._retry,
            rate_limit=self._rate_limit,
        )
        request = Request(
            method=method,
            url=url,
            headers=self._json_headers if content else self._get_headers,
            content=content,
            timeout=self._options.timeout if timeout is NOT_GIVEN else timeout,
            meta=meta,
        )
        self._shared.check()
        response = await self._shared.handler(request)
        return self._decode(response, cast_to)

    def build_request(
        self, request: ApiRequest[Any], *, timeout: float | NotGiven | None = NOT_GIVEN
    ) -> Request:
        """The HTTP request a declared operation becomes on this client, without sending it.

        Raises what a call would raise before any I/O (a ``ValueError`` for a
        missing id, a bad path value); useful to check a batch up front, or to
        inspect exactly what would go on the wire.
        """
        if self._shared.closed:
            raise RuntimeError("this WhatsApp client is closed")
        return self._build(request, timeout)

    @property
    def is_closed(self) -> bool:
        """Whether :meth:`aclose` was called on this client (or on the root of this copy)."""
        return self._shared.closed

    async def aclose(self) -> None:
        """Close the transport if this client created it. Copies from ``with_options`` do nothing."""
        shared = self._shared
        if not self._is_root or shared.closed:
            return
        shared.closed = True
        if shared.owns_transport:
            await shared.transport.aclose()

    async def __aenter__(self) -> WhatsApp:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        o = self._options
        return (
            f"WhatsApp(phone_number_id={o.phone_number_id!r}, business_account_id={o.business_account_id!r}, "
            f"api_version={o.api_version!r}, base_url={o.base_url!r})"
        )

    # -- the one path every call takes ---------------------------------------------

    def _prepare(self, cls: type[Any]) -> _Prepared:
        op = operation_of(cls)
        url = None
        if not op.path_fields:
            url = self._prefix + op.render_options(self._ids)
        keys = self._keys[op.budget]
        metas = self._shared.metas
        meta_key = (cls, keys, id(self._retry), id(self._rate_limit))
        meta = metas.get(meta_key)
        if meta is None:
            if len(metas) > 10_000:  # one per budget key set: bounded however many numbers
                metas.clear()
            meta = metas[meta_key] = RequestMeta(
                operation=op.name,
                idempotent=op.idempotent,
                retry_refused=op.retry_refused,
                rate_limit_keys=keys,
                retry=self._retry,
                rate_limit=self._rate_limit,
            )
        response = op.response
        structure = (
            None
            if response is dict or response is Any or response is bytes
            else self._shared.converter.get_structure_hook(response)
        )
        json_body: Callable[[Any], Any] | None = None
        if url is not None and op.encoding == "json":
            if op.body_only:
                json_body = operator.attrgetter(op.body_field)  # type: ignore[arg-type]
            elif op.plain:
                json_body = self._shared.converter.get_unstructure_hook(cls)
        prepared = _Prepared(op, url, meta, structure, json_body)
        self._prepared[cls] = prepared
        return prepared

    def _pair_meta(self, meta: RequestMeta, to: str) -> RequestMeta:
        """``meta`` with the recipient's pair key added; one object per (metadata, recipient), reused:
        a send's hot path must not build a new attrs instance for its pair key every time."""
        pair_metas = self._shared.pair_metas
        pair_key = (id(meta), to)
        cached = pair_metas.get(pair_key)
        if cached is None or cached[0] is not meta:
            if len(pair_metas) > 10_000:
                pair_metas.clear()
            keys = (*meta.rate_limit_keys, f"pair:{meta.rate_limit_keys[0]}:{to}")
            cached = pair_metas[pair_key] = (meta, attrs.evolve(meta, rate_limit_keys=keys))
        return cached[1]

    def _build(self, req: ApiRequest[Any], timeout: float | NotGiven | None = NOT_GIVEN) -> Request:
        return self._build_prepared(self._prepared.get(type(req)) or self._prepare(type(req)), req, timeout)

    def _build_prepared(
        self, prepared: _Prepared, req: ApiRequest[Any], timeout: float | NotGiven | None
    ) -> Request:
        op = prepared.op
        meta = prepared.meta
        json_body = prepared.json_body
        if json_body is not None:
            # What the general path below builds, byte for byte, without its walk over field kinds.
            whole = json_body(req)
            if op.pair_field is not None and meta.rate_limit_keys and type(whole) is dict:
                to = whole.get(op.pair_field)
                if to:
                    meta = self._pair_meta(meta, to)
            sent = dumps_json_bytes(whole) if whole else b""
            return Request._built(
                op.method,
                prepared.url,  # type: ignore[arg-type]
                self._json_headers if sent else self._get_headers,
                sent,
                self._options.timeout if timeout is NOT_GIVEN else timeout,
                meta,
            )
        values: dict[str, Any] = self._shared.converter.unstructure(req)
        if op.pair_field is not None and meta.rate_limit_keys:
            source = values.get(op.body_field) if op.body_field is not None else values
            to = source.get(op.pair_field) if isinstance(source, dict) else None
            if to:
                meta = self._pair_meta(meta, to)
        headers: dict[str, str] | None = None
        query: list[tuple[str, str]] = []
        body: Any = values
        url = prepared.url if prepared.url is not None else self._prefix + op.render_path(values, self._ids)
        if op.body_only:
            body = values.get(op.body_field)  # type: ignore[arg-type]
        elif not op.plain:
            body = {}
            for name, value in values.items():
                if name in op.path_fields:
                    continue
                if name in op.query_fields:
                    query.append((name, encode_value(value)))
                elif name in op.header_fields:
                    headers = headers or {}
                    headers[op.header_fields[name]] = encode_value(value)
                elif name == op.body_field:
                    body = value
                else:
                    body[name] = value
        encoding = op.encoding
        if encoding == "query":
            if body:
                query.extend((k, encode_value(v)) for k, v in body.items())
            content: Any = b""
            base_headers = self._get_headers
        elif encoding == "json":
            content = dumps_json_bytes(body) if body else b""
            base_headers = self._json_headers if content else self._get_headers
        elif encoding == "form":
            content = urlencode([(k, encode_value(v)) for k, v in body.items()]).encode()
            base_headers = self._form_headers
        elif encoding == "multipart":
            ctype, content = encode_multipart(body)
            base_headers = self._get_headers
            headers = {**(headers or {}), "content-type": ctype}
            if not isinstance(content, bytes) and (length := content_length(content)) is not None:
                headers["content-length"] = str(length)  # a streamed body of known size: not chunked
        else:  # raw
            content = body if body is not None else b""
            base_headers = self._get_headers
        if query:
            url += ("&" if "?" in url else "?") + urlencode(query)
        return Request._built(
            op.method,
            url,
            base_headers if headers is None else LowerCaseHeaders({**base_headers, **headers}),
            content,
            self._options.timeout if timeout is NOT_GIVEN else timeout,
            meta,
        )

    async def _call(self, req: ApiRequest[R], *, timeout: float | NotGiven | None = NOT_GIVEN) -> R:
        """Send one declared operation and decode its declared response model."""
        prepared = self._prepared.get(type(req)) or self._prepare(type(req))
        request = self._build_prepared(prepared, req, timeout)
        shared = self._shared
        shared.check()
        response = await shared.handler(request)
        return self._decode(response, prepared.op.response, prepared.structure)  # type: ignore[no-any-return]

    async def _follow(self, url: str, template: ApiRequest[R]) -> R:
        """GET a ``paging.next`` URL; only ever on our own base URL, so the token never leaves it."""
        check_next_url(url, self._origin)
        prepared = self._prepared.get(type(template)) or self._prepare(type(template))
        request = Request(
            method="GET",
            url=url,
            headers=self._get_headers,
            timeout=self._options.timeout,
            meta=prepared.meta,
        )
        self._shared.check()
        response = await self._shared.handler(request)
        return self._decode(response, prepared.op.response, prepared.structure)  # type: ignore[no-any-return]

    @overload
    def _decode(
        self, response: Response, cast_to: type[T], structure: Callable[[Any, Any], Any] | None = None
    ) -> T: ...
    @overload
    def _decode(
        self, response: Response, cast_to: Any, structure: Callable[[Any, Any], Any] | None = None
    ) -> Any: ...
    def _decode(
        self, response: Response, cast_to: Any, structure: Callable[[Any, Any], Any] | None = None
    ) -> Any:
        if response.status_code >= 300:
            error = error_from_response(response)
            if error is not None:
                if response.prior_attempt_ambiguous:
                    error.may_have_applied = True
                raise error
        if cast_to is bytes:
            return response.content
        try:
            data = loads_json(response.content)
        except ValueError:
            raise UnexpectedResponseError(
                f"HTTP {response.status_code} response is not JSON ({len(response.content)} bytes)",
                http_status=response.status_code,
            ) from None
        if isinstance(data, dict) and "error" in data:
            error = error_from_response(response)
            if error is not None:
                if response.prior_attempt_ambiguous:
                    error.may_have_applied = True
                raise error
        if cast_to is dict or cast_to is Any:
            return data
        if not isinstance(data, dict):
            name = getattr(cast_to, "__name__", cast_to)
            raise UnexpectedResponseError(
                f"response does not fit {name}: expected a JSON object, got {type(data).__name__}",
                http_status=response.status_code,
            )
        try:
            if structure is not None:
                return structure(data, cast_to)
            return self._shared.converter.structure(data, cast_to)
        except (cattrs.BaseValidationError, ValueError, TypeError, KeyError) as exc:
            name = getattr(cast_to, "__name__", cast_to)
            # transform_error names paths and expected types, never the values.
            why = (
                "; ".join(cattrs.transform_error(exc))
                if isinstance(exc, cattrs.BaseValidationError)
                else type(exc).__name__
            )
            raise UnexpectedResponseError(
                f"response does not fit {name}: {why}", http_status=response.status_code
            ) from exc


def _check_transport(transport: object) -> None:
    """A library's own client is not a transport: it has ``send``/``aclose`` too, but not ours."""
    module = type(transport).__module__.partition(".")[0]
    name = type(transport).__name__
    if module == "httpx":
        raise TypeError(
            f"transport=httpx.{name}(...) is an httpx client, not a transport: wrap it as "
            "transport=HttpxTransport(client) (from meta_cloud_async.transports.httpx_transport import HttpxTransport)"
        )
    if module == "aiohttp":
        raise TypeError(
            f"transport=aiohttp.{name}(...) is an aiohttp session, not a transport: wrap it as "
            "transport=AiohttpTransport(session) (from meta_cloud_async.transports import AiohttpTransport); "
            "for tests, MockTransport(handler)"
        )
    if not isinstance(transport, Transport):
        raise TypeError(
            f"transport must have async send() and aclose(), got {name}"
            " (wrap a handler function in MockTransport, a session in AiohttpTransport or HttpxTransport)"
        )


_FORMATTER = string.Formatter()


def _formatter_parse(path: str) -> Any:
    try:
        return list(_FORMATTER.parse(path))
    except ValueError:
        raise ValueError(f"path has a malformed placeholder: {path!r}") from None
