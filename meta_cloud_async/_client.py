"""The client: options, lifecycle, namespaces, and the one path every call takes."""

from __future__ import annotations

import asyncio
import random as _random
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from functools import cached_property
from typing import Any, TypeVar
from urllib.parse import urlencode, urlsplit

import cattrs

from ._converter import converter as _default_converter
from ._http import LowerCaseHeaders, Request, RequestMeta, Response, dumps_json, loads_json
from ._options import NOT_GIVEN, ClientOptions, NotGiven, check_client_args, resolve
from ._version import __version__
from .errors import UnexpectedResponseError, error_from_response
from .middleware.base import Handler, Middleware, build_chain
from .middleware.logging import LoggingMiddleware
from .middleware.rate_limit import RateLimitMiddleware, RateLimitPolicy
from .middleware.retry import RetryMiddleware, RetryPolicy
from .pagination import check_next_url
from .resources.phone_numbers import PhoneNumbers
from .resources.registration import Registration
from .resources.two_step_verification import TwoStepVerification
from .transports.base import DEFAULT_MAX_RESPONSE_BYTES, Transport
from .types.shared import ApiRequest

__all__ = ["WhatsApp"]

T = TypeVar("T")

# Meta's spec pattern allows only digits, dots and dashes in the trailing
# product version, so "3.13.0rc1" (platform.python_version()) would not fit.
USER_AGENT = f"meta-cloud-async/{__version__} python/{'.'.join(map(str, sys.version_info[:3]))}"


class _Shared:
    """State every ``with_options`` copy shares: transport, middleware chain, converter."""

    __slots__ = ("closed", "converter", "handler", "owns_transport", "transport")

    def __init__(
        self, transport: Transport, owns_transport: bool, handler: Handler, converter: cattrs.Converter
    ) -> None:
        self.transport = transport
        self.owns_transport = owns_transport
        self.handler = handler
        self.converter = converter
        self.closed = False


