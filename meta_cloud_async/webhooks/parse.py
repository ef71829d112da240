"""``parse_webhook``: every entry x change x item of a POST body, as typed events.

Hand-written on purpose: a reflective structurer (cattrs) costs several times ``json.loads``
on these small bodies, and the receiver must answer Meta in milliseconds. Unknown fields,
message types and item kinds become :class:`UnknownEvent` (never dropped); a body that is not
a webhook raises :class:`WebhookPayloadError` and nothing else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs

from meta_cloud_async._http import loads_json
from meta_cloud_async.webhooks import events as ev
from meta_cloud_async.webhooks.errors import WebhookPayloadError

__all__ = ["WebhookPayload", "parse_webhook"]

# The client's JSON decoder (orjson with the ``fast`` extra, else the standard library's, with
# the same answers and errors either way).
_decode = loads_json


@attrs.define
class WebhookPayload:
    """A parsed POST: ``events`` holds one typed event per item, in the order Meta sent them."""

    object: str | None
    events: tuple[ev.Event, ...]
    raw: Any = attrs.field(eq=False, repr=False)

    def __len__(self) -> int:
        return len(self.events)


class _Bad(Exception):
    """Internal: a shape check failed (turned into WebhookPayloadError at the boundary)."""


# -- small coercions (each tolerant of absence, strict about wrong kinds) -----------------


def _s(v: Any) -> str | None:
    if v is None or v.__class__ is str:
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return str(v)  # Meta sends some ids and numbers as JSON numbers
    if isinstance(v, str):
        return str(v)
    raise _Bad(f"expected a string, got {type(v).__name__}")


def _req(d: dict[str, Any], key: str) -> str:
    v = d.get(key)
    if v.__class__ is str:
        return v
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    raise _Bad(f"missing or non-string {key!r}")


def _i(v: Any) -> int | None:
    if v is None:
        return None
    if v.__class__ is int:
        return v
    if isinstance(v, bool):
        raise _Bad("expected an integer, got a boolean")
    if isinstance(v, (str, float)):
        return int(v)
    raise _Bad(f"expected an integer, got {type(v).__name__}")


def _f(v: Any) -> float | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise _Bad(f"expected a number, got {type(v).__name__}")
    return float(v)


def _b(v: Any) -> bool | None:
    if v is None or v is True or v is False:
        return v
    raise _Bad(f"expected a boolean, got {type(v).__name__}")


def _d(v: Any) -> dict[str, Any]:
    if v is None:
        return {}
    if v.__class__ is dict:
        return v
    raise _Bad(f"expected an object, got {type(v).__name__}")


def _l(v: Any) -> list[Any]:
    if v is None:
        return []
    if v.__class__ is list:
        return v
    raise _Bad(f"expected an array, got {type(v).__name__}")


def _errors(v: Any) -> tuple[ev.WebhookError, ...]:
    if not v:
        return ()
    out = []
    for e in _l(v):
        e = _d(e)
        data = _d(e.get("error_data"))
        out.append(
            ev.WebhookError(
                code=_i(e.get("code")),
                title=_s(e.get("title")),
                message=_s(e.get("message")),
                details=_s(data.get("details")),
                href=_s(e.get("href")),
            )
        )
    return tuple(out)


# -- messages ----------------------------------------------------------------------------


class _Where:
    """Where a change's items came from; shared by every event of that change."""

    __slots__ = ("contacts", "display", "field", "phone_id", "time", "waba")

    def __init__(
        self, field: str, waba: str | None, phone_id: str | None, display: str | None, time: int | None
    ) -> None:
        self.field = field
        self.waba = waba
        self.phone_id = phone_id
        self.display = display
        self.time = time
        self.contacts: list[Any] = []


def _contact_for(where: _Where, sender: str) -> ev.Contact | None:
    contacts = where.contacts
    if len(contacts) == 1:
        c = contacts[0]
        if c.__class__ is dict:
            profile = c.get("profile")
            name = profile.get("name") if profile.__class__ is dict else None
            wa_id = c.get("wa_id")
            user_id = c.get("user_id")
            if (
                name.__class__ is str
                and wa_id.__class__ is str
                and (user_id is None or user_id.__class__ is str)
            ):
                return ev.Contact(wa_id=wa_id, name=name, user_id=user_id)
    chosen = None
    for c in contacts:
        c = _d(c)
        if c.get("wa_id") == sender or chosen is None:
            chosen = c
            if c.get("wa_id") == sender:
                break
    if chosen is None:
        return None
    profile = _d(chosen.get("profile"))
    return ev.Contact(
        wa_id=_s(chosen.get("wa_id")), name=_s(profile.get("name")), user_id=_s(chosen.get("user_id"))
    )


