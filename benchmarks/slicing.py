"""How a measured run is cut into slices, and the order in which the compared sides take them.

This VM's speed drifts by 10-20 % over seconds; a side measured in one block and its floor in
the next see different machines. Cut into slices taken in turn (ABBA order, who goes first
rotating each repeat), both see the same drift, and the ratio is the sides' own. The client
rows (``benchmarks/run.py``) and the webhook throughput (``benchmarks/webhooks.py``) share it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

__all__ = ["SLICE_MIN", "slices", "turns"]

T = TypeVar("T")

#: The smallest slice of a measured run, and slices of at least ten requests per worker, so a
#: slice's ramp-up and tail stay a small part of it.
SLICE_MIN = 300


def slices(requests: int, concurrency: int) -> list[int]:
    """How a run of ``requests`` is cut into the interleaved slices every side takes in turn."""
    size = max(SLICE_MIN, 10 * max(concurrency, 1))
    count = max(1, requests // size)
    return [requests // count + (1 if i < requests % count else 0) for i in range(count)]


def turns(sides: Sequence[T], parts: Sequence[int], rep: int) -> list[tuple[T, int]]:
    """``(side, requests)`` in the order repeat ``rep`` takes them: every side takes each slice.

    Forth then back (A B, B A, A B, ...), starting ``rep`` places along, so no side always
    goes first or always follows the same neighbour.
    """
    shift = rep % max(len(sides), 1)
    order = list(sides[shift:]) + list(sides[:shift])
    return [(side, part) for k, part in enumerate(parts) for side in (order if k % 2 == 0 else order[::-1])]
