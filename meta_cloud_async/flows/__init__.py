"""WhatsApp Flows: the encrypted data-exchange endpoint Meta calls, and the crypto both ends use.

Needs the ``flows`` extra (``cryptography``): ``pip install 'meta-cloud-async[flows]'``.
"""

from __future__ import annotations

from .crypto import (
    DecryptionError,
    decrypt_request,
    decrypt_response,
    encrypt_request,
    encrypt_response,
    flip_iv,
    generate_key_pair,
    load_private_key,
    load_public_key,
)
from .driver import FlowReply, MetaFlowClient
from .endpoint import (
    FlowEndpoint,
    FlowEndpointError,
    FlowRequest,
    FlowTokenInvalid,
    complete,
    next_screen,
    signature_header,
)

__all__ = [
    "DecryptionError",
    "FlowEndpoint",
    "FlowEndpointError",
    "FlowReply",
    "FlowRequest",
    "FlowTokenInvalid",
    "MetaFlowClient",
    "complete",
    "decrypt_request",
    "decrypt_response",
    "encrypt_request",
    "encrypt_response",
    "flip_iv",
    "generate_key_pair",
    "load_private_key",
    "load_public_key",
    "next_screen",
    "signature_header",
]
