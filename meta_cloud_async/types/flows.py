"""WhatsApp Flows management: the Flow objects Meta returns and one declaration per operation.

Create, metadata updates and the Flow JSON upload travel as ``multipart/form-data``
(Meta's spec says so); lists such as ``categories`` go as JSON text in a form field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, ClassVar

import attrs

from .._multipart import FilePart
from .shared import ApiRequest, Encoding, Page, SuccessResponse, fields_param

__all__ = [
    "FLOW_CATEGORIES",
    "CreateFlowRequest",
    "DeleteFlowRequest",
    "DeprecateFlowRequest",
    "Flow",
    "FlowAsset",
    "FlowCreated",
    "FlowJsonUpdated",
    "FlowPreview",
    "FlowValidationIssue",
    "GetFlowRequest",
    "ListFlowAssetsRequest",
    "ListFlowsRequest",
    "MigrateFlowsRequest",
    "MigrateFlowsResponse",
    "PublishFlowRequest",
    "UpdateFlowJsonRequest",
    "UpdateFlowMetadataRequest",
]

#: The categories Meta documents for a Flow.
FLOW_CATEGORIES = frozenset(
    {
        "SIGN_UP",
        "SIGN_IN",
        "APPOINTMENT_BOOKING",
        "LEAD_GENERATION",
        "CONTACT_US",
        "CUSTOMER_SUPPORT",
        "SURVEY",
        "OTHER",
    }
)
_MULTIPART: Encoding = "multipart"
_HTTPS = re.compile(r"https://[^\s]+")


def _categories(value: Any) -> list[str] | None:
    if value is None:
        return None
    items = [value] if isinstance(value, str) else list(value) if isinstance(value, Iterable) else None
    if not items or not all(isinstance(c, str) for c in items):
        raise ValueError("categories: a non-empty list of Flow categories, e.g. ['SIGN_UP']")
    unknown = sorted(set(items) - FLOW_CATEGORIES)
    if unknown:
        raise ValueError(f"categories: unknown {unknown}; one or more of {sorted(FLOW_CATEGORIES)}")
    return list(dict.fromkeys(items))


def _check_flow_id(name: str) -> Any:
    def check(_: Any, __: Any, value: str | None) -> None:
        if value is not None and (not isinstance(value, str) or not value.isascii() or not value.isdigit()):
            raise ValueError(f"{name} must be a numeric id string, got {value!r}")

    return check


def _check_name(_: Any, __: Any, value: Any) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip() or len(value) > 200):
        raise ValueError("name: a non-empty Flow name (at most 200 characters)")


def _check_endpoint(_: Any, __: Any, value: str | None) -> None:
    if value is not None and (not isinstance(value, str) or not _HTTPS.fullmatch(value)):
        raise ValueError("endpoint_uri: an https:// URL (Meta only calls endpoints over TLS)")


# -- responses ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class FlowValidationIssue:
    """One of Meta's ``validation_errors`` for a Flow JSON: where (1-based lines and columns) and why."""

    error: str | None = None
    error_type: str | None = None
    message: str | None = None
    line_start: int | None = None
    line_end: int | None = None
    column_start: int | None = None
    column_end: int | None = None
    pointers: list[dict[str, Any]] = attrs.field(factory=list)

    def __str__(self) -> str:
        where = f"line {self.line_start}, column {self.column_start}"
        if self.line_end is not None and self.line_end != self.line_start:
            where += f" to line {self.line_end}, column {self.column_end}"
        elif self.column_end is not None:
            where += f"-{self.column_end}"
        return f"{where}: {self.error or 'ERROR'}: {self.message or ''}".rstrip(": ")


@attrs.frozen(kw_only=True)
class FlowPreview:
    """A link to preview a Flow, valid until ``expires_at``."""

    preview_url: str | None = None
    expires_at: str | None = None


