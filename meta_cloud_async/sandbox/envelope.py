"""Graph-shaped errors: one exception the state machine raises, one renderer for the wire.

Shape (Meta's, see docs/sandbox.md for where we had to guess)::

    {"error": {"message": "(#133005) PIN mismatch", "type": "OAuthException",
               "code": 133005, "error_subcode": ...,            # only when there is one
               "error_user_title": ..., "error_user_msg": ...,  # template refusals
               "error_data": {"messaging_product": "whatsapp", "details": "..."},
               "fbtrace_id": "...", "is_transient": false}}
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["GraphError", "render_error"]

_DOCS = "Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api"


class GraphError(Exception):
    """A refusal as Graph would send it. Messages never contain a PIN or a token."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        details: str | None = None,
        subcode: int | None = None,
        type: str = "OAuthException",
        is_transient: bool = False,
        user_title: str | None = None,
        user_message: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.subcode = subcode
        self.type = type
        self.is_transient = is_transient
        self.user_title = user_title
        self.user_message = user_message

    # -- the refusals the sandbox uses more than once -----------------------------

    @classmethod
    def whatsapp(
        cls, code: int, title: str, details: str, *, status: int = 400, is_transient: bool = False
    ) -> GraphError:
        """A WhatsApp error: message ``(#code) title``, the explanation in ``error_data.details``."""
        return cls(status, code, f"(#{code}) {title}", details=details, is_transient=is_transient)

    @classmethod
    def invalid_parameter(cls, details: str) -> GraphError:
        return cls.whatsapp(100, "Invalid parameter", details)

    @classmethod
    def missing_parameter(cls, name: str) -> GraphError:
        return cls.whatsapp(100, f"The parameter {name} is required.", f"The parameter {name} is required.")

    @classmethod
    def unsupported(cls, method: str, object_id: str) -> GraphError:
        """What Graph says for an id that is not in the business, or an operation it does not serve."""
        return cls(
            400,
            100,
            f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, "
            f"cannot be loaded due to missing permissions, or does not support this operation. {_DOCS}",
            subcode=33,
            type="GraphMethodException",
        )

    @classmethod
    def unknown_path(cls, path: str) -> GraphError:
        return cls(400, 2500, f"Unknown path components: {path}")

    @classmethod
    def bad_token(cls, missing: bool) -> GraphError:
        message = (
            "An access token is required to request this resource."
            if missing
            else "Invalid OAuth access token - Cannot parse access token"
        )
        return cls(401, 190, message)


def render_error(error: GraphError, fbtrace_id: str) -> bytes:
    body: dict[str, Any] = {"message": error.message, "type": error.type, "code": error.code}
    if error.subcode is not None:
        body["error_subcode"] = error.subcode
    if error.user_title is not None:
        body["error_user_title"] = error.user_title
    if error.user_message is not None:
        body["error_user_msg"] = error.user_message
    if error.details is not None:
        body["error_data"] = {"messaging_product": "whatsapp", "details": error.details}
    body["fbtrace_id"] = fbtrace_id
    body["is_transient"] = error.is_transient
    return json.dumps({"error": body}, separators=(",", ":")).encode()