def _context(v: Any) -> ev.MessageContext | None:
    if v is None:
        return None
    c = _d(v)
    rp = c.get("referred_product")
    product = None
    if rp is not None:
        rp = _d(rp)
        product = ev.ReferredProduct(
            catalog_id=_s(rp.get("catalog_id")), product_retailer_id=_s(rp.get("product_retailer_id"))
        )
    return ev.MessageContext(
        id=_s(c.get("id")),
        sender=_s(c.get("from")),
        forwarded=bool(_b(c.get("forwarded"))),
        frequently_forwarded=bool(_b(c.get("frequently_forwarded"))),
        referred_product=product,
    )


def _referral(v: Any) -> ev.Referral | None:
    if v is None:
        return None
    r = _d(v)
    welcome = r.get("welcome_message")
    return ev.Referral(
        source_url=_s(r.get("source_url")),
        source_id=_s(r.get("source_id")),
        source_type=_s(r.get("source_type")),
        body=_s(r.get("body")),
        headline=_s(r.get("headline")),
        media_type=_s(r.get("media_type")),
        image_url=_s(r.get("image_url")),
        video_url=_s(r.get("video_url")),
        thumbnail_url=_s(r.get("thumbnail_url")),
        ctwa_clid=_s(r.get("ctwa_clid")),
        welcome_message=_s(_d(welcome).get("text")) if welcome is not None else None,
    )


def _identity(v: Any) -> ev.Identity | None:
    if v is None:
        return None
    d = _d(v)
    return ev.Identity(
        acknowledged=_b(d.get("acknowledged")),
        created_timestamp=_i(d.get("created_timestamp")),
        hash=_s(d.get("hash")),
    )


def _media(v: Any) -> ev.Media:
    d = _d(v)
    return ev.Media(
        id=_req(d, "id"),
        mime_type=_s(d.get("mime_type")),
        sha256=_s(d.get("sha256")),
        caption=_s(d.get("caption")),
        filename=_s(d.get("filename")),
        url=_s(d.get("url")),
        voice=bool(_b(d.get("voice"))),
        animated=bool(_b(d.get("animated"))),
    )


def _shared_contact(v: Any) -> ev.SharedContact:
    c = _d(v)
    name = _d(c.get("name"))
    org = _d(c.get("org"))
    return ev.SharedContact(
        formatted_name=_s(name.get("formatted_name")),
        first_name=_s(name.get("first_name")),
        last_name=_s(name.get("last_name")),
        middle_name=_s(name.get("middle_name")),
        company=_s(org.get("company")),
        department=_s(org.get("department")),
        title=_s(org.get("title")),
        birthday=_s(c.get("birthday")),
        phones=tuple(
            ev.SharedContactPhone(phone=_s(p.get("phone")), wa_id=_s(p.get("wa_id")), type=_s(p.get("type")))
            for p in map(_d, _l(c.get("phones")))
        ),
        emails=tuple(
            ev.SharedContactEmail(email=_s(e.get("email")), type=_s(e.get("type")))
            for e in map(_d, _l(c.get("emails")))
        ),
        urls=tuple(
            ev.SharedContactUrl(url=_s(u.get("url")), type=_s(u.get("type")))
            for u in map(_d, _l(c.get("urls")))
        ),
        addresses=tuple(
            ev.SharedContactAddress(
                street=_s(a.get("street")),
                city=_s(a.get("city")),
                state=_s(a.get("state")),
                zip=_s(a.get("zip")),
                country=_s(a.get("country")),
                country_code=_s(a.get("country_code")),
                type=_s(a.get("type")),
            )
            for a in map(_d, _l(c.get("addresses")))
        ),
    )


