"""One home for facts several modules need: secret names, ASCII digit ids, data-localization regions.

Meta's error and throttle codes live in :mod:`meta_cloud_async.errors` (their one
table); durations for CLI flags in :mod:`meta_cloud_async.cli`.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "DATA_LOCALIZATION_REGIONS",
    "REDACTED",
    "SECRET_HEADERS",
    "SECRET_NAMES",
    "SECRET_QUERY",
    "is_ascii_digits",
    "is_secret_name",
]

#: What a redacted value is replaced with, everywhere.
REDACTED: Final = "<redacted>"

#: Parameter and field names whose values are secrets: never logged, never in a repr or a message.
SECRET_NAMES: Final = frozenset(
    {
        "pin",
        "code",
        "access_token",
        "appsecret_proof",
        "app_secret",
        "client_secret",
        "password",
        "verify_token",
        "hub.verify_token",
        "fb_exchange_token",
    }
)

#: Header names whose values are secrets.
SECRET_HEADERS: Final = frozenset({"authorization", "cookie", "proxy-authorization", "x-hub-signature-256"})

#: A query string that may carry a secret (loose on purpose: any name containing one of these words).
SECRET_QUERY: Final = re.compile(r"[?&][^=&#]*(token|secret|proof|password|pin|code)[^=&#]*=", re.IGNORECASE)

#: The regions Meta's v23.0 spec enumerates for local storage (``data_localization_region``).
DATA_LOCALIZATION_REGIONS: Final = frozenset(
    {"AE", "AU", "BH", "BR", "CA", "CH", "DE", "GB", "ID", "IN", "JP", "KR", "SG", "ZA"}
)


def is_secret_name(name: str) -> bool:
    """Case-insensitive: a ``Pin`` that Graph ignores still must not reach a log."""
    return name.lower() in SECRET_NAMES


def is_ascii_digits(text: object) -> bool:
    """A non-empty string of ASCII digits: ``str.isdigit`` alone accepts ``²`` and ``٢``, which ``int`` rejects."""
    return isinstance(text, str) and text.isascii() and text.isdigit()
