"""The ``meta-cloud-async`` command: ``sandbox``, ``pins``, ``demo`` and ``flows``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def build_parser() -> argparse.ArgumentParser:
    from . import demo, flows, pins, sandbox

    parser = argparse.ArgumentParser(prog="meta-cloud-async", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sandbox.register(sub)
    pins.register(sub)
    demo.register(sub)
    flows.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
