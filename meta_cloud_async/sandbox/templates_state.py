"""Message templates per WABA with Meta's review lifecycle, on the sandbox clock.

Plain Python, no I/O: every method takes ``now`` (seconds on the sandbox's
clock), returns Graph-shaped dicts and raises :class:`~.envelope.GraphError`
as Meta would. Time-driven changes (a review finishing, a pause ending) are
applied lazily at the exact moment they were due, so the events they produce
carry that moment whatever ``now`` the next call brings.

The lifecycle::

    create/edit ──> PENDING ──(review_delay)──> APPROVED ──(RED quality)──> PAUSED ──(3 h, then 6 h)──> APPROVED
                           └──────────────────> REJECTED (reason)           └──(third pause)──> DISABLED

Rules (Meta's where documented, see docs/sandbox.md): 250 template names per
WABA (languages of one name count once); a deleted name+language cannot be
created again for 30 days; APPROVED templates can be edited once per 24 hours
and 10 times per 30 days, their category never; REJECTED and PAUSED ones
without limit; PENDING, DISABLED ones not at all.

This module checks templates on its own (it does not import the client's
``types.templates``): the sandbox must catch what a client lets through.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from .envelope import GraphError

__all__ = ["ReviewDecision", "TemplateRules", "TemplatesState", "WabaTemplates"]

DAY = 86400.0
_NAME = re.compile(r"[a-z0-9_]{1,512}")
_LANGUAGE = re.compile(r"[a-z]{2,3}(_[A-Za-z]{2,4})?")
_VARIABLE = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")
_CATEGORIES = ("AUTHENTICATION", "MARKETING", "UTILITY")
_STATUSES = frozenset(
    {"PENDING", "APPROVED", "REJECTED", "PAUSED", "DISABLED", "IN_APPEAL", "PENDING_DELETION"}
)
_QUALITIES = frozenset({"GREEN", "YELLOW", "RED", "UNKNOWN"})


@attrs.frozen(kw_only=True)
class ReviewDecision:
    """What the sandbox's reviewer decides for one template."""

    approved: bool = True
    reason: str = "NONE"
    #: With ``allow_category_change``, Meta may approve the template under another category.
    category: str | None = None


Reviewer = Callable[[Mapping[str, Any]], ReviewDecision]


def _approve_all(_: Mapping[str, Any]) -> ReviewDecision:
    return ReviewDecision()


@attrs.frozen(kw_only=True)
class TemplateRules:
    """The sandbox's template review and limits, each on its virtual clock.

    ``review_delay`` seconds from create or edit to APPROVED; ``name_quota`` templates per WABA;
    a deleted name is blocked for ``deleted_name_block`` seconds; an approved template takes
    ``approved_edits_per_day`` and ``approved_edits_per_30_days`` edits.
    """

    review_delay: float = 60.0
    name_quota: int = 250
    deleted_name_block: float = 30 * DAY
    approved_edits_per_day: int = 1
    approved_edits_per_30_days: int = 10
    #: How long the first, second... pause lasts; one pause more than listed disables the template.
    pause_durations: tuple[float, ...] = (3 * 3600.0, 6 * 3600.0)


@attrs.define(kw_only=True)
class _Template:
    id: str
    waba_id: str
    name: str
    language: str
    category: str
    components: list[dict[str, Any]]
    parameter_format: str | None
    message_send_ttl_seconds: int | None
    allow_category_change: bool
    status: str = "PENDING"
    rejected_reason: str = "NONE"
    quality: str = "UNKNOWN"
    previous_category: str | None = None
    review_at: float | None = None
    paused_until: float | None = None
    pauses: int = 0
    edits: list[float] = attrs.field(factory=list)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "parameter_format": self.parameter_format or "POSITIONAL",
            "components": self.components,
            "language": self.language,
            "status": self.status,
            "category": self.category,
            "id": self.id,
            "quality_score": {"score": self.quality},
        }
        if self.status == "REJECTED":
            out["rejected_reason"] = self.rejected_reason
        if self.previous_category is not None:
            out["previous_category"] = self.previous_category
        if self.message_send_ttl_seconds is not None:
            out["message_send_ttl_seconds"] = self.message_send_ttl_seconds
        return out