def _interactive(d: dict[str, Any]) -> tuple[str, Any] | None:
    kind = d.get("type")
    body = _d(d.get(kind)) if isinstance(kind, str) else {}
    if kind == "button_reply":
        return kind, ev.ButtonReply(id=_s(body.get("id")), title=_s(body.get("title")))
    if kind == "list_reply":
        return kind, ev.ListReply(
            id=_s(body.get("id")), title=_s(body.get("title")), description=_s(body.get("description"))
        )
    if kind == "nfm_reply":
        rj = _s(body.get("response_json"))
        try:
            response = loads_json(rj) if rj else {}
        except ValueError:
            response = {}
        return kind, ev.FlowReply(
            name=_s(body.get("name")), body=_s(body.get("body")), response_json=rj, response=response
        )
    if kind == "call_permission_reply":
        return kind, ev.CallPermissionReply(
            response=_s(body.get("response")),
            is_permanent=_b(body.get("is_permanent")),
            expiration_timestamp=_i(body.get("expiration_timestamp")),
            response_source=_s(body.get("response_source")),
        )
    return None


_MEDIA_CLASSES: dict[str, type[ev.MediaMessage]] = {
    "image": ev.ImageMessage,
    "video": ev.VideoMessage,
    "audio": ev.AudioMessage,
    "voice": ev.AudioMessage,
    "document": ev.DocumentMessage,
    "sticker": ev.StickerMessage,
}


def _message(m: Any, w: _Where, sender_default: str | None = None) -> ev.Event:
    """One message object (inbound, echo, history or the content of an edit)."""
    m = _d(m)
    mtype = m.get("type")
    mid = m.get("id")
    sender = m.get("from", sender_default)
    if mid.__class__ is not str or mtype.__class__ is not str or sender.__class__ is not str:
        mid = _req(m, "id")
        mtype = _req(m, "type")
        sender = _req(m, "from") if sender_default is None or "from" in m else sender_default
    ts = m.get("timestamp")
    common: dict[str, Any] = {
        "field": w.field,
        "waba_id": w.waba,
        "phone_number_id": w.phone_id,
        "display_phone_number": w.display,
        "timestamp": int(ts) if ts.__class__ is str else _i(ts),
        "raw": m,
        "id": mid,
        "sender": sender,
        "type": mtype,
        "contact": _contact_for(w, sender) if w.contacts else None,
    }
    if "context" in m:
        common["context"] = _context(m["context"])
    if "referral" in m:
        common["referral"] = _referral(m["referral"])
    if "identity" in m:
        common["identity"] = _identity(m["identity"])
    if "errors" in m:
        common["errors"] = _errors(m["errors"])
    if "to" in m:
        common["to"] = _s(m["to"])

    if mtype == "text":
        body = _d(m.get("text")).get("body")
        return ev.TextMessage(body=body if body.__class__ is str else (_s(body) or ""), **common)
    media_cls = _MEDIA_CLASSES.get(mtype)
    if media_cls is not None:
        payload = m.get(mtype)
        if payload is None and mtype == "voice":
            payload = m.get("audio")
        media = _media(payload)
        if mtype == "voice" and not media.voice:
            media = attrs.evolve(media, voice=True)
        return media_cls(media_object=media, **common)
    if mtype == "reaction":
        r = _d(m.get("reaction"))
        return ev.ReactionMessage(message_id=_s(r.get("message_id")), emoji=_s(r.get("emoji")), **common)
    if mtype == "location":
        loc = _d(m.get("location"))
        return ev.LocationMessage(
            location=ev.Location(
                latitude=_f(loc.get("latitude")),
                longitude=_f(loc.get("longitude")),
                name=_s(loc.get("name")),
                address=_s(loc.get("address")),
                url=_s(loc.get("url")),
            ),
            **common,
        )
    if mtype == "contacts":
        return ev.ContactsMessage(contacts=tuple(map(_shared_contact, _l(m.get("contacts")))), **common)
    if mtype == "button":
        b = _d(m.get("button"))
        return ev.ButtonMessage(payload=_s(b.get("payload")), text=_s(b.get("text")), **common)
    if mtype == "interactive":
        got = _interactive(_d(m.get("interactive")))
        if got is None:
            return _unknown(w, m, "message:interactive")
        return ev.InteractiveMessage(interactive_type=got[0], reply=got[1], **common)
    if mtype == "order":
        o = _d(m.get("order"))
        return ev.OrderMessage(
            order=ev.Order(
                catalog_id=_s(o.get("catalog_id")),
                text=_s(o.get("text")),
                product_items=tuple(
                    ev.ProductItem(
                        product_retailer_id=_s(p.get("product_retailer_id")),
                        quantity=_i(p.get("quantity")),
                        item_price=_f(p.get("item_price")),
                        currency=_s(p.get("currency")),
                    )
                    for p in map(_d, _l(o.get("product_items")))
                ),
            ),
            **common,
        )
    if mtype == "system":
        s = _d(m.get("system"))
        return ev.SystemMessage(
            system_type=_s(s.get("type")),
            body=_s(s.get("body")),
            new_wa_id=_s(s.get("wa_id") or s.get("new_wa_id")),
            customer=_s(s.get("customer")),
            **common,
        )
    if mtype == "request_welcome":
        return ev.RequestWelcomeMessage(**common)
    if mtype == "edit":
        e = _d(m.get("edit"))
        inner = e.get("message")
        new: ev.Event | None = None
        if inner is not None:
            inner = dict(_d(inner))
            inner.setdefault("id", mid)
            inner.setdefault("timestamp", ts)
            new = _message(inner, w, sender)
        return ev.EditMessage(original_message_id=_s(e.get("original_message_id")), message=new, **common)
    if mtype == "revoke":
        r = _d(m.get("revoke"))
        return ev.RevokeMessage(original_message_id=_s(r.get("original_message_id")), **common)
    if mtype == "unsupported":
        u = _d(m.get("unsupported"))
        return ev.UnsupportedMessage(unsupported_type=_s(u.get("type")), **common)
    return _unknown(w, m, "message:" + mtype)


