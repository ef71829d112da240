"""Sandbox routes for message templates, Flows and the business encryption key.

Routing only: the state and its validation live in :mod:`.templates_state`,
:mod:`.flows_state` and (for the key, a few lines) here, never in the client's
``types`` modules. Imported by :mod:`.routes`, which registers the handlers.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from ..types.encryption import GetEncryptionKeyRequest, SetEncryptionKeyRequest
from ..types.flows import (
    CreateFlowRequest,
    DeleteFlowRequest,
    DeprecateFlowRequest,
    GetFlowRequest,
    ListFlowAssetsRequest,
    ListFlowsRequest,
    MigrateFlowsRequest,
    PublishFlowRequest,
    UpdateFlowJsonRequest,
    UpdateFlowMetadataRequest,
)
from ..types.templates import (
    CreateTemplateRequest,
    DeleteTemplateRequest,
    EditTemplateRequest,
    GetTemplateRequest,
    ListTemplatesRequest,
)
from .envelope import GraphError

if TYPE_CHECKING:
    from .routes import Call, Handler, Owns

__all__ = ["FLOW_ASSET_PREFIX", "ROUTES", "check_template_send", "valid_public_key"]

#: ``(request class, route name, owns, handler)``; :mod:`.routes` registers each with ``handles``.
#: (Collected here rather than decorated with ``handles`` directly, so this module never
#: imports ``routes`` and the route names are complete whichever module is imported first.)
ROUTES: list[tuple[type[Any], str, Owns | None, Handler]] = []


def handles(request: type[Any], *, name: str, owns: Owns | None = None) -> Callable[[Handler], Handler]:
    def collect(handler: Handler) -> Handler:
        ROUTES.append((request, name, owns, handler))
        return handler

    return collect


#: Where the sandbox serves a Flow's JSON asset (the ``download_url``; no token needed, like Meta's CDN link).
FLOW_ASSET_PREFIX = "/_sandbox/flow_assets/"
_DEFAULT_PAGE = 25
_PEM = re.compile(
    r"-----BEGIN PUBLIC KEY-----\s+([A-Za-z0-9+/=\s]+?)\s*-----END PUBLIC KEY-----\s*", re.ASCII
)


def _text(params: Mapping[str, Any], key: str) -> str | None:
    value = params.get(key)
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    if not isinstance(value, str):
        raise GraphError.invalid_parameter(f"{key} must be a string")
    return value


def _pick(item: dict[str, Any], fields: str | None) -> dict[str, Any]:
    if not fields:
        return item
    wanted = {f.strip().split(".", 1)[0] for f in fields.split(",")} | {"id"}
    return {k: v for k, v in item.items() if k in wanted}


def _cursor(item_id: str) -> str:
    return base64.urlsafe_b64encode(item_id.encode()).decode().rstrip("=")


def _uncursor(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise GraphError.invalid_parameter("after/before: not a cursor this edge gave") from None


def _page(call: Call, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Graph cursor paging over ``items`` (sorted by id) with ``limit``/``after``/``before``."""
    raw_limit = _text(call.params, "limit")
    if raw_limit is None:
        limit = _DEFAULT_PAGE
    elif raw_limit.isascii() and raw_limit.isdigit() and int(raw_limit) > 0:
        limit = int(raw_limit)
    else:
        raise GraphError.invalid_parameter("limit must be a positive integer")
    ids = [str(i["id"]) for i in items]
    after, before = _text(call.params, "after"), _text(call.params, "before")
    start = 0
    if after is not None:
        start = ids.index(_uncursor(after)) + 1 if _uncursor(after) in ids else len(ids)
    end = start + limit
    if before is not None:
        end = ids.index(_uncursor(before)) if _uncursor(before) in ids else 0
        start = max(0, end - limit)
    chunk = items[start:end]
    out: dict[str, Any] = {"data": [_pick(i, _text(call.params, "fields")) for i in chunk]}
    if not chunk:
        return out
    first, last = _cursor(str(chunk[0]["id"])), _cursor(str(chunk[-1]["id"]))
    keep = [
        (k, str(v))
        for k, v in call.params.items()
        if k not in ("after", "before", "access_token") and isinstance(v, str)
    ]
    paging: dict[str, Any] = {"cursors": {"before": first, "after": last}}
    if start > 0:
        paging["previous"] = f"{call.origin}{call.path}?{urlencode([*keep, ('before', first)])}"
    if end < len(items):
        paging["next"] = f"{call.origin}{call.path}?{urlencode([*keep, ('after', last)])}"
    out["paging"] = paging
    return out