def _refuse(subcode: int | None, title: str, message: str) -> GraphError:
    """A template refusal the way Meta words them: (#100) plus a title and message for people."""
    return GraphError(400, 100, "Invalid parameter", subcode=subcode, user_title=title, user_message=message)


class TemplatesState:
    """Every WABA's templates; ``waba(id)`` is the per-WABA view the router uses."""

    def __init__(
        self, *, rules: TemplateRules | None = None, reviewer: Reviewer | None = None, seed: int = 0
    ) -> None:
        self.rules = rules or TemplateRules()
        self.reviewer = reviewer or _approve_all
        self._rng = random.Random(seed)
        self._wabas: dict[str, WabaTemplates] = {}
        #: Every event handed out so far, oldest first (events() drains; this keeps).
        self.history: list[dict[str, Any]] = []
        self._by_id: dict[str, _Template] = {}

    def waba(self, waba_id: str) -> WabaTemplates:
        view = self._wabas.get(waba_id)
        if view is None:
            view = self._wabas[waba_id] = WabaTemplates(self, waba_id)
        return view

    def new_id(self) -> str:
        while True:
            candidate = str(self._rng.randrange(10**14, 10**15))
            if candidate not in self._by_id:
                return candidate

    def __contains__(self, template_id: object) -> bool:
        return isinstance(template_id, str) and template_id in self._by_id

    def waba_of(self, template_id: str) -> WabaTemplates:
        """The WABA view holding ``template_id`` (``KeyError`` when there is none)."""
        record = self._by_id.get(str(template_id))
        if record is None:
            raise KeyError(f"no template {template_id} in this sandbox")
        return self.waba(record.waba_id)

    def get(self, template_id: str, now: float) -> dict[str, Any]:
        """``GET /{template_id}``."""
        record = self._record(template_id)
        self.waba(record.waba_id).advance(now)
        return record.to_dict()

    def edit(self, template_id: str, body: Mapping[str, Any], now: float) -> dict[str, Any]:
        """``POST /{template_id}``."""
        record = self._record(template_id)
        return self.waba(record.waba_id).edit(record, body, now)

    def _record(self, template_id: str) -> _Template:
        record = self._by_id.get(str(template_id))
        if record is None:
            raise GraphError.unsupported("GET", str(template_id))
        return record

    def events(self, now: float) -> list[dict[str, Any]]:
        """Status, quality and category changes that happened by ``now``, oldest first, each once.

        Each is ``{"at", "waba_id", "field", "value"}`` with ``value`` shaped like the
        ``message_template_status_update`` / ``..._quality_update`` /
        ``template_category_update`` webhook values.
        """
        out: list[dict[str, Any]] = []
        for view in self._wabas.values():
            out.extend(view.events(now))
        out.sort(key=lambda e: e["at"])
        # Each event is handed out once (to the webhook deliverer, or whoever asks first); the
        # history keeps them all for ``Sandbox.template_events()``.
        self.history.extend(out)
        return out


