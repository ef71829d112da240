"""Errors of the inbound side.

::

    ValueError
     +-- WebhookPayloadError     the body is not a webhook (bad JSON, wrong shapes)
     +-- InvalidSignatureError   X-Hub-Signature-256 missing, malformed or not matching
"""

from __future__ import annotations

__all__ = ["InvalidSignatureError", "WebhookPayloadError"]


class WebhookPayloadError(ValueError):
    """The body is not a webhook Meta would send; the only exception ``parse_webhook`` raises."""


class InvalidSignatureError(ValueError):
    """The signature is ``missing``, ``malformed`` or a ``mismatch`` (never echoes the secret)."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"invalid webhook signature: {reason}")
        self.reason = reason

    @property
    def missing(self) -> bool:
        """True when the request had no ``X-Hub-Signature-256`` at all (often a misrouted call, not an attack)."""
        return self.reason == "missing"