# -- templates ---------------------------------------------------------------------------------


def _owns_template(business: Any, values: Mapping[str, str]) -> bool:
    return values.get("template_id") in business.templates


@handles(ListTemplatesRequest, name="list_templates")
def _list_templates(call: Call) -> dict[str, Any]:
    assert call.waba_id is not None
    p = call.params
    items = call.business.templates.waba(call.waba_id).list(
        call.now,
        name=_text(p, "name"),
        status=_text(p, "status"),
        category=_text(p, "category"),
        language=_text(p, "language"),
        quality_score=_text(p, "quality_score"),
    )
    return _page(call, items)


@handles(GetTemplateRequest, name="get_template", owns=_owns_template)
def _get_template(call: Call) -> dict[str, Any]:
    return _pick(
        call.business.templates.get(call.values["template_id"], call.now), _text(call.params, "fields")
    )


@handles(CreateTemplateRequest, name="create_template")
def _create_template(call: Call) -> dict[str, Any]:
    assert call.waba_id is not None
    return call.business.templates.waba(call.waba_id).create(call.params, call.now)


@handles(EditTemplateRequest, name="edit_template", owns=_owns_template)
def _edit_template(call: Call) -> dict[str, Any]:
    return call.business.templates.edit(call.values["template_id"], call.params, call.now)


@handles(DeleteTemplateRequest, name="delete_template")
def _delete_template(call: Call) -> dict[str, Any]:
    assert call.waba_id is not None
    return call.business.templates.waba(call.waba_id).delete(
        call.now, name=_text(call.params, "name"), hsm_id=_text(call.params, "hsm_id")
    )


def check_template_send(business: Any, phone_number_id: str, template: Any, now: float) -> None:
    """Refuse a ``type: template`` send as Meta does, against the templates the sandbox holds.

    ``template`` is the send body's ``template`` object (``name``, ``language.code``,
    ``components``). For the messages route: 132001 when the number's WABA has no
    approved template of that name in that language, 132015 / 132016 when paused or
    disabled, 132000 when the parameter counts differ.
    """
    phone = business.phones.get(phone_number_id)
    if phone is None:
        raise GraphError.unsupported("POST", phone_number_id)
    if not isinstance(template, Mapping):
        raise GraphError.invalid_parameter("template must be an object")
    name = template.get("name")
    language = template.get("language")
    code = language.get("code") if isinstance(language, Mapping) else None
    if not isinstance(name, str) or not isinstance(code, str):
        raise GraphError.invalid_parameter("template needs name and language.code")
    components = template.get("components")
    if components is not None and not isinstance(components, list):
        raise GraphError.invalid_parameter("template.components must be an array")
    business.templates.waba(phone.waba_id).check_send(name, code, components, now=now)


# -- flows -----------------------------------------------------------------------------------------


def _owns_flow(business: Any, values: Mapping[str, str]) -> bool:
    return values.get("flow_id") in business.flows


@handles(ListFlowsRequest, name="list_flows")
def _list_flows(call: Call) -> dict[str, Any]:
    assert call.waba_id is not None
    return _page(call, call.business.flows.list(call.waba_id))


@handles(CreateFlowRequest, name="create_flow")
def _create_flow(call: Call) -> dict[str, Any]:
    assert call.waba_id is not None
    p = call.params
    return call.business.flows.create(
        call.waba_id,
        _text(p, "name"),
        p.get("categories"),
        call.now,
        clone_flow_id=_text(p, "clone_flow_id"),
        endpoint_uri=_text(p, "endpoint_uri"),
        flow_json=_text(p, "flow_json"),
    )


@handles(MigrateFlowsRequest, name="migrate_flows")
def _migrate_flows(call: Call) -> dict[str, Any]:
    assert call.waba_id is not None
    source = _text(call.params, "source_waba_id")
    if not source:
        raise GraphError.missing_parameter("source_waba_id")
    if source not in call.business.waba_phones:
        raise GraphError.unsupported("POST", source)
    raw = _text(call.params, "source_flow_names")
    names = None
    if raw is not None:
        try:
            names = json.loads(raw)
        except ValueError:
            names = None
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise GraphError.invalid_parameter(
                'source_flow_names: a JSON array of names, e.g. ["appointment"]'
            )
    return call.business.flows.migrate(call.waba_id, source, names, call.now)