def _unknown(w: _Where, raw: Any, kind: str) -> ev.UnknownEvent:
    ts = raw.get("timestamp") if raw.__class__ is dict else None
    try:
        stamp = _i(ts) if ts is not None else w.time
    except (_Bad, ValueError, OverflowError):
        stamp = w.time
    return ev.UnknownEvent(
        field=w.field,
        waba_id=w.waba,
        phone_number_id=w.phone_id,
        display_phone_number=w.display,
        timestamp=stamp,
        raw=raw,
        kind=kind,
    )


# -- the other item kinds ----------------------------------------------------------------


def _status(s: Any, w: _Where) -> ev.Event:
    s = _d(s)
    sid = _req(s, "id")
    status = _req(s, "status")
    ts = s.get("timestamp")
    stamp = int(ts) if ts.__class__ is str else _i(ts)
    if s.get("type") == "call":
        return ev.CallStatusEvent(
            field=w.field,
            waba_id=w.waba,
            phone_number_id=w.phone_id,
            display_phone_number=w.display,
            timestamp=stamp,
            raw=s,
            id=sid,
            status=status,
            recipient_id=_s(s.get("recipient_id")),
            biz_opaque_callback_data=_s(s.get("biz_opaque_callback_data")),
            errors=_errors(s.get("errors")),
        )
    conv = s.get("conversation")
    conversation = None
    if conv is not None:
        conv = _d(conv)
        conversation = ev.Conversation(
            id=_s(conv.get("id")),
            origin_type=_s(_d(conv.get("origin")).get("type")),
            expiration_timestamp=_i(conv.get("expiration_timestamp")),
        )
    pr = s.get("pricing")
    pricing = None
    if pr is not None:
        pr = _d(pr)
        pricing = ev.Pricing(
            billable=_b(pr.get("billable")),
            pricing_model=_s(pr.get("pricing_model")),
            category=_s(pr.get("category")),
            type=_s(pr.get("type")),
        )
    return ev.StatusEvent(
        field=w.field,
        waba_id=w.waba,
        phone_number_id=w.phone_id,
        display_phone_number=w.display,
        timestamp=stamp,
        raw=s,
        id=sid,
        status=status,
        recipient_id=_s(s.get("recipient_id")),
        recipient_type=_s(s.get("recipient_type")),
        recipient_participant_id=_s(s.get("recipient_participant_id")),
        conversation=conversation,
        pricing=pricing,
        errors=_errors(s.get("errors")) if "errors" in s else (),
        biz_opaque_callback_data=_s(s.get("biz_opaque_callback_data")),
    )


def _base(w: _Where, raw: Any, ts: Any = None) -> dict[str, Any]:
    return {
        "field": w.field,
        "waba_id": w.waba,
        "phone_number_id": w.phone_id,
        "display_phone_number": w.display,
        "timestamp": _i(ts) if ts is not None else w.time,
        "raw": raw,
    }


def _value_error(e: Any, w: _Where) -> ev.Event:
    (err,) = _errors([e])
    return ev.ErrorEvent(error=err, **_base(w, e))


