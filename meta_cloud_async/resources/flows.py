"""WhatsApp Flows: create, upload the Flow JSON, publish, deprecate, read back, migrate."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from .._http import LowerCaseHeaders, Request, RequestMeta
from .._multipart import FilePart
from ..errors import FlowJsonValidationError, UnexpectedResponseError, error_from_response
from ..pagination import AsyncPaginator
from ..types.flows import (
    CreateFlowRequest,
    DeleteFlowRequest,
    DeprecateFlowRequest,
    Flow,
    FlowAsset,
    FlowCreated,
    FlowJsonUpdated,
    GetFlowRequest,
    ListFlowAssetsRequest,
    ListFlowsRequest,
    MigrateFlowsRequest,
    MigrateFlowsResponse,
    PublishFlowRequest,
    UpdateFlowJsonRequest,
    UpdateFlowMetadataRequest,
)
from ..types.shared import SuccessResponse
from ._base import Resource

__all__ = ["Flows"]

_DOWNLOAD_META = RequestMeta(operation="DownloadFlowJson", idempotent=True)


def _flow_json_bytes(flow_json: str | bytes | Mapping[str, Any]) -> bytes:
    if isinstance(flow_json, Mapping):
        # Indented, so the line and column numbers in Meta's validation errors point somewhere readable.
        return json.dumps(flow_json, indent=2, ensure_ascii=False).encode()
    if isinstance(flow_json, str):
        data = flow_json.encode()
    elif isinstance(flow_json, (bytes, bytearray)):
        data = bytes(flow_json)
    else:
        raise TypeError(f"flow_json must be a str, bytes or a mapping, got {type(flow_json).__name__}")
    if not data.strip():
        raise ValueError("flow_json is empty")
    return data


class Flows(Resource):
    """The WABA's Flows (``business_account_id`` from the client's options)."""

    def list(
        self, *, limit: int | None = None, after: str | None = None, before: str | None = None
    ) -> AsyncPaginator[Flow]:
        """The WABA's Flows: ``await`` for one page, ``async for`` for all."""
        request = ListFlowsRequest(limit=limit, after=after, before=before)
        client = self._client
        return AsyncPaginator(lambda: client._call(request), lambda url: client._follow(url, request))

    async def get(
        self, flow_id: str, *, fields: Iterable[str] | str | None = None, date_format: str | None = None
    ) -> Flow:
        """One Flow; ``fields`` picks Meta's fields (default: id, name, status, categories, validation_errors)."""
        return await self._client._call(
            GetFlowRequest(flow_id=flow_id, fields=fields, date_format=date_format)
        )

    async def create(
        self,
        name: str,
        categories: Sequence[str],
        *,
        clone_flow_id: str | None = None,
        endpoint_uri: str | None = None,
    ) -> FlowCreated:
        """A new DRAFT Flow (names are unique per WABA); ``clone_flow_id`` copies another Flow's JSON."""
        return await self._client._call(
            CreateFlowRequest(
                name=name, categories=list(categories), clone_flow_id=clone_flow_id, endpoint_uri=endpoint_uri
            )
        )

    async def update_metadata(
        self,
        flow_id: str,
        *,
        name: str | None = None,
        categories: Sequence[str] | None = None,
        endpoint_uri: str | None = None,
    ) -> SuccessResponse:
        """Rename, recategorise or re-point a Flow (at least one of the three); refused once deprecated."""
        return await self._client._call(
            UpdateFlowMetadataRequest(
                flow_id=flow_id,
                name=name,
                categories=None if categories is None else list(categories),
                endpoint_uri=endpoint_uri,
            )
        )

    async def update_json(
        self, flow_id: str, flow_json: str | bytes | Mapping[str, Any], *, raise_on_errors: bool = True
    ) -> FlowJsonUpdated:
        """Upload the Flow JSON (text as given, or a mapping dumped with indentation).

        Meta stores it even when it finds errors, and lists them; then (by default)
        :class:`~meta_cloud_async.errors.FlowJsonValidationError` is raised with each
        error's line and column. Only a DRAFT's JSON can change.
        """
        part = FilePart(
            content=_flow_json_bytes(flow_json), filename="flow.json", content_type="application/json"
        )
        answer = await self._client._call(UpdateFlowJsonRequest(flow_id=flow_id, file=part))
        if raise_on_errors and answer.validation_errors:
            raise FlowJsonValidationError(answer.validation_errors)
        return answer

    async def publish(self, flow_id: str) -> SuccessResponse:
        """DRAFT → PUBLISHED; the JSON can't change afterwards. Not retried once it may have arrived."""
        return await self._client._call(PublishFlowRequest(flow_id=flow_id))

    async def deprecate(self, flow_id: str) -> SuccessResponse:
        """PUBLISHED → DEPRECATED: it can no longer be sent."""
        return await self._client._call(DeprecateFlowRequest(flow_id=flow_id))

    async def delete(self, flow_id: str) -> SuccessResponse:
        """Delete a DRAFT Flow (a published one is deprecated instead)."""
        return await self._client._call(DeleteFlowRequest(flow_id=flow_id))

    def assets(self, flow_id: str) -> AsyncPaginator[FlowAsset]:
        """The Flow's assets (its Flow JSON, with a short-lived ``download_url``)."""
        request = ListFlowAssetsRequest(flow_id=flow_id)
        client = self._client
        return AsyncPaginator(lambda: client._call(request), lambda url: client._follow(url, request))

    async def get_json(self, flow_id: str) -> str:
        """The Flow JSON text: its asset's ``download_url``, fetched without the access token.

        The URL is a signed CDN link, so the token is never sent there.
        """
        page = await self.assets(flow_id)
        asset = next((a for a in page.data if (a.asset_type or "").upper() == "FLOW_JSON"), None)
        if asset is None or not asset.download_url:
            raise UnexpectedResponseError(f"flow {flow_id} has no FLOW_JSON asset to download")
        url = asset.download_url
        if not url.startswith(("https://", "http://")):
            raise UnexpectedResponseError("the FLOW_JSON asset's download_url is not an http(s) URL")
        client = self._client
        request = Request(
            method="GET",
            url=url,
            headers=LowerCaseHeaders({"accept": "application/json"}),
            timeout=client.options.timeout,
            meta=_DOWNLOAD_META,
        )
        response = await client._shared.handler(request)
        if response.status_code >= 300:
            error = error_from_response(response)
            if error is not None:
                raise error
        try:
            return response.content.decode("utf-8")
        except UnicodeDecodeError:
            raise UnexpectedResponseError("the Flow JSON download is not UTF-8 text") from None

    async def preview_url(self, flow_id: str, *, invalidate: bool = False) -> str:
        """A web preview link of the Flow (``invalidate=True`` makes a new one, ending the old)."""
        if not isinstance(invalidate, bool):
            raise TypeError("invalidate must be a bool")
        flow = await self._client._call(
            GetFlowRequest(flow_id=flow_id, fields=f"preview.invalidate({str(invalidate).lower()})")
        )
        if flow.preview is None or not flow.preview.preview_url:
            raise UnexpectedResponseError(f"flow {flow_id}: the answer has no preview.preview_url")
        return flow.preview.preview_url

    async def migrate(
        self, source_waba_id: str, *, source_flow_names: Sequence[str] | None = None
    ) -> MigrateFlowsResponse:
        """Copy Flows (all, or the named ones) from another WABA of the same business into this one."""
        if isinstance(source_flow_names, str):
            raise ValueError("source_flow_names: a list of Flow names, not one string")
        names = None if source_flow_names is None else list(source_flow_names)
        return await self._client._call(
            MigrateFlowsRequest(source_waba_id=source_waba_id, source_flow_names=names)
        )
