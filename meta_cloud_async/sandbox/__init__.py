"""A faithful, stateful fake of the Graph API endpoints this SDK uses.

One brain, two doors: the business state machine (:mod:`.state`) sits
behind one router (:mod:`.router`), reached either in-process through
:meth:`Sandbox.transport` or over HTTP through :meth:`Sandbox.serve` (and the
``meta-cloud-async sandbox`` command). See ``docs/sandbox.md``.
"""

from .budgets import Budget
from .clock import VirtualClock
from .core import DEFAULT_ACCESS_TOKEN, Sandbox
from .delivery import WebhookStats
from .faults import FaultConfig, FaultRates, WebhookFaults
from .router import RequestLogEntry
from .state import Limits, PhoneNumberState
from .templates_state import ReviewDecision, TemplateRules
from .transport import SandboxTransport

__all__ = [
    "DEFAULT_ACCESS_TOKEN",
    "Budget",
    "FaultConfig",
    "FaultRates",
    "Limits",
    "PhoneNumberState",
    "RequestLogEntry",
    "ReviewDecision",
    "Sandbox",
    "SandboxTransport",
    "TemplateRules",
    "VirtualClock",
    "WebhookFaults",
    "WebhookStats",
]