class WabaTemplates:
    """The templates of one WABA."""

    def __init__(self, state: TemplatesState, waba_id: str) -> None:
        self._state = state
        self.waba_id = waba_id
        self._templates: dict[tuple[str, str], _Template] = {}
        self._deleted: dict[tuple[str, str], float] = {}
        self._events: list[dict[str, Any]] = []

    @property
    def rules(self) -> TemplateRules:
        return self._state.rules

    def has_name(self, name: object) -> bool:
        """Whether any language of ``name`` exists in this WABA (or was deleted here)."""
        return any(n == name for n, _ in self._templates) or any(n == name for n, _ in self._deleted)

    # -- time ------------------------------------------------------------------------------

    def advance(self, now: float) -> None:
        """Apply every review and pause end that was due by ``now``, at the moment it was due."""
        for record in list(self._templates.values()):
            if record.status == "PENDING" and record.review_at is not None and record.review_at <= now:
                self._review(record)
            if record.status == "PAUSED" and record.paused_until is not None and record.paused_until <= now:
                at = record.paused_until
                record.status, record.paused_until = "APPROVED", None
                self._status_event(record, "REINSTATED", at)

    def _review(self, record: _Template) -> None:
        at = record.review_at
        assert at is not None
        record.review_at = None
        decision = self._state.reviewer(record.to_dict())
        if not decision.approved:
            record.status, record.rejected_reason = "REJECTED", decision.reason or "INVALID_FORMAT"
            self._status_event(record, "REJECTED", at, reason=record.rejected_reason)
            return
        if decision.category and decision.category != record.category and record.allow_category_change:
            self._category_change(record, decision.category, at)
        record.status, record.rejected_reason = "APPROVED", "NONE"
        self._status_event(record, "APPROVED", at)

    def _status_event(self, record: _Template, event: str, at: float, *, reason: str = "NONE") -> None:
        value: dict[str, Any] = {
            "event": event,
            "message_template_id": int(record.id),
            "message_template_name": record.name,
            "message_template_language": record.language,
            "reason": reason,
        }
        self._events.append(
            {"at": at, "waba_id": self.waba_id, "field": "message_template_status_update", "value": value}
        )

    def _category_change(self, record: _Template, category: str, at: float) -> None:
        record.previous_category, record.category = record.category, category
        self._events.append(
            {
                "at": at,
                "waba_id": self.waba_id,
                "field": "template_category_update",
                "value": {
                    "message_template_id": int(record.id),
                    "message_template_name": record.name,
                    "message_template_language": record.language,
                    "previous_category": record.previous_category,
                    "new_category": category,
                },
            }
        )

    def events(self, now: float) -> list[dict[str, Any]]:
        """The events of this WABA that happened by ``now`` (each returned once)."""
        self.advance(now)
        due = sorted((e for e in self._events if e["at"] <= now), key=lambda e: e["at"])
        self._events = [e for e in self._events if e["at"] > now]
        return due

    # -- create / edit / delete ------------------------------------------------------------------

    def create(self, body: Mapping[str, Any], now: float) -> dict[str, Any]:
        """``POST /{waba}/message_templates`` → ``{"id", "status": "PENDING", "category"}``."""
        self.advance(now)
        name = body.get("name")
        language = body.get("language")
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise GraphError.invalid_parameter(
                "name: lower-case letters, digits and underscores only, at most 512 characters"
            )
        if not isinstance(language, str) or not _LANGUAGE.fullmatch(language):
            raise GraphError.invalid_parameter(f"language: {language!r} is not a template language code")
        category = _category(body.get("category"))
        components = _components(body.get("components"), category)
        parameter_format = body.get("parameter_format")
        if parameter_format is not None and parameter_format not in ("NAMED", "POSITIONAL"):
            raise GraphError.invalid_parameter("parameter_format must be NAMED or POSITIONAL")
        _check_variables(components, parameter_format)
        key = (name, language)
        if key in self._templates:
            raise _refuse(
                2388024,
                "Content in this language already exists",
                f"The template {name} already has content in {language}.",
            )
        deleted_at = self._deleted.get(key)
        if deleted_at is not None and now < deleted_at + self.rules.deleted_name_block:
            raise _refuse(
                2388023,
                "Language is being deleted",
                f"New {language} content can't be added while the existing {language} content is being "
                "deleted. Try again in 4 weeks or use a different template name.",
            )
        names = {n for n, _ in self._templates}
        if name not in names and len(names) >= self.rules.name_quota:
            raise _refuse(
                2388019,
                "Message template quota reached",
                f"This business account has reached its limit of {self.rules.name_quota} message templates.",
            )
        ttl = body.get("message_send_ttl_seconds")
        record = _Template(
            id=self._state.new_id(),
            waba_id=self.waba_id,
            name=name,
            language=language,
            category=category,
            components=components,
            parameter_format=parameter_format,
            message_send_ttl_seconds=ttl if isinstance(ttl, int) and not isinstance(ttl, bool) else None,
            allow_category_change=body.get("allow_category_change") is True,
            review_at=now + self.rules.review_delay,
        )
        self._templates[key] = record
        self._state._by_id[record.id] = record
        return {"id": record.id, "status": "PENDING", "category": category}

    def edit(self, record: _Template, body: Mapping[str, Any], now: float) -> dict[str, Any]:
        self.advance(now)
        if record.status not in ("APPROVED", "REJECTED", "PAUSED"):
            raise _refuse(
                None,
                "Template can't be edited",
                f"A template in status {record.status} can't be edited; only approved, rejected or "
                "paused templates can.",
            )
        category = record.category
        if "category" in body:
            category = _category(body.get("category"))
            if record.status == "APPROVED" and category != record.category:
                raise _refuse(
                    None, "Category can't be edited", "The category of an approved template can't be edited."
                )
        if record.status == "APPROVED":
            day = [t for t in record.edits if t > now - DAY]
            month = [t for t in record.edits if t > now - 30 * DAY]
            if (
                len(day) >= self.rules.approved_edits_per_day
                or len(month) >= self.rules.approved_edits_per_30_days
            ):
                raise _refuse(
                    None,
                    "Edit limit reached",
                    f"An approved template can be edited {self.rules.approved_edits_per_day} time(s) in 24 hours "
                    f"and {self.rules.approved_edits_per_30_days} times in 30 days.",
                )
        components = _components(body["components"], category) if "components" in body else record.components
        _check_variables(components, record.parameter_format)
        if record.status == "APPROVED":
            record.edits.append(now)
        record.category, record.components = category, components
        ttl = body.get("message_send_ttl_seconds")
        if isinstance(ttl, int) and not isinstance(ttl, bool):
            record.message_send_ttl_seconds = ttl
        record.status, record.rejected_reason = "PENDING", "NONE"
        record.paused_until = None
        record.review_at = now + self.rules.review_delay
        return {"success": True}

    def delete(self, now: float, *, name: str | None, hsm_id: str | None = None) -> dict[str, Any]:
        """``DELETE /{waba}/message_templates?name=...[&hsm_id=...]``: one language, or all of a name."""
        self.advance(now)
        if not name:
            raise GraphError.missing_parameter("name")
        victims = [r for (n, _), r in self._templates.items() if n == name]
        if hsm_id is not None:
            victims = [r for r in victims if r.id == str(hsm_id)]
        if not victims:
            raise _refuse(
                None,
                "Message template not found",
                f"No template named {name}" + (f" with id {hsm_id}" if hsm_id is not None else "") + ".",
            )
        for record in victims:
            del self._templates[(record.name, record.language)]
            del self._state._by_id[record.id]
            self._deleted[(record.name, record.language)] = now
            self._status_event(record, "PENDING_DELETION", now)
        return {"success": True}

    # -- quality and category ----------------------------------------------------------------

    def set_quality(self, template_id: str, score: str, now: float) -> None:
        """Meta rates the template; a RED score on an approved template pauses (and in the end disables) it."""
        self.advance(now)
        if score not in _QUALITIES:
            raise ValueError(f"score must be one of {sorted(_QUALITIES)}")
        record = self._own(template_id)
        previous, record.quality = record.quality, score
        if previous != score:
            self._events.append(
                {
                    "at": now,
                    "waba_id": self.waba_id,
                    "field": "message_template_quality_update",
                    "value": {
                        "previous_quality_score": previous,
                        "new_quality_score": score,
                        "message_template_id": int(record.id),
                        "message_template_name": record.name,
                        "message_template_language": record.language,
                    },
                }
            )
        if score == "RED" and record.status == "APPROVED":
            durations = self.rules.pause_durations
            if record.pauses < len(durations):
                record.status, record.paused_until = "PAUSED", now + durations[record.pauses]
                record.pauses += 1
                self._status_event(record, "PAUSED", now, reason="LOW_QUALITY")
            else:
                record.status = "DISABLED"
                self._status_event(record, "DISABLED", now, reason="LOW_QUALITY")

    def change_category(self, template_id: str, category: str, now: float) -> None:
        """Meta re-categorises an approved template (``template_category_update``)."""
        self.advance(now)
        record = self._own(template_id)
        new = _category(category)
        if new != record.category:
            self._category_change(record, new, now)

    def _own(self, template_id: str) -> _Template:
        for record in self._templates.values():
            if record.id == str(template_id):
                return record
        raise KeyError(f"no template {template_id} in WABA {self.waba_id}")

    # -- reads ---------------------------------------------------------------------------------

    def list(
        self,
        now: float,
        *,
        name: str | None = None,
        status: str | Sequence[str] | None = None,
        category: str | Sequence[str] | None = None,
        language: str | Sequence[str] | None = None,
        quality_score: str | Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """``GET /{waba}/message_templates`` filters: ``name`` matches part of the name, others exactly."""

        def one_of(value: str, wanted: str | Sequence[str] | None) -> bool:
            if wanted is None:
                return True
            options = [w.strip() for w in wanted.split(",")] if isinstance(wanted, str) else list(wanted)
            return value.upper() in {o.upper() for o in options}

        self.advance(now)
        if status is not None:
            for s in [status] if isinstance(status, str) else status:
                for part in s.split(","):
                    if part.strip().upper() not in _STATUSES:
                        raise GraphError.invalid_parameter(
                            f"status: {part.strip()!r} is not a template status"
                        )
        out = []
        for record in sorted(self._templates.values(), key=lambda r: r.id):
            if name is not None and name not in record.name:
                continue
            if not (
                one_of(record.status, status)
                and one_of(record.category, category)
                and one_of(record.language, language)
                and one_of(record.quality, quality_score)
            ):
                continue
            out.append(record.to_dict())
        return out

    def check_send(
        self,
        name: str,
        language: str,
        components: Sequence[Mapping[str, Any]] | None,
        *,
        now: float | None = None,
    ) -> None:
        """Refuse a template send as Meta does: 132001 (no such approved template), 132015 / 132016
        (paused / disabled), 132000 (parameter count)."""
        if now is not None:
            self.advance(now)
        record = self._templates.get((name, language))
        if record is None or record.status not in ("APPROVED", "PAUSED", "DISABLED"):
            raise GraphError.whatsapp(
                132001,
                "Template name does not exist in the translation",
                f"template name ({name}) does not exist in {language}",
                status=404,
            )
        if record.status == "PAUSED":
            raise GraphError.whatsapp(
                132015, "Template is Paused", f"Template {name} is paused due to low quality."
            )
        if record.status == "DISABLED":
            raise GraphError.whatsapp(
                132016, "Template is disabled", f"Template {name} has been disabled due to low quality."
            )
        expected = _expected_params(record)
        given = _given_params(components or [])
        for part in sorted(set(expected) | set(given)):
            want, got = expected.get(part, 0), given.get(part, 0)
            if want != got:
                raise GraphError.whatsapp(
                    132000,
                    "Number of parameters does not match the expected number of params",
                    f"{part}: number of localizable_params ({got}) does not match the expected number of "
                    f"params ({want})",
                )


# -- the sandbox's own checks ------------------------------------------------------------------


def _category(value: Any) -> str:
    if not isinstance(value, str) or value.upper() not in _CATEGORIES:
        raise GraphError.invalid_parameter(f"category must be one of {', '.join(_CATEGORIES)}")
    return value.upper()


def _kind(component: Mapping[str, Any]) -> str:
    return str(component.get("type", "")).upper()


def _components(value: Any, category: str) -> list[dict[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(c, dict) for c in value):
        raise GraphError.missing_parameter("components")
    kinds = [_kind(c) for c in value]
    if kinds.count("BODY") != 1:
        raise _refuse(2388072, "Invalid body", "A template needs exactly one body component.")
    for component in value:
        kind = _kind(component)
        if kind == "HEADER":
            text = component.get("text")
            if str(component.get("format", "")).upper() == "TEXT" and (
                not isinstance(text, str) or len(text) > 60 or len(_VARIABLE.findall(text)) > 1
            ):
                raise _refuse(
                    2388047, "Invalid header", "A text header has at most 60 characters and one variable."
                )
        elif kind == "BODY":
            text = component.get("text")
            if category == "AUTHENTICATION":
                if text is not None:
                    raise _refuse(2388072, "Invalid body", "Authentication templates use a fixed body text.")
                continue
            if not isinstance(text, str) or not text:
                raise _refuse(2388072, "Invalid body", "The body needs text.")
            if len(text) > 1024:
                raise _refuse(2388040, "Field length exceeded", "The body has more than 1024 characters.")
            stripped = text.strip()
            if stripped.startswith("{{") or stripped.endswith("}}"):
                raise _refuse(
                    2388299,
                    "Variables can't be at the start or end of the template",
                    "Variables can't be at the start or end of the template.",
                )
        elif kind == "FOOTER":
            text = component.get("text")
            if text is not None and (not isinstance(text, str) or len(text) > 60):
                raise _refuse(2388073, "Invalid footer", "A footer has at most 60 characters.")
    return value


def _variables(text: Any) -> list[str]:
    return list(dict.fromkeys(_VARIABLE.findall(text))) if isinstance(text, str) else []


def _check_variables(components: list[dict[str, Any]], parameter_format: Any) -> None:
    for component in components:
        names = _variables(component.get("text"))
        if not names:
            continue
        positional = all(n.isdigit() for n in names)
        if not positional and parameter_format != "NAMED":
            raise GraphError.invalid_parameter(
                f"{_kind(component).lower()}: named variables need parameter_format NAMED"
            )
        if positional and sorted(int(n) for n in names) != list(range(1, len(names) + 1)):
            raise _refuse(2388072, "Invalid variables", "Variables must be numbered from {{1}} without gaps.")


def _expected_params(record: _Template) -> dict[str, int]:
    out: dict[str, int] = {}
    for component in record.components:
        kind = _kind(component)
        if kind == "HEADER":
            fmt = str(component.get("format", "")).upper()
            count = len(_variables(component.get("text"))) if fmt == "TEXT" else 1
            if count:
                out["header"] = count
        elif kind == "BODY":
            count = 1 if record.category == "AUTHENTICATION" else len(_variables(component.get("text")))
            if count:
                out["body"] = count
        elif kind == "BUTTONS":
            for index, button in enumerate(component.get("buttons") or []):
                btype = str(button.get("type", "")).upper() if isinstance(button, Mapping) else ""
                url = str(button.get("url", "")) if isinstance(button, Mapping) else ""
                if btype in ("OTP", "COPY_CODE") or (btype == "URL" and "{{" in url):
                    out[f"button {index}"] = 1
    return out


def _given_params(components: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for component in components:
        if not isinstance(component, Mapping):
            raise GraphError.invalid_parameter("template components must be objects")
        params = component.get("parameters") or []
        count = len(params) if isinstance(params, list) else 0
        kind = str(component.get("type", "")).lower()
        if kind == "button":
            key = f"button {component.get('index')}"
        elif kind in ("header", "body"):
            key = kind
        else:
            continue
        if count:
            out[key] = out.get(key, 0) + count
    return out
