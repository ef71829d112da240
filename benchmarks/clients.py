"""The clients the benchmark drives, each behind the same two-method interface.

Every client makes the same HTTP exchange for a workload (same method, path,
JSON body and response), so a difference in requests/s or CPU per request is
the client's own cost. The raw rows are floors: one session, a hand-built
JSON body, ``json.loads`` of the answer and nothing else.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

import aiohttp

from meta_cloud_async.middleware.rate_limit import RateLimitPolicy

__all__ = [
    "API_VERSION",
    "CLIENTS",
    "NUMBERS",
    "PER_NUMBER",
    "PHONE_NUMBER_ID",
    "PIN",
    "RECIPIENT",
    "REGISTER",
    "SEND_TEXT",
    "SET_PIN",
    "TEXT",
    "TOKEN",
    "BenchClient",
    "ClientSpec",
    "Target",
    "unthrottled_rate_limit",
]

API_VERSION = "v23.0"
PHONE_NUMBER_ID = "106540352242922"
TOKEN = "bench-token-not-a-secret"
PIN = "482915"

SET_PIN = "set_pin"
REGISTER = "register"
SEND_TEXT = "send_text"
#: Register through one ``with_options(phone_number_id=...)`` copy per call over 50 numbers: how a
#: batch over many numbers drives the SDK (issue 16's held-out harness).
PER_NUMBER = "per_number"
NUMBERS = tuple(str(106540352242000 + i) for i in range(50))
RECIPIENT = "15551234567"
TEXT = "Your order has shipped."


@dataclass(frozen=True)
class Target:
    """Where the requests go and as whom."""

    base_url: str
    phone_number_id: str = PHONE_NUMBER_ID
    token: str = TOKEN

    def url(self, workload: str, phone_number_id: str | None = None) -> str:
        suffix = {REGISTER: "/register", PER_NUMBER: "/register", SEND_TEXT: "/messages"}.get(workload, "")
        return f"{self.base_url}/{API_VERSION}/{phone_number_id or self.phone_number_id}{suffix}"


class BenchClient(Protocol):
    """One configured client: ``call`` makes one request of its workload and checks the answer."""

    async def call(self) -> None: ...

    async def aclose(self) -> None: ...


Factory = Callable[[Target, int], Awaitable[BenchClient]]


@dataclass(frozen=True)
class ClientSpec:
    """A row of the table: which client, which workload, and why it may be unavailable."""

    name: str
    workload: str
    label: str
    factory: Factory
    unavailable: Callable[[], str | None]
    default: bool = True

    @property
    def floor(self) -> str:
        """The raw client on the same HTTP library: the least any client built on it can cost."""
        return "raw_httpx" if self.name in ("raw_httpx", "sdk_httpx", "pywa") else "raw_aiohttp"


def _always() -> str | None:
    return None


def _body(workload: str) -> dict[str, Any]:
    if workload in (REGISTER, PER_NUMBER):
        return {"messaging_product": "whatsapp", "pin": PIN}
    if workload == SEND_TEXT:  # the exact body wa.messages.send_text builds
        return {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": RECIPIENT,
            "type": "text",
            "text": {"body": TEXT, "preview_url": False},
        }
    return {"pin": PIN}


def _check(data: Any) -> None:
    if isinstance(data, dict) and (data.get("success") is True or data.get("messages")):
        return
    raise RuntimeError(f"unexpected answer: {data!r}")


def unthrottled_rate_limit() -> RateLimitPolicy:
    """The default rate-limit policy with the per-phone rate and burst raised out of reach.

    The middleware still runs and takes a token per attempt (its cost is part
    of the SDK's); it just never makes a call wait.
    """
    return RateLimitPolicy(messaging_rate=1e9, messaging_burst=1e9, pair_interval=1e-9, pair_burst=1e9)


# -- raw aiohttp ----------------------------------------------------------------------


class RawAiohttp:
    """The floor for any aiohttp client: one session, ``json.dumps`` in, ``json.loads`` out."""

    def __init__(self, target: Target, workload: str, pool: int) -> None:
        # One URL, or one per number (PER_NUMBER): the same URLs in the same order as the SDK's.
        ids = NUMBERS if workload == PER_NUMBER else (target.phone_number_id,)
        self._urls = [target.url(workload, i) for i in ids]
        self._next = 0
        self._body = _body(workload)
        self._headers = {"Authorization": f"Bearer {target.token}", "Content-Type": "application/json"}
        self._session = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=pool))

    async def call(self) -> None:
        urls = self._urls
        url = urls[self._next % len(urls)]
        self._next += 1
        data = json.dumps(self._body).encode()
        async with self._session.post(url, data=data, headers=self._headers) as resp:
            _check(json.loads(await resp.read()))

    async def aclose(self) -> None:
        await self._session.close()


# -- raw httpx ------------------------------------------------------------------------


def _no_httpx() -> str | None:
    return None if importlib.util.find_spec("httpx") else "httpx is not installed"


class RawHttpx:
    """The floor for any httpx client (pywa and our httpx transport sit on it)."""

    def __init__(self, target: Target, workload: str, pool: int) -> None:
        import httpx

        self._url = target.url(workload)
        self._body = _body(workload)
        self._headers = {"Authorization": f"Bearer {target.token}", "Content-Type": "application/json"}
        self._client = httpx.AsyncClient(limits=httpx.Limits(max_connections=pool))

    async def call(self) -> None:
        resp = await self._client.post(
            self._url, content=json.dumps(self._body).encode(), headers=self._headers
        )
        _check(json.loads(resp.content))

    async def aclose(self) -> None:
        await self._client.aclose()


# -- our SDK --------------------------------------------------------------------------


def _httpx_transport_missing() -> str | None:
    if importlib.util.find_spec("httpx") is None:
        return "httpx is not installed"
    if importlib.util.find_spec("meta_cloud_async.transports.httpx_transport") is None:
        return "meta_cloud_async.transports.httpx_transport does not exist yet"
    return None


class Sdk:
    """``WhatsApp`` with default retry and the (unthrottled) rate limiter on, as users run it."""

    def __init__(
        self, target: Target, workload: str, pool: int, transport_name: str, middleware: bool = True
    ) -> None:
        from meta_cloud_async import WhatsApp

        self._transport: Any
        if transport_name == "httpx":
            import httpx

            from meta_cloud_async.transports.httpx_transport import HttpxTransport

            self._transport = HttpxTransport(limits=httpx.Limits(max_connections=pool))
        else:
            from meta_cloud_async.transports.aiohttp_transport import AiohttpTransport

            self._transport = AiohttpTransport(limit=pool)
        pacing: dict[str, Any] = (
            {"rate_limit": unthrottled_rate_limit()} if middleware else {"rate_limit": None, "retry": None}
        )
        self._wa = WhatsApp(
            access_token=target.token,
            phone_number_id=target.phone_number_id,
            base_url=target.base_url,
            api_version=API_VERSION,
            transport=self._transport,
            **pacing,
        )
        if workload == REGISTER:
            register = self._wa.registration.register
            self._op: Callable[[], Awaitable[Any]] = lambda: register(PIN)
        elif workload == PER_NUMBER:
            # A copy per call, as a batch over many numbers makes them (per-number pacing lifted
            # by the unthrottled policy the copies inherit).
            wa, numbers, turn = self._wa, NUMBERS, [0]

            def per_number() -> Awaitable[Any]:
                i = turn[0]
                turn[0] = i + 1
                return wa.with_options(phone_number_id=numbers[i % 50]).registration.register(PIN)

            self._op = per_number
        elif workload == SEND_TEXT:
            send_text = self._wa.messages.send_text
            self._op = lambda: send_text(RECIPIENT, TEXT)
        else:
            set_pin = self._wa.two_step_verification.set_pin
            self._op = lambda: set_pin(PIN)

    async def call(self) -> None:
        result = await self._op()
        if getattr(result, "success", None) is not True and not getattr(result, "id", None):
            raise RuntimeError("unexpected answer")

    async def aclose(self) -> None:
        await self._wa.aclose()
        await self._transport.aclose()


class TransportOnly:
    """Diagnostic: ``AiohttpTransport.send`` of one prebuilt request, no client around it."""

    def __init__(self, target: Target, workload: str, pool: int) -> None:
        from meta_cloud_async._http import Request
        from meta_cloud_async.transports.aiohttp_transport import AiohttpTransport

        self._transport = AiohttpTransport(limit=pool)
        self._request = Request(
            method="POST",
            url=target.url(workload),
            headers={"authorization": f"Bearer {target.token}", "content-type": "application/json"},
            content=json.dumps(_body(workload)).encode(),
            timeout=20.0,
        )

    async def call(self) -> None:
        _check(json.loads((await self._transport.send(self._request)).content))

    async def aclose(self) -> None:
        await self._transport.aclose()


# -- pywa -----------------------------------------------------------------------------


def _no_pywa() -> str | None:
    return None if importlib.util.find_spec("pywa_async") else "pywa is not installed"


class Pywa:
    """``pywa_async.WhatsApp.register_phone_number`` with its httpx session aimed at our server.

    Constructed with a token and phone id only (no callback URL, server or app
    secret), so it makes no request of its own. pywa points the session's
    ``base_url`` at graph.facebook.com in its constructor; we re-aim it after.
    """

    def __init__(self, target: Target, workload: str, pool: int) -> None:
        import httpx
        from pywa_async.client import WhatsApp as PywaWhatsApp

        if workload not in (REGISTER, SEND_TEXT):
            raise ValueError("pywa is benchmarked on register and send_text only (it has no 2SV call)")
        self._workload = workload
        self._session = httpx.AsyncClient(limits=httpx.Limits(max_connections=pool))
        self._wa = PywaWhatsApp(
            phone_id=target.phone_number_id,
            token=target.token,
            session=self._session,
            api_version=API_VERSION[1:],
        )
        self._session.base_url = httpx.URL(f"{target.base_url}/{API_VERSION}")

    async def call(self) -> None:
        if self._workload == SEND_TEXT:
            sent = await self._wa.send_message(to=RECIPIENT, text=TEXT)
            if not sent.id:
                raise RuntimeError("unexpected answer")
            return
        result = await self._wa.register_phone_number(PIN)
        if not result.success:
            raise RuntimeError("unexpected answer")

    async def aclose(self) -> None:
        await self._session.aclose()


# -- the table ------------------------------------------------------------------------


def _make(cls: Callable[..., BenchClient], *extra: Any) -> Callable[[str], Factory]:
    def for_workload(workload: str) -> Factory:
        async def factory(target: Target, pool: int) -> BenchClient:
            return cls(target, workload, pool, *extra)

        return factory

    return for_workload


_raw_aiohttp = _make(RawAiohttp)
_raw_httpx = _make(RawHttpx)
_sdk_aiohttp = _make(Sdk, "aiohttp")
_sdk_httpx = _make(Sdk, "httpx")
_pywa = _make(Pywa)
_sdk_bare = _make(Sdk, "aiohttp", False)
_transport_only = _make(TransportOnly)

CLIENTS: tuple[ClientSpec, ...] = (
    ClientSpec("raw_aiohttp", SET_PIN, "raw aiohttp", _raw_aiohttp(SET_PIN), _always),
    ClientSpec("sdk_aiohttp", SET_PIN, "SDK (aiohttp)", _sdk_aiohttp(SET_PIN), _always),
    ClientSpec("sdk_httpx", SET_PIN, "SDK (httpx)", _sdk_httpx(SET_PIN), _httpx_transport_missing),
    ClientSpec("raw_httpx", SET_PIN, "raw httpx", _raw_httpx(SET_PIN), _no_httpx),
    ClientSpec("raw_aiohttp", REGISTER, "raw aiohttp", _raw_aiohttp(REGISTER), _always),
    ClientSpec("sdk_aiohttp", REGISTER, "SDK (aiohttp)", _sdk_aiohttp(REGISTER), _always),
    ClientSpec("sdk_httpx", REGISTER, "SDK (httpx)", _sdk_httpx(REGISTER), _httpx_transport_missing),
    ClientSpec("raw_httpx", REGISTER, "raw httpx", _raw_httpx(REGISTER), _no_httpx),
    ClientSpec("pywa", REGISTER, "pywa (httpx)", _pywa(REGISTER), _no_pywa),
    ClientSpec("raw_aiohttp", PER_NUMBER, "raw aiohttp", _raw_aiohttp(PER_NUMBER), _always),
    ClientSpec("sdk_aiohttp", PER_NUMBER, "SDK (aiohttp)", _sdk_aiohttp(PER_NUMBER), _always),
    ClientSpec("raw_aiohttp", SEND_TEXT, "raw aiohttp", _raw_aiohttp(SEND_TEXT), _always),
    ClientSpec("sdk_aiohttp", SEND_TEXT, "SDK (aiohttp)", _sdk_aiohttp(SEND_TEXT), _always),
    ClientSpec("pywa", SEND_TEXT, "pywa (httpx)", _pywa(SEND_TEXT), _no_pywa),
    # Diagnostics, run only when named with --clients: they split the SDK's cost by layer.
    ClientSpec("sdk_aiohttp_bare", SET_PIN, "SDK, no retry/limit", _sdk_bare(SET_PIN), _always, False),
    ClientSpec("transport_aiohttp", SET_PIN, "AiohttpTransport", _transport_only(SET_PIN), _always, False),
)
