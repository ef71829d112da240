"""Message templates: list, read, create (checked locally first), edit, delete, analytics."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any, Literal

from ..pagination import AsyncPaginator
from ..types.analytics import TemplateAnalyticsResponse, TemplateMetric
from ..types.shared import SuccessResponse
from ..types.templates import (
    AUTHENTICATION,
    MARKETING,
    ComponentLike,
    CreateTemplateRequest,
    DeleteTemplateRequest,
    EditTemplateRequest,
    GetTemplateRequest,
    ListTemplatesRequest,
    OtpCopyCodeButton,
    OtpOneTapButton,
    OtpZeroTapButton,
    Template,
    TemplateCreated,
    _as_dict,
    _type_of,
    authentication_template,
    build_template_body,
    validate_components,
)
from ._base import Resource

__all__ = ["Templates"]

Filter = str | Iterable[str] | None


def _epoch(name: str, value: int | datetime) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(f"{name}: a timezone-aware datetime (Meta's analytics are in UTC)")
        return int(value.timestamp())
    return value


def _infer_category(wire: Sequence[Mapping[str, Any]]) -> str:
    """An edit without a category: an OTP button means AUTHENTICATION, anything else MARKETING's rules."""
    for component in wire:
        if _type_of(component, "components") == "BUTTONS":
            for button in component.get("buttons") or []:
                if isinstance(button, Mapping) and str(button.get("type", "")).upper() == "OTP":
                    return AUTHENTICATION
    return MARKETING


class Templates(Resource):
    """The WABA's message templates (``business_account_id`` from the client's options)."""

    def list(
        self,
        *,
        name: str | None = None,
        status: Filter = None,
        category: Filter = None,
        language: Filter = None,
        quality_score: Filter = None,
        fields: Iterable[str] | str | None = None,
        limit: int | None = None,
        after: str | None = None,
        before: str | None = None,
    ) -> AsyncPaginator[Template]:
        """Templates matching the filters (a filter takes one value or several): ``await`` for a page, ``async for`` for all."""
        request = ListTemplatesRequest(
            name=name,
            status=status,
            category=category,
            language=language,
            quality_score=quality_score,
            fields=fields,
            limit=limit,
            after=after,
            before=before,
        )
        client = self._client
        return AsyncPaginator(lambda: client._call(request), lambda url: client._follow(url, request))

    async def get(self, template_id: str, *, fields: Iterable[str] | str | None = None) -> Template:
        """One template by id; the result can be given to ``send_template`` to check parameters first."""
        return await self._client._call(GetTemplateRequest(template_id=template_id, fields=fields))

    async def create(
        self,
        name: str,
        language: str,
        category: str,
        components: Sequence[ComponentLike],
        *,
        parameter_format: Literal["NAMED", "POSITIONAL"] | None = None,
        allow_category_change: bool | None = None,
        message_send_ttl_seconds: int | None = None,
    ) -> TemplateCreated:
        """Submit a template for review (``PENDING``); every local rule is checked before sending.

        Components are Meta's wire dicts (sent unchanged) or the builders of
        :mod:`meta_cloud_async.types.templates`. Meta's refusals (code 100, subcodes
        2388xxx) raise :class:`~meta_cloud_async.errors.TemplateCreationError`.
        """
        body = build_template_body(
            name,
            language,
            category,
            components,
            parameter_format=parameter_format,
            allow_category_change=allow_category_change,
            message_send_ttl_seconds=message_send_ttl_seconds,
        )
        return await self._client._call(CreateTemplateRequest(body=body))

    async def create_authentication(
        self,
        name: str,
        language: str,
        *,
        button: OtpCopyCodeButton | OtpOneTapButton | OtpZeroTapButton | Mapping[str, Any],
        add_security_recommendation: bool = False,
        code_expiration_minutes: int | None = None,
        message_send_ttl_seconds: int | None = None,
    ) -> TemplateCreated:
        """An AUTHENTICATION template as Meta defines it: fixed text, optional expiry footer, one OTP button."""
        body = authentication_template(
            name,
            language,
            button=button,
            add_security_recommendation=add_security_recommendation,
            code_expiration_minutes=code_expiration_minutes,
            message_send_ttl_seconds=message_send_ttl_seconds,
        )
        return await self._client._call(CreateTemplateRequest(body=body))

    async def edit(
        self,
        template: str | Template,
        *,
        components: Sequence[ComponentLike] | None = None,
        category: str | None = None,
        message_send_ttl_seconds: int | None = None,
    ) -> SuccessResponse:
        """Edit a template (it goes back to review). Give a :class:`Template` to check against its category.

        Meta allows an approved template one edit per 24 hours and ten per 30 days, and
        never a new category.
        """
        template_id = template.id if isinstance(template, Template) else template
        body: dict[str, Any] = {}
        if category is not None:
            if not isinstance(category, str) or category.upper() not in (
                AUTHENTICATION,
                MARKETING,
                "UTILITY",
            ):
                raise ValueError(f"category: AUTHENTICATION, MARKETING or UTILITY, got {category!r}")
            body["category"] = category
        if components is not None:
            if isinstance(components, (str, bytes, Mapping)) or not isinstance(components, Sequence):
                raise TypeError("components must be a list of components")
            wire = [_as_dict(c) for c in components]
            rules = (
                category
                or (template.category if isinstance(template, Template) else None)
                or _infer_category(wire)
            )
            kind = validate_components(rules.upper(), wire)
            fmt = template.parameter_format if isinstance(template, Template) else None
            if kind == "named" and fmt is not None and fmt.upper() == "POSITIONAL":
                raise ValueError(
                    "components: named variables, but the template's parameter_format is POSITIONAL"
                )
            body["components"] = wire
        if message_send_ttl_seconds is not None:
            if (
                isinstance(message_send_ttl_seconds, bool)
                or not isinstance(message_send_ttl_seconds, int)
                or message_send_ttl_seconds <= 0
            ):
                raise ValueError(
                    f"message_send_ttl_seconds: a positive int, got {message_send_ttl_seconds!r}"
                )
            body["message_send_ttl_seconds"] = message_send_ttl_seconds
        if not body:
            raise ValueError("edit needs at least one of components, category, message_send_ttl_seconds")
        return await self._client._call(EditTemplateRequest(template_id=template_id, body=body))

    async def delete(self, *, name: str, hsm_id: str | None = None) -> SuccessResponse:
        """Delete every language of ``name``, or only the one whose id is ``hsm_id``.

        The name+language cannot be used again for 30 days.
        """
        return await self._client._call(DeleteTemplateRequest(name=name, hsm_id=hsm_id))

    async def analytics(
        self,
        template_ids: Sequence[str | int],
        *,
        start: int | datetime,
        end: int | datetime,
        granularity: Literal["DAILY"] = "DAILY",
        metric_types: Sequence[TemplateMetric] | None = None,
    ) -> TemplateAnalyticsResponse:
        """Sent / delivered / read / clicked / cost per day for up to 10 templates.

        A thin door onto ``wa.analytics.templates`` (one declaration of Meta's
        ``template_analytics`` field, not in its OpenAPI spec); ``start``/``end``
        may also be aware datetimes here.
        """
        if isinstance(template_ids, (str, int)):
            raise ValueError("template_ids: a list of template ids, not one id")
        return await self._client.analytics.templates(
            start=_epoch("start", start),
            end=_epoch("end", end),
            template_ids=[str(t) for t in template_ids],
            metric_types=metric_types,
            granularity=granularity,
        )