def _echo(m: Any, w: _Where) -> ev.Event:
    m = _d(m)
    inner = _message(m, w)
    return ev.MessageEchoEvent(
        id=_req(m, "id"),
        sender=_s(m.get("from")),
        to=_s(m.get("to")),
        message=inner,
        **_base(w, m, m.get("timestamp")),
    )


def _state_sync(item: Any, w: _Where) -> ev.Event:
    item = _d(item)
    c = item.get("contact")
    contact = None
    if c is not None:
        c = _d(c)
        contact = ev.SyncedContact(
            full_name=_s(c.get("full_name")),
            first_name=_s(c.get("first_name")),
            phone_number=_s(c.get("phone_number")),
        )
    meta = _d(item.get("metadata"))
    return ev.StateSyncEvent(
        sync_type=_s(item.get("type")),
        action=_s(item.get("action")),
        contact=contact,
        **_base(w, item, meta.get("timestamp")),
    )


def _history(item: Any, w: _Where) -> ev.Event:
    item = _d(item)
    meta = _d(item.get("metadata"))
    threads = []
    for t in map(_d, _l(item.get("threads"))):
        tid = _s(t.get("id"))
        threads.append(
            ev.HistoryThread(id=tid, messages=tuple(_message(m, w) for m in _l(t.get("messages"))))
        )
    return ev.HistoryEvent(
        phase=_i(meta.get("phase")),
        chunk_order=_i(meta.get("chunk_order")),
        progress=_i(meta.get("progress")),
        threads=tuple(threads),
        errors=_errors(item.get("errors")),
        **_base(w, item),
    )


def _call(c: Any, w: _Where) -> ev.Event:
    c = _d(c)
    sess = c.get("session")
    session = None
    if sess is not None:
        sess = _d(sess)
        session = ev.CallSession(sdp_type=_s(sess.get("sdp_type")), sdp=_s(sess.get("sdp")))
    return ev.CallEvent(
        id=_req(c, "id"),
        event=_req(c, "event"),
        sender=_s(c.get("from")),
        to=_s(c.get("to")),
        direction=_s(c.get("direction")),
        session=session,
        status=_s(c.get("status")),
        start_time=_i(c.get("start_time")),
        end_time=_i(c.get("end_time")),
        duration=_i(c.get("duration")),
        biz_opaque_callback_data=_s(c.get("biz_opaque_callback_data")),
        errors=_errors(c.get("errors")),
        **_base(w, c, c.get("timestamp")),
    )


def _user_preference(p: Any, w: _Where) -> ev.Event:
    p = _d(p)
    return ev.UserPreferenceEvent(
        wa_id=_s(p.get("wa_id")),
        category=_s(p.get("category")),
        value=_s(p.get("value")),
        detail=_s(p.get("detail")),
        **_base(w, p, p.get("timestamp")),
    )


def _user_action(a: Any, w: _Where) -> ev.Event:
    a = _d(a)
    kind = _s(a.get("action_type"))
    data = _d(a.get(f"{kind}_data")) if kind else {}
    return ev.UserActionEvent(
        action_type=kind,
        click_component=_s(data.get("click_component")),
        click_id=_s(data.get("click_id")),
        product_id=_s(data.get("product_id")),
        tracking_token=_s(data.get("tracking_token")),
        **_base(w, a, a.get("timestamp")),
    )


def _automatic(a: Any, w: _Where) -> ev.Event:
    a = _d(a)
    custom = _d(a.get("custom_data"))
    return ev.AutomaticEvent(
        id=_s(a.get("id")),
        event_name=_s(a.get("event_name")),
        ctwa_clid=_s(a.get("ctwa_clid")),
        currency=_s(custom.get("currency")),
        value=_f(custom.get("value")),
        **_base(w, a, a.get("timestamp")),
    )


def _participants(v: Any) -> tuple[ev.GroupParticipant, ...]:
    return tuple(
        ev.GroupParticipant(wa_id=_s(p.get("wa_id")), input=_s(p.get("input"))) for p in map(_d, _l(v))
    )


_GROUP_CLASSES: dict[str, type[ev.GroupEvent]] = {
    "group_lifecycle_update": ev.GroupLifecycleEvent,
    "group_participants_update": ev.GroupParticipantsEvent,
    "group_settings_update": ev.GroupSettingsEvent,
    "group_status_update": ev.GroupStatusEvent,
}