class WhatsApp:
    """Async client for the WhatsApp Cloud API.

    Arguments left out (or ``None``) fall back to the environment:
    ``CLOUD_API_ACCESS_TOKEN``, ``WA_PHONE_NUMBER_ID``, ``WA_BUSINESS_ACCOUNT_ID``
    and ``CLOUD_API_VERSION``. A missing token is a ``ValueError`` here, not
    a 401 later.

    ``retry=None`` turns retries off and ``rate_limit=None`` turns pacing
    off. ``clock``, ``sleep`` and ``random`` are injected into the middleware
    so tests of timing are exact and instant. ``max_response_bytes`` caps
    each response body of the transport created here (default 32 MiB); a
    transport passed in has its own cap.
    """

    def __init__(
        self,
        *,
        access_token: str | None = None,
        phone_number_id: str | None = None,
        business_account_id: str | None = None,
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
            api_version=api_version,
            base_url=base_url,
            timeout=timeout,
        )
        if transport is not None and not isinstance(transport, Transport):
            raise TypeError(
                f"transport must have async send() and aclose(), got {type(transport).__name__}"
                " (wrap a handler function in MockTransport)"
            )
        owns = transport is None
        if transport is None:
            from .transports.aiohttp_transport import AiohttpTransport

            transport = AiohttpTransport(
                max_response_bytes=resolve(max_response_bytes, DEFAULT_MAX_RESPONSE_BYTES)
            )
        chain: list[Middleware] = []
        retry_policy = RetryPolicy() if isinstance(retry, NotGiven) else retry
        if retry_policy is not None:
            chain.append(RetryMiddleware(retry_policy, sleep=sleep, clock=clock, random=random))
        rate_policy = RateLimitPolicy() if isinstance(rate_limit, NotGiven) else rate_limit
        if rate_policy is not None:
            chain.append(RateLimitMiddleware(rate_policy, clock=clock, sleep=sleep))
        chain.extend(middleware)
        chain.append(LoggingMiddleware())
        self._shared = _Shared(transport, owns, build_chain(chain, transport.send), _default_converter)
        self._is_root = True
        self._init_derived()

    def _init_derived(self) -> None:
        opts = self._options
        self._prefix = f"{opts.base_url}/{opts.api_version}/"
        auth = f"Bearer {opts.access_token}"
        self._get_headers = LowerCaseHeaders(
            {"authorization": auth, "user-agent": USER_AGENT, "accept": "application/json"}
        )
        self._post_headers = LowerCaseHeaders({**self._get_headers, "content-type": "application/json"})
        self._origin = urlsplit(opts.base_url)[:2]
        phone = f"phone:{opts.phone_number_id}" if opts.phone_number_id else None
        waba = f"waba:{opts.business_account_id}" if opts.business_account_id else None
        self._keys = {
            "phone": tuple(k for k in (phone, waba) if k),
            "waba": (waba,) if waba else (),
        }
        self._meta_cache: dict[type[ApiRequest], RequestMeta] = {}

    # -- public surface -------------------------------------------------------------

    @property
    def options(self) -> ClientOptions:
        return self._options

    @cached_property
    def two_step_verification(self) -> TwoStepVerification:
        return TwoStepVerification(self)

    @cached_property
    def registration(self) -> Registration:
        return Registration(self)

    @cached_property
    def phone_numbers(self) -> PhoneNumbers:
        return PhoneNumbers(self)

    def with_options(
        self,
        *,
        access_token: str | NotGiven = NOT_GIVEN,
        phone_number_id: str | NotGiven | None = NOT_GIVEN,
        business_account_id: str | NotGiven | None = NOT_GIVEN,
        api_version: str | NotGiven = NOT_GIVEN,
        timeout: float | NotGiven | None = NOT_GIVEN,
    ) -> WhatsApp:
        """A light copy with other options that shares transport, buckets and converter.

        Cheap enough to make one per phone number; a copy never closes the
        shared transport.
        """
        changes: dict[str, Any] = {
            k: v
            for k, v in {
                "access_token": access_token,
                "phone_number_id": phone_number_id,
                "business_account_id": business_account_id,
                "api_version": api_version,
                "timeout": timeout,
            }.items()
            if not isinstance(v, NotGiven)
        }
        copy = object.__new__(WhatsApp)
        copy._options = self._options.__class__(**{**_options_dict(self._options), **changes})
        copy._shared = self._shared
        copy._is_root = False
        copy._init_derived()
        return copy

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

    def _meta(self, cls: type[ApiRequest]) -> RequestMeta:
        meta = self._meta_cache.get(cls)
        if meta is None:
            meta = RequestMeta(
                operation=cls.__name__, idempotent=cls.idempotent, rate_limit_keys=self._keys[cls.scope]
            )
            self._meta_cache[cls] = meta
        return meta

    def _build(self, req: ApiRequest) -> Request:
        opts = self._options
        cls = type(req)
        path = cls.path
        if "{" in path:
            if "{phone_number_id}" in path and not opts.phone_number_id:
                raise ValueError(
                    f"{cls.__name__} needs phone_number_id: pass it to WhatsApp() or with_options()"
                )
            if "{business_account_id}" in path and not opts.business_account_id:
                raise ValueError(
                    f"{cls.__name__} needs business_account_id: pass it to WhatsApp() or with_options()"
                )
            path = path.format(
                phone_number_id=opts.phone_number_id, business_account_id=opts.business_account_id
            )
        fields = self._shared.converter.unstructure(req)
        if cls.method == "GET":
            url = self._prefix + path
            if fields:
                url += "?" + urlencode(fields)
            return Request(
                method="GET", url=url, headers=self._get_headers, timeout=opts.timeout, meta=self._meta(cls)
            )
        content = dumps_json(fields).encode() if fields else b""
        return Request(
            method=cls.method,
            url=self._prefix + path,
            headers=self._post_headers if content else self._get_headers,
            content=content,
            timeout=opts.timeout,
            meta=self._meta(cls),
        )

    async def _send(self, req: ApiRequest, cast_to: type[T]) -> T:
        if self._shared.closed:
            raise RuntimeError("this WhatsApp client is closed")
        response = await self._shared.handler(self._build(req))
        return self._decode(response, cast_to)

    async def _follow(self, url: str, template: ApiRequest, cast_to: type[T]) -> T:
        """GET a ``paging.next`` URL; only ever on our own base URL, so the token never leaves it."""
        check_next_url(url, self._origin)
        request = Request(
            method="GET",
            url=url,
            headers=self._get_headers,
            timeout=self._options.timeout,
            meta=self._meta(type(template)),
        )
        response = await self._shared.handler(request)
        return self._decode(response, cast_to)

    def _decode(self, response: Response, cast_to: type[T]) -> T:
        if response.status_code >= 300:
            error = error_from_response(response)
            if error is not None:
                if response.prior_attempt_ambiguous:
                    error.may_have_applied = True
                raise error
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
        name = getattr(cast_to, "__name__", cast_to)
        if not isinstance(data, dict):
            raise UnexpectedResponseError(
                f"response does not fit {name}: expected a JSON object, got {type(data).__name__}",
                http_status=response.status_code,
            )
        try:
            return self._shared.converter.structure(data, cast_to)
        except (cattrs.BaseValidationError, ValueError, TypeError, KeyError) as exc:
            # transform_error names paths and expected types, never the values.
            why = (
                "; ".join(cattrs.transform_error(exc))
                if isinstance(exc, cattrs.BaseValidationError)
                else type(exc).__name__
            )
            raise UnexpectedResponseError(
                f"response does not fit {name}: {why}", http_status=response.status_code
            ) from exc


def _options_dict(options: ClientOptions) -> dict[str, Any]:
    return {
        "access_token": options.access_token,
        "phone_number_id": options.phone_number_id,
        "business_account_id": options.business_account_id,
        "api_version": options.api_version,
        "base_url": options.base_url,
        "timeout": options.timeout,
    }
