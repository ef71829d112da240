"""``pins rotate`` keeps its setup out of the garbage collector while it runs, and hands it back after."""

from __future__ import annotations

import gc

from meta_cloud_async.cli.pins import _setup_frozen


def test_setup_is_frozen_for_the_run_and_unfrozen_after() -> None:
    assert gc.get_freeze_count() == 0
    setup = [object() for _ in range(10)]
    with _setup_frozen():
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0
    del setup


def test_a_process_that_froze_objects_itself_is_left_alone() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with _setup_frozen():
            assert gc.get_freeze_count() == frozen
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
