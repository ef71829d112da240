"""The error tree, and the one function that maps a Graph response to it.

::

    MetaCloudError                      every error this SDK raises on purpose
    ├── APIConnectionError              the network failed; ``request_sent`` says if it may have arrived
    │   ├── ConnectError                no connection: the request surely never reached Meta
    │   └── APITimeoutError             no answer in time: it may or may not have been applied
    ├── UnexpectedResponseError         an answer that is not what the endpoint returns (bad body, bad link)
    │   ├── ResponseTooLargeError       the body grew past ``max_response_bytes``; reading stopped there
    │   └── PageLimitError              paging went on past ``max_pages``; the walk stopped there
    ├── FlowJsonValidationError         Meta stored a Flow JSON but listed validation errors in it
    └── GraphAPIError                   Meta answered with an error envelope (or an unparseable failure)
        ├── AuthenticationError         0, 190: token expired, revoked or wrong
        ├── PermissionDeniedError       3, 10, 200-299: the token lacks a permission
        ├── InvalidParameterError       100, 33: a parameter Meta rejected
        │   └── TemplateCreationError   100 with subcode 2388xxx: a template create/edit refused
        ├── RateLimitError              4, 17, 341, 80007, 130429, 131056: throttled, back off
        │   ├── RegistrationLimitError  133016: register/deregister budget (10 per 72 h) spent
        │   └── LocalThrottleError      our own pacing would wait too long; the request was not sent
        ├── PinMismatchError            133005: the PIN sent is not the number's 2SV PIN
        ├── PinGuessLimitError          133008, 133009: too many or too fast PIN guesses
        ├── NotRegisteredError          133010: the number is not registered
        └── ServerError                 1, 2, 131000, 131016, 131057, 133004, and any 5xx without a code

Programming errors (a malformed PIN, a missing id) are ``ValueError`` or
``TypeError`` raised before any I/O; they are not part of this tree.

Errors are classified by ``code``, never by HTTP status alone: Meta sends
throttles as 400 and as 429. No message built here contains the request body
or the access token.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ._facts import is_ascii_digits
from ._hints import server_wait_hint, text_wait_hint
from ._http import Response

__all__ = [
    "APP_THROTTLE_CODES",
    "PAIR_LIMIT_CODES",
    "THROTTLE_CODES",
    "THROUGHPUT_CODES",
    "TRANSIENT_CODES",
    "UNPROCESSED_CODES",
    "WABA_THROTTLE_CODES",
    "APIConnectionError",
    "APITimeoutError",
    "AuthenticationError",
    "ConnectError",
    "FlowJsonValidationError",
    "GraphAPIError",
    "InvalidParameterError",
    "LocalThrottleError",
    "MediaIntegrityError",
    "MetaCloudError",
    "NotRegisteredError",
    "PageLimitError",
    "PermissionDeniedError",
    "PinGuessLimitError",
    "PinMismatchError",
    "RateLimitError",
    "RegistrationLimitError",
    "ResponseTooLargeError",
    "ServerError",
    "TemplateCreationError",
    "UnexpectedResponseError",
    "error_from_response",
    "is_transient_code",
]


class MetaCloudError(Exception):
    """Base of every error the SDK raises on purpose.

    ``may_have_applied`` answers "did it happen anyway?": True when this
    attempt, or an earlier attempt of the same call that the retry middleware
    made, may have reached Meta and taken effect (a timeout, a connection
    lost after sending, a server error). Meta cannot be asked afterwards, so
    callers that record state (a PIN, a registration) must treat the call as
    possibly applied.
    """

    may_have_applied: bool = False


class APIConnectionError(MetaCloudError):
    """The transport failed before a complete response arrived.

    ``request_sent`` is False only when the request certainly never left
    (no connection); then even a non-idempotent call may be retried.
    """

    def __init__(self, message: str = "Connection error", *, request_sent: bool = True) -> None:
        super().__init__(message)
        self.message = message
        self.request_sent = request_sent
        self.may_have_applied = request_sent


class ConnectError(APIConnectionError):
    """No connection could be made; nothing reached the server."""

    def __init__(self, message: str = "Could not connect") -> None:
        super().__init__(message, request_sent=False)


class APITimeoutError(APIConnectionError):
    """The request timed out; it may or may not have been applied."""

    def __init__(self, message: str = "Request timed out") -> None:
        super().__init__(message, request_sent=True)


class UnexpectedResponseError(MetaCloudError):
    """A response that is neither a Graph error nor the shape the endpoint promises.

    ``http_status`` is the status of that response (None when no response is
    at fault, e.g. a ``paging.next`` link refused before sending). After a
    2xx the server accepted the call, so ``may_have_applied`` is True however
    garbled, empty or misshapen the body: a ``register()`` answered that way
    may well have registered.
    """

    def __init__(self, message: str, *, http_status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.http_status = http_status
        self.may_have_applied = http_status is not None and 200 <= http_status < 300


class ResponseTooLargeError(UnexpectedResponseError):
    """The response body grew past the transport's ``max_response_bytes``; the rest was not read.

    Reading stops at the cap (a gzip bomb is never inflated in full) and the
    connection is dropped. The request was sent and answered, so
    ``may_have_applied`` is True whatever the status: a body we did not read
    cannot prove a refusal.
    """

    def __init__(self, message: str, *, http_status: int | None = None) -> None:
        super().__init__(message, http_status=http_status)
        self.may_have_applied = True


class PageLimitError(UnexpectedResponseError):
    """A paginator fetched ``max_pages`` pages and the server still announced another.

    Raised before the next page is requested; raise ``max_pages`` on the
    paginator if the edge really is that long.
    """


class FlowJsonValidationError(MetaCloudError):
    """Meta accepted a Flow JSON upload (HTTP 200) but found errors in it; the Flow can't be published.

    ``errors`` are Meta's ``validation_errors`` (each with 1-based ``line_start``,
    ``column_start``...); the message lists every one with its position. The JSON *is*
    stored as the draft's: fix it and upload again.
    """

    def __init__(self, errors: Sequence[Any]) -> None:
        self.errors = list(errors)
        lines = [f"  {e}" for e in self.errors]
        super().__init__(f"the Flow JSON has {len(self.errors)} validation error(s):\n" + "\n".join(lines))


class MediaIntegrityError(MetaCloudError):
    """Downloaded media does not match what Meta promised (``sha256`` or ``file_size``).

    A download to a path leaves no file behind; the bytes are not to be trusted.
    """


class GraphAPIError(MetaCloudError):
    """Meta answered with an error.

    Attributes mirror Graph's error envelope; ``details`` is
    ``error_data.details``. ``retry_after`` is how many seconds Meta said to
    wait (``Retry-After``, the usage header's regain time, or a wait named in
    its text, as 133008/133009 give), or None when it said nothing. ``is_transient`` is Meta's flag, or our own
    judgement when Meta leaves it out: a transient code (see
    :func:`is_transient_code`), or a :class:`ServerError` or plain
    :class:`RateLimitError` whatever its code.
    """

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        subcode: int | None = None,
        type: str | None = None,
        user_title: str | None = None,
        user_message: str | None = None,
        fbtrace_id: str | None = None,
        details: str | None = None,
        is_transient: bool = False,
        http_status: int | None = None,
        headers: Mapping[str, str] | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.message = message
        self.code = code
        self.subcode = subcode
        self.type = type
        self.user_title = user_title
        self.user_message = user_message
        self.fbtrace_id = fbtrace_id
        self.details = details
        self.is_transient = is_transient
        self.http_status = http_status
        self.headers: Mapping[str, str] = dict(headers or {})

    def __str__(self) -> str:
        parts = [self.message]
        if self.details and self.details not in self.message:
            parts.append(f"details: {self.details}")
        meta = []
        if self.code is not None:
            meta.append(f"code={self.code}")
        if self.subcode is not None:
            meta.append(f"subcode={self.subcode}")
        if self.http_status is not None:
            meta.append(f"http_status={self.http_status}")
        if self.fbtrace_id:
            meta.append(f"fbtrace_id={self.fbtrace_id}")
        if meta:
            parts.append("(" + ", ".join(meta) + ")")
        return " ".join(parts)

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, subcode={self.subcode!r}, message={self.message!r})"
        )


class AuthenticationError(GraphAPIError):
    """The access token is missing, expired or invalid (codes 0, 190)."""


class PermissionDeniedError(GraphAPIError):
    """The token lacks a permission for this object (codes 3, 10, 200-299)."""


class InvalidParameterError(GraphAPIError):
    """Meta rejected a parameter (codes 100, 33)."""


class TemplateCreationError(InvalidParameterError):
    """Meta refused a template create or edit (code 100, subcode 2388000-2388999).

    ``error_user_title`` / ``error_user_msg`` carry Meta's explanation meant
    for people (for example "Template quota reached"), which is the useful part
    of these errors; ``subcode`` names the rule.
    """

    SUBCODES = range(2388000, 2389000)

    @property
    def error_user_title(self) -> str | None:
        """Meta's ``error_user_title`` (the same as ``user_title``), under the name Meta's docs use."""
        return self.user_title

    @property
    def error_user_msg(self) -> str | None:
        """Meta's ``error_user_msg`` (the same as ``user_message``), under the name Meta's docs use."""
        return self.user_message


class RateLimitError(GraphAPIError):
    """A call budget or throughput limit was hit; slow down (4, 17, 341, 80007, 130429, 131056)."""


class RegistrationLimitError(RateLimitError):
    """Ten register/deregister attempts in 72 hours are spent (133016); never retried."""


class LocalThrottleError(RateLimitError):
    """The client's pacing would hold this call longer than ``RateLimitPolicy.max_wait``.

    Raised before sending (so ``may_have_applied`` is False), after a server
    hint or usage header put the key on hold: the caller decides whether to
    wait that long, rather than a coroutine sleeping for hours unseen.
    """


class PinMismatchError(GraphAPIError):
    """The PIN sent does not match the number's two-step verification PIN (133005)."""