@attrs.frozen(kw_only=True)
class Flow:
    """A Flow as ``GET /{flow_id}`` or the WABA's list returns it; fields depend on ``fields=``."""

    id: str
    name: str | None = None
    status: str | None = None
    categories: list[str] = attrs.field(factory=list)
    validation_errors: list[FlowValidationIssue] = attrs.field(factory=list)
    json_version: str | None = None
    data_api_version: str | None = None
    data_channel_uri: str | None = None
    endpoint_uri: str | None = None
    preview: FlowPreview | None = None
    health_status: dict[str, Any] | None = None
    whatsapp_business_account: dict[str, Any] | None = None
    application: dict[str, Any] | None = None
    updated_at: str | None = None


@attrs.frozen(kw_only=True)
class FlowCreated:
    """A created Flow's ``id``, and Meta's validation errors if Flow JSON was sent with it."""

    id: str
    success: bool | None = None
    validation_errors: list[FlowValidationIssue] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class FlowJsonUpdated:
    """The answer to a Flow JSON upload: stored, with the validation errors Meta found in it."""

    success: bool
    validation_errors: list[FlowValidationIssue] = attrs.field(factory=list)


@attrs.frozen(kw_only=True)
class FlowAsset:
    """A file of a Flow (its Flow JSON), with a download URL."""

    name: str | None = None
    asset_type: str | None = None
    download_url: str | None = None


@attrs.frozen(kw_only=True)
class MigrateFlowsResponse:
    """Which Flows were copied to the destination WABA and which failed (``wa.flows.migrate()``)."""

    migrated_flows: list[dict[str, Any]] = attrs.field(factory=list)
    failed_flows: list[dict[str, Any]] = attrs.field(factory=list)


# -- operations ---------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class ListFlowsRequest(ApiRequest[Page[Flow]]):
    """``GET /{business_account_id}/flows``: the WABA's Flows (paging parameters are Meta's docs', not the spec's)."""

    operation_id: ClassVar[str | None] = "listFlows"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{business_account_id}/flows"
    idempotent: ClassVar[bool] = True

    limit: int | None = None
    after: str | None = None
    before: str | None = None


@attrs.frozen(kw_only=True)
class CreateFlowRequest(ApiRequest[FlowCreated]):
    """``POST /{business_account_id}/flows``: a new DRAFT Flow, optionally cloned, with its endpoint.

    Not retried once it may have arrived: names are unique per WABA, so a repeat of a
    create that applied is refused and would hide the new id.
    """

    operation_id: ClassVar[str | None] = "createFlow"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{business_account_id}/flows"
    encoding: ClassVar[Encoding | None] = _MULTIPART

    name: str = attrs.field(validator=_check_name)
    categories: list[str] = attrs.field(converter=_categories)
    clone_flow_id: str | None = attrs.field(default=None, validator=_check_flow_id("clone_flow_id"))
    endpoint_uri: str | None = attrs.field(default=None, validator=_check_endpoint)


@attrs.frozen(kw_only=True)
class MigrateFlowsRequest(ApiRequest[MigrateFlowsResponse]):
    """``POST /{business_account_id}/migrate_flows``: copy Flows from another WABA of the business."""

    operation_id: ClassVar[str | None] = "migrateFlows"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{business_account_id}/migrate_flows"
    encoding: ClassVar[Encoding | None] = _MULTIPART

    source_waba_id: str = attrs.field(validator=_check_flow_id("source_waba_id"))
    source_flow_names: list[str] | None = attrs.field(default=None)

    @source_flow_names.validator
    def _names(self, _: Any, value: list[str] | None) -> None:
        if value is not None and (
            isinstance(value, str) or not value or not all(isinstance(n, str) and n for n in value)
        ):
            raise ValueError("source_flow_names: a non-empty list of Flow names (None: all of them)")


