"""Blocking WhatsApp users from messaging the business number."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar, Final, Literal

import attrs

from ._checks import check_int_range, check_one_of
from .shared import ApiRequest, Encoding, Page

__all__ = [
    "BLOCK_BATCH_MAX",
    "BlockResult",
    "BlockUsersRequest",
    "BlockUsersResponse",
    "BlockedUser",
    "ListBlockedUsersRequest",
    "UnblockUsersRequest",
    "UnblockUsersResponse",
    "UserResult",
]

#: Users per block or unblock call (Meta's documented batch ceiling).
BLOCK_BATCH_MAX: Final = 1000


@attrs.frozen(kw_only=True)
class BlockedUser:
    """A blocked WhatsApp user (``wa.block_users.list()``)."""

    messaging_product: str | None = None
    wa_id: str | None = None


@attrs.frozen(kw_only=True)
class UserResult:
    """One user of a block/unblock call: what was sent (``input``) and the WhatsApp id it is."""

    input: str | None = None
    wa_id: str | None = None
    errors: list[dict[str, Any]] | None = None


@attrs.frozen(kw_only=True)
class BlockResult:
    """Which users a block or unblock call added, removed, or could not handle (``failed_users``)."""

    added_users: list[UserResult] | None = None
    removed_users: list[UserResult] | None = None
    failed_users: list[UserResult] | None = None


@attrs.frozen(kw_only=True)
class BlockUsersResponse:
    """What ``wa.block_users.block()`` and ``.unblock()`` return: the per-user results."""

    messaging_product: str | None = None
    block_users: BlockResult | None = None


UnblockUsersResponse = BlockUsersResponse


def _users(value: Iterable[str] | str) -> list[dict[str, str]]:
    """``["+15551234567", "15557654321"]`` as Meta's ``[{"user": ...}, ...]``."""
    items = [value] if isinstance(value, str) else list(value)
    out = []
    for item in items:
        if not isinstance(item, str) or not item.strip() or len(item) > 64:
            raise ValueError(
                "block_users: each user must be a phone number or WhatsApp id as a non-empty str"
            )
        out.append({"user": item})
    return out


def _check_batch(_: Any, attribute: attrs.Attribute[Any], value: list[dict[str, str]]) -> None:
    if not 1 <= len(value) <= BLOCK_BATCH_MAX:
        raise ValueError(f"block_users takes 1 to {BLOCK_BATCH_MAX} users per call, got {len(value)}")


@attrs.frozen(kw_only=True)
class BlockUsersRequest(ApiRequest[BlockUsersResponse]):
    """``POST /{phone_number_id}/block_users``; blocking a blocked user changes nothing (idempotent)."""

    operation_id: ClassVar[str | None] = "blockUserS"
    method: ClassVar[str] = "POST"
    path: ClassVar[str] = "{phone_number_id}/block_users"
    idempotent: ClassVar[bool] = True

    messaging_product: Literal["whatsapp"] = attrs.field(
        default="whatsapp", validator=check_one_of({"whatsapp"}, optional=False)
    )
    block_users: list[dict[str, str]] = attrs.field(converter=_users, validator=_check_batch)


@attrs.frozen(kw_only=True)
class UnblockUsersRequest(ApiRequest[UnblockUsersResponse]):
    """``DELETE /{phone_number_id}/block_users`` with the users in a JSON body (as the spec declares)."""

    operation_id: ClassVar[str | None] = "unblockUserS"
    method: ClassVar[str] = "DELETE"
    path: ClassVar[str] = "{phone_number_id}/block_users"
    encoding: ClassVar[Encoding | None] = "json"
    idempotent: ClassVar[bool] = True

    messaging_product: Literal["whatsapp"] = attrs.field(
        default="whatsapp", validator=check_one_of({"whatsapp"}, optional=False)
    )
    block_users: list[dict[str, str]] = attrs.field(converter=_users, validator=_check_batch)


@attrs.frozen(kw_only=True)
class ListBlockedUsersRequest(ApiRequest[Page[BlockedUser]]):
    """``GET /{phone_number_id}/block_users`` with cursor paging (``limit``/``after``/``before`` are
    Meta's documented parameters; the v23.0 spec omits them)."""

    operation_id: ClassVar[str | None] = "getBlockedUsers"
    method: ClassVar[str] = "GET"
    path: ClassVar[str] = "{phone_number_id}/block_users"
    idempotent: ClassVar[bool] = True

    limit: int | None = attrs.field(default=None, validator=check_int_range(1, 1000))
    after: str | None = None
    before: str | None = None