class PinGuessLimitError(GraphAPIError):
    """Too many wrong PIN guesses (133008) or guesses too fast (133009); wait per ``details``."""


class NotRegisteredError(GraphAPIError):
    """The phone number is not registered on the Cloud API (133010)."""


class ServerError(GraphAPIError):
    """Meta failed on its side; usually transient (1, 2, 131000, 131016, 131057, 133004, 5xx).

    A server error does not prove the call had no effect, so ``may_have_applied`` is True.
    """

    may_have_applied = True


_BY_CODE: dict[int, type[GraphAPIError]] = {
    0: AuthenticationError,
    190: AuthenticationError,
    3: PermissionDeniedError,
    10: PermissionDeniedError,
    33: InvalidParameterError,
    100: InvalidParameterError,
    4: RateLimitError,
    17: RateLimitError,
    341: RateLimitError,
    80007: RateLimitError,
    130429: RateLimitError,
    131056: RateLimitError,
    133016: RegistrationLimitError,
    133005: PinMismatchError,
    133008: PinGuessLimitError,
    133009: PinGuessLimitError,
    133010: NotRegisteredError,
    1: ServerError,
    2: ServerError,
    131000: ServerError,
    131016: ServerError,
    131057: ServerError,
    133004: ServerError,
}

# Codes worth retrying after a pause. 133016, 368, 131048 and 131049 are
# deliberately absent: a retry cannot succeed for hours or days.
# -- the one table of throttle and transient codes ------------------------------------
#: Throttles of the app's call budget (the rate limiter holds the ``app`` key).
APP_THROTTLE_CODES = frozenset({4, 17, 341})
#: A WhatsApp Business Account's call budget (holds the request's ``waba:`` keys).
WABA_THROTTLE_CODES = frozenset({80007})
#: A sending number's message throughput (holds its ``phone:`` key).
THROUGHPUT_CODES = frozenset({130429})
#: Too many messages to one recipient (holds only that ``pair:`` key, about 6 s).
PAIR_LIMIT_CODES = frozenset({131056})
#: Codes that prove the call was refused before it had any effect.
THROTTLE_CODES = APP_THROTTLE_CODES | WABA_THROTTLE_CODES | THROUGHPUT_CODES | PAIR_LIMIT_CODES
#: Refused unprocessed (throttles, and 131057 maintenance): safe to retry even a message send.
UNPROCESSED_CODES = THROTTLE_CODES | frozenset({131057})
#: Worth retrying for an idempotent call.
TRANSIENT_CODES = UNPROCESSED_CODES | frozenset({1, 2, 131000, 131016, 133004})