def _text_of(v: Any) -> str | None:
    """Group subject/description arrive as a string or as ``{"text": ...}``."""
    if v is None or v.__class__ is str:
        return v
    return _s(_d(v).get("text"))


def _group(g: Any, w: _Where) -> ev.Event:
    g = _d(g)
    pic = g.get("profile_picture")
    picture = None
    if pic is not None:
        pic = _d(pic)
        picture = ev.Media(
            id=_s(pic.get("id")) or "", mime_type=_s(pic.get("mime_type")), sha256=_s(pic.get("sha256"))
        )
    cls = _GROUP_CLASSES.get(w.field, ev.GroupEvent)
    return cls(
        group_id=_s(g.get("group_id")),
        type=_s(g.get("type")),
        request_id=_s(g.get("request_id")),
        subject=_text_of(g.get("subject", g.get("group_subject"))),
        description=_text_of(g.get("description", g.get("group_description"))),
        invite_link=_s(g.get("invite_link")),
        reason=_s(g.get("reason")),
        initiated_by=_s(g.get("initiated_by")),
        added_participants=_participants(g.get("added_participants")),
        removed_participants=_participants(g.get("removed_participants")),
        failed_participants=_participants(g.get("failed_participants")),
        profile_picture=picture,
        errors=_errors(g.get("errors")),
        **_base(w, g, g.get("timestamp")),
    )


_ITEM_PARSERS: dict[str, Callable[[Any, _Where], ev.Event]] = {
    "messages": _message,
    "statuses": _status,
    "errors": _value_error,
    "message_echoes": _echo,
    "state_sync": _state_sync,
    "history": _history,
    "calls": _call,
    "user_preferences": _user_preference,
    "user_actions": _user_action,
    "automatic_events": _automatic,
    "groups": _group,
}
# Keys of a change value that are context, not items.
_CONTEXT_KEYS = frozenset({"messaging_product", "metadata", "contacts"})

# -- fields whose value is the event ------------------------------------------------------


def _restriction_list(v: Any) -> list[Any]:
    """``restriction_info`` arrives as a list of restrictions or as ``{"restrictions": [...]}``."""
    if v is None or v.__class__ is list:
        return _l(v)
    return _l(_d(v).get("restrictions"))


def _account_update(v: dict[str, Any], w: _Where) -> ev.Event:
    ban = _d(v.get("ban_info"))
    state = ban.get("waba_ban_state")
    if isinstance(state, list):
        state = ",".join(map(str, state))
    waba = _d(v.get("waba_info"))
    intl = _d(v.get("auth_international_rate_eligibility"))
    return ev.AccountUpdateEvent(
        event=_s(v.get("event")),
        ban_state=_s(state),
        ban_date=_s(ban.get("waba_ban_date")),
        violation_type=_s(_d(v.get("violation_info")).get("violation_type")),
        restrictions=tuple(
            ev.Restriction(restriction_type=_s(r.get("restriction_type")), expiration=_i(r.get("expiration")))
            for r in map(_d, _restriction_list(v.get("restriction_info")))
        ),
        partner_waba_id=_s(waba.get("waba_id")),
        owner_business_id=_s(waba.get("owner_business_id")),
        partner_app_id=_s(waba.get("partner_app_id")),
        solution_id=_s(waba.get("solution_id")),
        business_verification_status=_s(v.get("business_verification_status")),
        country=_s(v.get("country")),
        auth_intl_start_time=_i(intl.get("start_time")),
        auth_intl_exception_countries=tuple(
            ev.CountryStart(country_code=_s(c.get("country_code")), start_time=_i(c.get("start_time")))
            for c in map(_d, _l(intl.get("exception_countries")))
        ),
        **_base(w, v),
    )


def _template_status(v: dict[str, Any], w: _Where) -> ev.Event:
    other = _d(v.get("other_info"))
    rej = _d(v.get("rejection_info"))
    return ev.MessageTemplateStatusUpdateEvent(
        event=_s(v.get("event")),
        message_template_id=_s(v.get("message_template_id")),
        message_template_name=_s(v.get("message_template_name")),
        message_template_language=_s(v.get("message_template_language")),
        reason=_s(v.get("reason")),
        message_template_category=_s(v.get("message_template_category")),
        disable_date=_i(_d(v.get("disable_info")).get("disable_date")),
        other_info_title=_s(other.get("title")),
        other_info_description=_s(other.get("description")),
        rejection_reason_info=_s(rej.get("reason")),
        rejection_recommendation=_s(rej.get("recommendation")),
        **_base(w, v),
    )


