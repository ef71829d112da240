"""The sandbox's routes: Graph operations matched by the SDK's own declarations.

A handler is registered with ``@handles(SomeRequest, name="route_name")``: the
router matches a concrete path against that request class's compiled path
template (method, literal segments, placeholders) and calls the handler with a
:class:`Call`. Only *where* an operation lives is shared with the client; what a
valid call is stays the sandbox's own business (``state.py`` validates every
parameter itself), so a client bug cannot hide behind a shared check.

A path that matches a declared operation with no handler is answered with a
Graph error naming it ("not emulated by the sandbox"), not a misleading 100/33.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import urlencode

import attrs

from .._operations import Operation, operation_of, registry
from ..types.messages import SendMarketingMessageRequest, SendMessageRequest
from ..types.phone_numbers import (
    GetPhoneNumberRequest,
    ListPhoneNumbersRequest,
    RequestCodeRequest,
    VerifyCodeRequest,
)
from ..types.registration import DeregisterRequest, RegisterRequest
from ..types.two_step_verification import SetPinRequest
from ..types.waba import GetBusinessAccountRequest
from .content_routes import ROUTES as CONTENT_ROUTES
from .envelope import GraphError

if TYPE_CHECKING:
    from .state import Business, _Phone

__all__ = ["ROUTE_NAMES", "Call", "Resolved", "Route", "RouteTable", "handles"]


@attrs.define(slots=True)
class Call:
    """One matched Graph call, as a handler sees it."""

    business: Business
    phone: _Phone | None
    waba_id: str | None
    values: Mapping[str, str]
    params: dict[str, Any]
    now: float
    origin: str
    path: str
    #: The raw body and headers, for routes whose body is not JSON or a form (media, uploads).
    body: bytes = b""
    headers: Mapping[str, str] = attrs.field(factory=dict)


Handler = Callable[[Call], dict[str, Any]]


class Resolved(NamedTuple):
    route: Route
    values: dict[str, str]
    phone: _Phone | None
    waba_id: str | None
    found: bool


#: Does this business hold the object the path names? (For ids with no placeholder of their own,
#: such as ``{template_id}`` and ``{flow_id}``, which share the shape of ``{phone_number_id}``.)
Owns = Callable[["Business", Mapping[str, str]], bool]


@attrs.frozen(slots=True)
class Route:
    name: str
    op: Operation
    handler: Handler
    owns: Owns | None = None


_HANDLERS: list[Route] = []
#: Routes on a bare ``/{id}`` of their own kind (media): they never claim a phone number's or WABA's id.
_NOT_FOR_KNOWN_IDS: set[str] = set()


def handles(
    request: type[Any], *, name: str, owns: Owns | None = None, not_for_known_ids: bool = False
) -> Callable[[Handler], Handler]:
    """Register ``handler`` as the sandbox's emulation of ``request``'s operation, under route ``name``.

    ``owns`` tells same-shaped routes apart: the route matches only when it says the
    business holds the object named by the path. ``not_for_known_ids``: never claim a
    path whose id is a phone number or WABA of the business (media ids share that shape).
    """

    def register(handler: Handler) -> Handler:
        _HANDLERS.append(Route(name, operation_of(request), handler, owns))
        if not_for_known_ids:
            _NOT_FOR_KNOWN_IDS.add(name)
        return handler

    return register


def _segments(path: str) -> int:
    return path.count("/") + 1


class RouteTable:
    """Routes indexed by (method, segment count); matching is a few regex ``fullmatch`` calls."""

    def __init__(self, routes: list[Route], declared: list[Operation]) -> None:
        self._routes: dict[tuple[str, int], list[Route]] = {}
        # More literal text first, so ``{id}/register`` wins over ``{id}/{edge}``-like templates.
        for route in sorted(routes, key=lambda r: -len("".join(r.op.parts[0::2]))):
            self._routes.setdefault((route.op.method, _segments(route.op.path)), []).append(route)
        handled = {r.op.cls for r in routes}
        self._missing: dict[tuple[str, int], list[Operation]] = {}
        for op in declared:
            if op.cls not in handled:
                self._missing.setdefault((op.method, _segments(op.path)), []).append(op)

    def resolve(self, method: str, rel: str, business: Business) -> Resolved | None:
        """The route of ``rel`` (path after the version): its placeholder values, the number, its WABA.

        ``found`` is False when the path has an operation's shape but names no
        object of this business: the route still names the call (for faults and
        the log), and the router answers Graph's 100/33.
        """
        shaped: Resolved | None = None
        for route in self._routes.get((method, _segments(rel)), ()):
            values = route.op.match(rel)
            if values is None:
                continue
            if route.name in _NOT_FOR_KNOWN_IDS and any(
                v in business.phones or v in business.waba_phones for v in values.values()
            ):
                continue
            phone = None
            waba_id = None
            pid = values.get("phone_number_id")
            wid = values.get("business_account_id")
            if pid is not None:
                phone = business.phones.get(pid)
                waba_id = phone.waba_id if phone is not None else None
            if wid is not None:
                waba_id = wid if wid in business.waba_phones else None
            if route.owns is not None and not route.owns(business, values):
                continue  # another object's shape: not this route's call, not even by name
            if (pid is not None and phone is None) or (wid is not None and waba_id is None):
                shaped = shaped or Resolved(route, values, None, None, False)
                continue
            return Resolved(route, values, phone, waba_id, True)
        return shaped

    def not_emulated(self, method: str, rel: str) -> Operation | None:
        """A declared operation this path belongs to that the sandbox has no handler for."""
        for op in self._missing.get((method, _segments(rel)), ()):
            if op.match(rel) is not None and any(p for p in op.parts[0::2] if p.strip("/")):
                return op
        return None


def not_emulated_error(op: Operation) -> GraphError:
    name = op.operation_id or op.name
    return GraphError(
        400,
        100,
        f"(#100) Not emulated by the sandbox: {name} ({op.method} /{op.path})",
        details="The SDK declares this operation, but the sandbox has no emulation of it yet.",
    )


# -- the handlers: routing here, validation and state in state.py ------------------------------


@handles(SetPinRequest, name="set_pin")
def _set_pin(call: Call) -> dict[str, Any]:
    assert call.phone is not None
    if "pin" not in call.params and "whatsapp_business_api_data" not in call.params:
        from .profile_state import profiles_of  # the same POST without a PIN: visibility, webhook

        return profiles_of(call.business).of(call.phone.id).update_status(call.params)
    return call.business.set_pin(call.phone, call.params)


@handles(GetPhoneNumberRequest, name="get_phone_number")
def _get_phone(call: Call) -> dict[str, Any]:
    assert call.phone is not None
    return call.business.get_phone(call.phone, call.params.get("fields"))


@handles(RegisterRequest, name="register")
def _register(call: Call) -> dict[str, Any]:
    assert call.phone is not None
    return call.business.register(call.phone, call.params, call.now)


@handles(DeregisterRequest, name="deregister")
def _deregister(call: Call) -> dict[str, Any]:
    assert call.phone is not None
    return call.business.deregister(call.phone, call.now)


@handles(RequestCodeRequest, name="request_code")
def _request_code(call: Call) -> dict[str, Any]:
    assert call.phone is not None
    return call.business.request_code(call.phone, call.params, call.now)


@handles(VerifyCodeRequest, name="verify_code")
def _verify_code(call: Call) -> dict[str, Any]:
    assert call.phone is not None
    return call.business.verify_code(call.phone, call.params, call.now)


@handles(GetBusinessAccountRequest, name="get_waba")
def _get_waba(call: Call) -> dict[str, Any]:
    assert call.waba_id is not None
    return call.business.get_waba(call.waba_id, call.params.get("fields"))


@handles(ListPhoneNumbersRequest, name="list_phone_numbers")
def _list_phone_numbers(call: Call) -> dict[str, Any]:
    assert call.waba_id is not None
    query = {k: v for k, v in call.params.items() if isinstance(v, str)}
    items, first, last, has_prev, has_next = call.business.list_phones(call.waba_id, query)
    out: dict[str, Any] = {"data": items}
    if first is None or last is None:
        return out
    keep: list[tuple[str, str]] = [(k, query[k]) for k in ("fields", "limit") if k in query]
    paging: dict[str, Any] = {"cursors": {"before": first, "after": last}}
    if has_prev:
        paging["previous"] = f"{call.origin}{call.path}?{urlencode([*keep, ('before', first)])}"
    if has_next:
        paging["next"] = f"{call.origin}{call.path}?{urlencode([*keep, ('after', last)])}"
    out["paging"] = paging
    return out


@handles(SendMessageRequest, name="send_message")
def _send_message(call: Call) -> dict[str, Any]:
    # Sends and mark-as-read share the path; the messaging state tells them apart by the body.
    assert call.phone is not None
    return call.business.messaging.handle(call.phone.id, call.params, call.now)


@handles(SendMarketingMessageRequest, name="send_marketing_message")
def _send_marketing_message(call: Call) -> dict[str, Any]:
    assert call.phone is not None
    body = call.params
    if body.get("type") != "template":
        raise GraphError.invalid_parameter("The Marketing Messages API sends templates only.")
    return call.business.messaging.handle(call.phone.id, body, call.now)


from . import profile_routes as _profile_routes  # noqa: E402,F401  (registers its handlers)
from . import subscribed_apps as _subscribed_apps  # noqa: E402,F401  (registers its handlers)

# Templates, Flows and the business encryption key (handlers in content_routes.py).
for _request, _name, _owns, _handler in CONTENT_ROUTES:
    handles(_request, name=_name, owns=_owns)(_handler)
from . import media_routes  # noqa: E402,F401  (registers the media handlers, after the ones above)


def route_table() -> RouteTable:
    """Every registered handler, plus every declared operation (for "not emulated" answers)."""
    return RouteTable(list(_HANDLERS), registry())


#: Route names faults can target and the request log shows (``other``: anything unmatched).
ROUTE_NAMES = frozenset({r.name for r in _HANDLERS} | {"other", "download_media"})