def is_transient_code(code: int | None) -> bool:
    """Whether a Graph error code is worth retrying after a pause."""
    return code in TRANSIENT_CODES


def _class_for(code: int | None, status: int) -> type[GraphAPIError]:
    if code is not None:
        cls = _BY_CODE.get(code)
        if cls is not None:
            return cls
        if 200 <= code <= 299:
            return PermissionDeniedError
    if status >= 500:
        return ServerError
    if status == 401:
        return AuthenticationError
    if status == 403:
        return PermissionDeniedError
    if status == 429:
        return RateLimitError
    return GraphAPIError


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if is_ascii_digits(value):
        return int(value)
    return None


def _as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def error_from_response(response: Response) -> GraphAPIError | None:
    """The typed error for a failed response, or None when it succeeded.

    Works for bodies that are not JSON at all (an HTML 502 from a proxy): the
    status decides the class and the message says what arrived.
    """
    payload: Any = response.decoded()
    err = payload.get("error") if isinstance(payload, dict) else None
    if not isinstance(err, dict):
        if response.is_success:
            return None
        status = response.status_code
        ctype = response.headers.get("content-type", "unknown content type").split(";")[0]
        cls = _class_for(None, status)
        return cls(
            f"HTTP {status} with a body that is not a Graph error ({ctype}, {len(response.content)} bytes)",
            is_transient=status >= 500 or status == 429,
            http_status=status,
            headers=response.headers,
        )
    code = _as_int(err.get("code"))
    error_data = err.get("error_data")
    details = _as_str(error_data.get("details")) if isinstance(error_data, dict) else None
    transient_flag = err.get("is_transient")
    subcode = _as_int(err.get("error_subcode"))
    cls = _class_for(code, response.status_code)
    if code == 100 and subcode in TemplateCreationError.SUBCODES:
        cls = TemplateCreationError
    # Without Meta's flag, a throttle or server failure is transient whatever its code:
    # an unknown code on a 503 must not make an idempotent call give up at once.
    is_transient = (
        transient_flag
        if isinstance(transient_flag, bool)
        else (is_transient_code(code) or cls is ServerError or cls is RateLimitError)
    )
    message = _as_str(err.get("message")) or f"Graph API error (HTTP {response.status_code})"
    retry_after = server_wait_hint(response.headers)
    if retry_after is None:
        retry_after = text_wait_hint(details) or text_wait_hint(_as_str(err.get("error_user_msg")))
    return cls(
        message,
        retry_after=retry_after,
        code=code,
        subcode=subcode,
        type=_as_str(err.get("type")),
        user_title=_as_str(err.get("error_user_title")),
        user_message=_as_str(err.get("error_user_msg")),
        fbtrace_id=_as_str(err.get("fbtrace_id")),
        details=details,
        is_transient=is_transient,
        http_status=response.status_code,
        headers=response.headers,
    )