def _template_components(v: dict[str, Any], w: _Where) -> ev.Event:
    buttons = v.get("message_template_buttons")
    return ev.MessageTemplateComponentsUpdateEvent(
        message_template_id=_s(v.get("message_template_id")),
        message_template_name=_s(v.get("message_template_name")),
        message_template_language=_s(v.get("message_template_language")),
        message_template_element=_s(v.get("message_template_element")),
        message_template_title=_s(v.get("message_template_title")),
        message_template_footer=_s(v.get("message_template_footer")),
        buttons=tuple(
            ev.TemplateButton(
                type=_s(b.get("message_template_button_type")),
                text=_s(b.get("message_template_button_text")),
                url=_s(b.get("message_template_button_url")),
                phone_number=_s(b.get("message_template_button_phone_number")),
            )
            for b in map(_d, _l(buttons))
        ),
        **_base(w, v),
    )


def _simple(cls: type[ev.ChangeEvent], **keys: str) -> Callable[[dict[str, Any], _Where], ev.Event]:
    """A parser for a flat change value: attribute -> key, with ``:int``/``:float`` coercions."""
    plan = []
    for attr, spec in keys.items():
        key, _, kind = spec.partition(":")
        plan.append((attr, key, _i if kind == "int" else _f if kind == "float" else _s))

    def parse(v: dict[str, Any], w: _Where) -> ev.Event:
        kwargs: dict[str, Any] = _base(w, v)
        for attr, key, conv in plan:
            kwargs[attr] = conv(v.get(key))
        return cls(**kwargs)

    return parse


_TEMPLATE_IDS = {
    "message_template_id": "message_template_id",
    "message_template_name": "message_template_name",
    "message_template_language": "message_template_language",
}

_CHANGE_PARSERS: dict[str, Callable[[dict[str, Any], _Where], ev.Event]] = {
    "account_update": _account_update,
    "account_review_update": _simple(ev.AccountReviewUpdateEvent, decision="decision"),
    "account_alerts": _simple(
        ev.AccountAlertEvent,
        entity_type="entity_type",
        entity_id="entity_id",
        alert_severity="alert_severity",
        alert_status="alert_status",
        alert_type="alert_type",
        alert_description="alert_description",
    ),
    "account_settings_update": _simple(ev.AccountSettingsUpdateEvent, setting_type="type"),
    "business_capability_update": _simple(
        ev.BusinessCapabilityUpdateEvent,
        max_daily_conversation_per_phone="max_daily_conversation_per_phone:int",
        max_phone_numbers_per_business="max_phone_numbers_per_business:int",
        max_phone_numbers_per_waba="max_phone_numbers_per_waba:int",
        max_daily_conversations_per_business="max_daily_conversations_per_business",
    ),
    "phone_number_name_update": _simple(
        ev.PhoneNumberNameUpdateEvent,
        decision="decision",
        requested_verified_name="requested_verified_name",
        rejection_reason="rejection_reason",
    ),
    "phone_number_quality_update": _simple(
        ev.PhoneNumberQualityUpdateEvent,
        event="event",
        current_limit="current_limit",
        old_limit="old_limit",
        max_daily_conversations_per_business="max_daily_conversations_per_business",
    ),
    "message_template_status_update": _template_status,
    "message_template_quality_update": _simple(
        ev.MessageTemplateQualityUpdateEvent,
        previous_quality_score="previous_quality_score",
        new_quality_score="new_quality_score",
        **_TEMPLATE_IDS,
    ),
    "message_template_components_update": _template_components,
    "template_category_update": _simple(
        ev.TemplateCategoryUpdateEvent,
        previous_category="previous_category",
        new_category="new_category",
        correct_category="correct_category",
        **_TEMPLATE_IDS,
    ),
    "flows": _simple(
        ev.FlowsEvent,
        event="event",
        flow_id="flow_id",
        message="message",
        old_status="old_status",
        new_status="new_status",
        alert_state="alert_state",
    ),
    "security": _simple(ev.SecurityEvent, event="event", requester="requester"),
    "partner_solutions": _simple(
        ev.PartnerSolutionsEvent, event="event", solution_id="solution_id", solution_status="solution_status"
    ),
    "payment_configuration_update": _simple(
        ev.PaymentConfigurationUpdateEvent,
        configuration_name="configuration_name",
        provider_name="provider_name",
        provider_mid="provider_mid",
        status="status",
        created_timestamp="created_timestamp:int",
        updated_timestamp="updated_timestamp:int",
    ),
    "tracking_events": _simple(ev.TrackingEvent, event="event", tracking_id="tracking_id"),
}
# Fields whose value carries item arrays (parsed item by item).
_ITEM_FIELDS = frozenset(
    {
        "messages",
        "smb_message_echoes",
        "message_echoes",
        "smb_app_state_sync",
        "history",
        "calls",
        "user_preferences",
        "automatic_events",
        "group_lifecycle_update",
        "group_participants_update",
        "group_settings_update",
        "group_status_update",
    }
)


