"""Conformance cases, one module per namespace; ``all_cases()`` collects them.

A :class:`Case` names the request class it exercises, a call that makes exactly
one request through a client, and the answer to give back. Every declared
operation with an ``operationId`` must have at least one case (the suite fails
otherwise). ``skip`` names the checks a known spec defect forces us to skip,
with the reason: ``{"body": "why"}``, or ``{"headers": "why"}`` for a required header we rightly omit.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable, Mapping
from typing import Any


class Case:
    def __init__(
        self,
        name: str,
        request: type[Any],
        call: Callable[[Any], Any],
        reply: Any,
        *,
        skip: Mapping[str, str] | None = None,
    ) -> None:
        self.name, self.request, self.call, self.reply = name, request, call, reply
        self.operation_id: str = request.operation_id
        self.skip = dict(skip or {})


def all_cases() -> list[Case]:
    cases: list[Case] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        cases.extend(importlib.import_module(f"{__name__}.{info.name}").CASES)
    return cases
