"""Resumable uploads: not in Meta's Business Messaging spec (no operationId), so no spec case.

The wire shape of ``wa.uploads`` is tested in tests/resources/test_uploads.py.
"""

from __future__ import annotations

from . import Case

CASES: list[Case] = []
