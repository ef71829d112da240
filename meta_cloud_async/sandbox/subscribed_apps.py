"""The sandbox's webhook subscriptions of each WABA (``/{waba_id}/subscribed_apps``), as state.

The sandbox has one app, the one its access token belongs to. Subscribing
stores it (with an optional ``override_callback_uri``) on that WABA; listing
answers what is stored; unsubscribing removes it. Validation is this
module's own, as Meta's: an override needs an https URL and the verify
token that goes with it. Nothing is ever called back: the sandbox never
leaves the process. The state hangs off the :class:`~.state.Business`
(weakly), so :meth:`Sandbox.reset` starts from no subscriptions.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..types.waba import ListSubscribedAppsRequest, SubscribeAppRequest, UnsubscribeAppRequest
from .envelope import GraphError
from .routes import Call, handles

if TYPE_CHECKING:
    from .state import Business

__all__ = ["SANDBOX_APP", "subscriptions_of"]

#: The app every sandbox token belongs to.
SANDBOX_APP = {
    "id": "100000000000001",
    "name": "Sandbox App",
    "link": "https://www.facebook.com/games/?app_id=100000000000001",
}

# waba id -> the override URI of the sandbox app's subscription ("" when none)
_STATE: weakref.WeakKeyDictionary[Business, dict[str, str]] = weakref.WeakKeyDictionary()


def subscriptions_of(business: Business) -> dict[str, str]:
    """The subscribed WABAs of ``business`` and their override callback URIs ("" = the app's default)."""
    return _STATE.setdefault(business, {})


def _check_override(params: dict[str, Any]) -> str:
    uri = params.get("override_callback_uri")
    token = params.get("verify_token")
    if uri is None and token is None:
        return ""
    if not isinstance(uri, str) or not isinstance(token, str) or not token:
        raise GraphError.invalid_parameter("override_callback_uri and verify_token must be sent together")
    parts = urlsplit(uri)
    if parts.scheme != "https" or not parts.netloc or len(uri) > 2048 or any(c.isspace() for c in uri):
        raise GraphError.invalid_parameter("override_callback_uri must be a valid https URL")
    return uri


def _entry(override: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"whatsapp_business_api_data": dict(SANDBOX_APP)}
    if override:
        entry["override_callback_uri"] = override
    return entry


@handles(ListSubscribedAppsRequest, name="list_subscribed_apps")
def _list(call: Call) -> dict[str, Any]:
    assert call.waba_id is not None
    subs = subscriptions_of(call.business)
    return {"data": [_entry(subs[call.waba_id])] if call.waba_id in subs else []}


@handles(SubscribeAppRequest, name="subscribe_app")
def _subscribe(call: Call) -> dict[str, Any]:
    assert call.waba_id is not None
    override = _check_override(call.params)
    subscriptions_of(call.business)[call.waba_id] = override
    return {"success": True}


@handles(UnsubscribeAppRequest, name="unsubscribe_app")
def _unsubscribe(call: Call) -> dict[str, Any]:
    assert call.waba_id is not None
    subscriptions_of(call.business).pop(call.waba_id, None)
    return {"success": True}