def _change(change: Any, waba: str | None, time: int | None, out: list[ev.Event]) -> None:
    change = _d(change)
    field = change.get("field")
    if field.__class__ is not str:
        raise _Bad("change without a string 'field'")
    value = change.get("value")
    if value.__class__ is not dict:
        raise _Bad("change without an object 'value'")
    meta = value.get("metadata")
    if meta is not None:
        meta = _d(meta)
        phone_id = meta.get("phone_number_id")
        display = meta.get("display_phone_number")
        if phone_id.__class__ is not str:
            phone_id = _s(phone_id)
        if display.__class__ is not str:
            display = _s(display)
    else:
        phone_id = _s(value.get("phone_number_id"))
        display = _s(value.get("display_phone_number"))
    w = _Where(field, waba, phone_id, display, time)
    if field in _ITEM_FIELDS:
        contacts = value.get("contacts")
        if contacts:
            w.contacts = _l(contacts)
        found = False
        for key, items in value.items():
            if key in _CONTEXT_KEYS:
                continue
            parser = _ITEM_PARSERS.get(key)
            found = True
            if parser is None:
                # Something Meta added: kept (one event per array item, or the value whole).
                for item in items if items.__class__ is list else (items,):
                    out.append(_unknown(w, item, f"{field}.{key}"))
                continue
            if items.__class__ is not list:
                raise _Bad(f"{key!r} must be an array")
            for item in items:
                out.append(parser(item, w))
        if not found:
            out.append(_unknown(w, value, field))
        return
    parser = _CHANGE_PARSERS.get(field)
    if parser is None:
        out.append(_unknown(w, value, field))
        return
    out.append(parser(value, w))


def parse_webhook(body: bytes | bytearray | str) -> WebhookPayload:
    """Parse a webhook POST body into typed events, one per item.

    Raises :class:`WebhookPayloadError` (a ``ValueError``) when the body is not JSON or not
    shaped like a webhook; no other exception escapes.
    """
    try:
        if body.__class__ is bytes or isinstance(body, (bytes, bytearray)):
            text = body.decode("utf-8")
            if text.startswith("\ufeff"):  # a BOM: json.loads tolerates it for bytes, so do we
                text = text[1:]
        elif isinstance(body, str):
            text = body
        else:
            raise TypeError("body must be bytes or str")
        data = _decode(text)
    except (ValueError, RecursionError, TypeError) as exc:
        raise WebhookPayloadError(f"webhook body is not JSON: {type(exc).__name__}") from None
    try:
        if data.__class__ is not dict:
            raise _Bad("the body must be a JSON object")
        entries = data.get("entry")
        if entries.__class__ is not list:
            raise _Bad("'entry' must be an array")
        out: list[ev.Event] = []
        for entry in entries:
            if entry.__class__ is not dict:
                raise _Bad("each entry must be an object")
            waba = entry.get("id")
            if waba.__class__ is not str:
                waba = _s(waba)
            time = entry.get("time")
            if time is not None:
                time = _i(time)
            changes = entry.get("changes")
            if changes.__class__ is not list:
                raise _Bad("'entry[].changes' must be an array")
            for change in changes:
                _change(change, waba, time, out)
        obj = data.get("object")
        return WebhookPayload(obj if obj.__class__ is str else None, tuple(out), data)
    except _Bad as exc:
        raise WebhookPayloadError(f"not a webhook: {exc}") from None
    except (
        KeyError,
        TypeError,
        AttributeError,
        IndexError,
        ValueError,
        OverflowError,
        RecursionError,
    ) as exc:
        raise WebhookPayloadError(f"not a webhook: {type(exc).__name__} in an item") from None