@attrs.frozen(kw_only=True)
class GetFlowRequest(ApiRequest[Flow]):
    """``GET /{flow_id}?fields=...``; ``fields=["preview.invalidate(false)"]`` gives the preview URL."""

    operation_id: ClassVar[str | None] = "getFlow"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{flow_id}"
    idempotent: ClassVar[bool] = True

    flow_id: str = attrs.field(validator=_check_flow_id("flow_id"))
    fields: str | None = attrs.field(default=None, converter=fields_param)
    date_format: str | None = None


@attrs.frozen(kw_only=True)
class UpdateFlowMetadataRequest(ApiRequest[SuccessResponse]):
    """``POST /{flow_id}``: rename, recategorise or point at another endpoint (a repeat changes nothing)."""

    operation_id: ClassVar[str | None] = "updateFlowMetadata"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{flow_id}"
    encoding: ClassVar[Encoding | None] = _MULTIPART
    idempotent: ClassVar[bool] = True

    flow_id: str = attrs.field(validator=_check_flow_id("flow_id"))
    name: str | None = attrs.field(default=None, validator=_check_name)
    categories: list[str] | None = attrs.field(default=None, converter=_categories)
    endpoint_uri: str | None = attrs.field(default=None, validator=_check_endpoint)

    def __attrs_post_init__(self) -> None:
        if self.name is None and self.categories is None and self.endpoint_uri is None:
            raise ValueError("update_metadata needs at least one of name, categories, endpoint_uri")


@attrs.frozen(kw_only=True)
class DeleteFlowRequest(ApiRequest[SuccessResponse]):
    """``DELETE /{flow_id}``: only a DRAFT can be deleted (deprecate a published one)."""

    operation_id: ClassVar[str | None] = "deleteFlow"
    method: ClassVar[str] = "DELETE"
    path: ClassVar[str] = "{flow_id}"
    idempotent: ClassVar[bool] = True

    flow_id: str = attrs.field(validator=_check_flow_id("flow_id"))


@attrs.frozen(kw_only=True)
class ListFlowAssetsRequest(ApiRequest[Page[FlowAsset]]):
    """``GET /{flow_id}/assets``: the Flow JSON asset with a short-lived ``download_url``."""

    operation_id: ClassVar[str | None] = "listAssetsGetFlowJsonUrl"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{flow_id}/assets"
    idempotent: ClassVar[bool] = True

    flow_id: str = attrs.field(validator=_check_flow_id("flow_id"))


@attrs.frozen(kw_only=True)
class UpdateFlowJsonRequest(ApiRequest[FlowJsonUpdated]):
    """``POST /{flow_id}/assets``: upload the Flow JSON (a file part); Meta answers its validation errors.

    Idempotent: the asset is replaced, so a repeat stores the same JSON again.
    """

    operation_id: ClassVar[str | None] = "updateFlowJson"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{flow_id}/assets"
    encoding: ClassVar[Encoding | None] = _MULTIPART
    idempotent: ClassVar[bool] = True

    flow_id: str = attrs.field(validator=_check_flow_id("flow_id"))
    name: str = "flow.json"
    asset_type: str = "FLOW_JSON"
    file: FilePart


@attrs.frozen(kw_only=True)
class PublishFlowRequest(ApiRequest[SuccessResponse]):
    """``POST /{flow_id}/publish``: DRAFT → PUBLISHED (final: the JSON is frozen from then on)."""

    operation_id: ClassVar[str | None] = "publishFlow"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{flow_id}/publish"

    flow_id: str = attrs.field(validator=_check_flow_id("flow_id"))


@attrs.frozen(kw_only=True)
class DeprecateFlowRequest(ApiRequest[SuccessResponse]):
    """``POST /{flow_id}/deprecate``: PUBLISHED → DEPRECATED (no new sends)."""

    operation_id: ClassVar[str | None] = "deprecateFlow"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{flow_id}/deprecate"

    flow_id: str = attrs.field(validator=_check_flow_id("flow_id"))
