"""docs/operations.md covers every operation of Meta's spec, and every call it names exists.

``PENDING`` lists the namespaces and calls that other branches
bring (messages, media, templates, flows, encryption, the phone-level
namespaces). Their rows are in the table already; the lead empties the list
as each branch is merged, and ``test_pending_is_still_pending`` says when an
entry has landed and must go.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from meta_cloud_async import WhatsApp
from meta_cloud_async._operations import registry

TABLE = Path(__file__).resolve().parents[1] / "docs" / "operations.md"

#: Namespaces and calls a row may name before they exist (work in progress on another branch);
#: empty when everything the table names is built. ``test_pending_is_still_pending`` keeps them honest.
PENDING_NAMESPACES: frozenset[str] = frozenset()
PENDING_CALLS: frozenset[str] = frozenset()

_CALL = re.compile(r"\bwa\.([a-z_]+)\.([a-z_]+)\b")


def rows() -> list[list[str]]:
    out = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line.startswith("| ") and not line.startswith("| operationId") and not line.startswith("|---"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            assert len(cells) >= 4, f"a table row needs at least 4 cells: {line}"
            out.append(cells)
    return out


def calls(cell: str) -> list[tuple[str, str]]:
    return _CALL.findall(cell)


def resolves(wa: WhatsApp, namespace: str, method: str) -> bool:
    ns = getattr(wa, namespace, None)
    return ns is not None and callable(getattr(ns, method, None))


@pytest.fixture
def wa() -> WhatsApp:
    return WhatsApp(access_token="table-test-token")


def test_every_spec_operation_has_a_row(spec: Any) -> None:
    documented = [cells[0].strip("`") for cells in rows() if cells[0] != "—"]
    assert len(documented) == len(set(documented)), "an operationId has two rows"
    missing = sorted(set(spec.operations) - set(documented))
    assert not missing, f"operations of the spec without a row in docs/operations.md: {missing}"
    unknown = sorted(set(documented) - set(spec.operations))
    assert not unknown, f"rows name operationIds the spec does not have: {unknown}"


def test_rows_show_the_spec_method_and_path(spec: Any) -> None:
    for cells in rows():
        if cells[0] == "—":
            continue
        method, path, _ = spec.operations[cells[0].strip("`")]
        assert cells[1] == f"`{method} {path.removeprefix('/{Version}')}`", cells


def test_every_named_call_exists_on_a_client(wa: WhatsApp) -> None:
    absent = []
    for cells in rows():
        found = calls(cells[2])
        assert found, f"row without a call: {cells}"
        for namespace, method in found:
            name = f"wa.{namespace}.{method}"
            if namespace in PENDING_NAMESPACES or name in PENDING_CALLS:
                continue
            if not resolves(wa, namespace, method):
                absent.append(name)
    assert not absent, f"docs/operations.md names calls no WhatsApp client has: {sorted(set(absent))}"


def test_pending_is_still_pending(wa: WhatsApp) -> None:
    """Once a branch lands, its entries must leave PENDING so the table is checked strictly again."""
    landed = sorted(ns for ns in PENDING_NAMESPACES if hasattr(wa, ns))
    landed += sorted(c for c in PENDING_CALLS if resolves(wa, *c.split(".")[1:]))
    assert not landed, f"remove from PENDING in tests/test_operations_table.py: {landed}"
    named = {ns for cells in rows() for ns, _ in calls(cells[2])}
    assert named >= PENDING_NAMESPACES, "PENDING names a namespace no row uses"


def test_operations_beyond_the_spec_have_rows() -> None:
    beyond = {cells[1].strip("`").split("?", 1)[0] for cells in rows() if cells[0] == "—"}
    for op in registry():
        if op.operation_id is None:
            assert f"{op.method} /{op.path}" in beyond, f"{op.name} is declared but has no row"


def test_declared_operation_ids_are_in_the_spec(spec: Any) -> None:
    unknown = sorted(
        op.operation_id for op in registry() if op.operation_id and op.operation_id not in spec.operations
    )
    assert not unknown, unknown