@handles(GetFlowRequest, name="get_flow", owns=_owns_flow)
def _get_flow(call: Call) -> dict[str, Any]:
    flow_id = call.values["flow_id"]
    item = call.business.flows.get(flow_id)
    fields = _text(call.params, "fields")
    if fields and "preview" in {f.strip().split(".", 1)[0] for f in fields.split(",")}:
        item["preview"] = {
            "preview_url": f"{call.origin}/_sandbox/flow_previews/{flow_id}",
            "expires_at": "2099-01-01T00:00:00+0000",
        }
    return _pick(item, fields)


@handles(UpdateFlowMetadataRequest, name="update_flow_metadata", owns=_owns_flow)
def _update_flow_metadata(call: Call) -> dict[str, Any]:
    p = call.params
    return call.business.flows.update_metadata(
        call.values["flow_id"],
        call.now,
        name=_text(p, "name"),
        categories=p.get("categories"),
        endpoint_uri=_text(p, "endpoint_uri"),
    )


@handles(DeleteFlowRequest, name="delete_flow", owns=_owns_flow)
def _delete_flow(call: Call) -> dict[str, Any]:
    return call.business.flows.delete(call.values["flow_id"])


@handles(ListFlowAssetsRequest, name="list_flow_assets", owns=_owns_flow)
def _list_flow_assets(call: Call) -> dict[str, Any]:
    flow_id = call.values["flow_id"]
    if call.business.flows.get_json(flow_id) is None:
        return {"data": []}
    return {
        "data": [
            {
                "name": "flow.json",
                "asset_type": "FLOW_JSON",
                "download_url": f"{call.origin}{FLOW_ASSET_PREFIX}{flow_id}/flow.json",
            }
        ]
    }


@handles(UpdateFlowJsonRequest, name="update_flow_json", owns=_owns_flow)
def _update_flow_json(call: Call) -> dict[str, Any]:
    p = call.params
    if _text(p, "asset_type") != "FLOW_JSON":
        raise GraphError.invalid_parameter("asset_type must be FLOW_JSON")
    file = p.get("file")
    if not isinstance(file, (bytes, str)):
        raise GraphError.missing_parameter("file")
    return call.business.flows.update_json(call.values["flow_id"], file, call.now)


@handles(PublishFlowRequest, name="publish_flow", owns=_owns_flow)
def _publish_flow(call: Call) -> dict[str, Any]:
    return call.business.flows.publish(call.values["flow_id"], call.now)


@handles(DeprecateFlowRequest, name="deprecate_flow", owns=_owns_flow)
def _deprecate_flow(call: Call) -> dict[str, Any]:
    return call.business.flows.deprecate(call.values["flow_id"], call.now)


# -- the business public key --------------------------------------------------------------------


def valid_public_key(pem: str) -> bool:
    """The sandbox's own check: one PEM ``PUBLIC KEY`` block whose body is base64 of a plausible RSA key."""
    match = _PEM.fullmatch(pem.strip() + "\n")
    if match is None:
        return False
    try:
        der = base64.b64decode("".join(match.group(1).split()), validate=True)
    except (binascii.Error, ValueError):
        return False
    return len(der) >= 160 and der[:1] == b"\x30"  # a DER SEQUENCE, at least a 1024-bit modulus


@handles(GetEncryptionKeyRequest, name="get_encryption_key")
def _get_encryption_key(call: Call) -> dict[str, Any]:
    assert call.phone is not None
    pem = call.business.encryption_keys.get(call.phone.id)
    if pem is None:
        return {"data": []}
    return {"data": [{"business_public_key": pem, "business_public_key_signature_status": "VALID"}]}


@handles(SetEncryptionKeyRequest, name="set_encryption_key")
def _set_encryption_key(call: Call) -> dict[str, Any]:
    assert call.phone is not None
    pem = _text(call.params, "business_public_key")
    if not pem:
        raise GraphError.missing_parameter("business_public_key")
    if not valid_public_key(pem):
        raise GraphError(
            400,
            100,
            "Business public key is invalid",
            user_title="Invalid Public Key",
            user_message="The provided public key format is invalid",
        )
    call.business.encryption_keys[call.phone.id] = pem
    return {"success": True}
