"""The ``meta-cloud-async`` command: ``sandbox``, ``pins``, ``demo`` and ``flows``."""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TextIO

__all__ = ["CommandParser", "main", "plain", "rich_progress"]


def plain(doc: str | None) -> str:
    """A docstring as help text: reST double backticks and roles dropped (``x`` -> x)."""
    return re.sub(r":\w+:`([^`]*)`", r"\1", (doc or "").replace("``", ""))


def rich_progress(stream: TextIO, columns: Callable[[Any], Sequence[Any]]) -> Any:
    """A rich ``Progress`` on ``stream`` with ``columns(rich.progress)``, when ``stream`` is a
    terminal and rich (the ``cli`` extra) is installed; None otherwise (the caller prints plain lines).
    """
    isatty = getattr(stream, "isatty", None)
    if isatty is None or not isatty():
        return None
    try:
        from rich import progress
        from rich.console import Console
    except ImportError:
        return None
    return progress.Progress(*columns(progress), console=Console(file=stream))


class CommandParser(argparse.ArgumentParser):
    """An argparse parser whose errors show the failing subcommand's usage, with a suggestion.

    argparse leaves unknown flags to the top-level parser, which prints its
    own usage: :func:`main` hands them back to the subcommand that got them
    (the leaf parser is stored as ``_parser`` in the namespace), and a
    mistyped flag or choice gets "did you mean" from close matches (the
    same idea as ``suggest_on_error`` on Python 3.14, on every version).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if sys.version_info >= (3, 14):
            kwargs.setdefault("suggest_on_error", True)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        match = re.search(r"invalid choice: '([^']*)' \(choose from ([^)]*)\)", message)
        if match and "maybe you meant" not in message:
            choices = [c.strip(" '\"") for c in match.group(2).split(",")]
            close = difflib.get_close_matches(match.group(1), choices, n=1)
            if close:
                message += f" (did you mean {close[0]!r}?)"
        super().error(message)

    def unknown(self, extras: Sequence[str]) -> NoReturn:
        """Refuse unknown arguments with this parser's usage and the nearest known flag."""
        flags = [s for action in self._actions for s in action.option_strings if s.startswith("--")]
        hints = []
        for extra in extras:
            if extra.startswith("-"):
                close = difflib.get_close_matches(extra.split("=", 1)[0], flags, n=1, cutoff=0.6)
                if close:
                    hints.append(f"{extra.split('=', 1)[0]} -> did you mean {close[0]}?")
        hint = f" ({'; '.join(hints)})" if hints else ""
        self.error(f"unrecognized arguments: {' '.join(extras)}{hint}")


def build_parser() -> CommandParser:
    from .._version import __version__
    from . import demo, flows, pins, sandbox

    parser = CommandParser(prog="meta-cloud-async", description=plain(__doc__))
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=CommandParser)
    sandbox.register(sub)
    pins.register(sub)
    demo.register(sub)
    flows.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extras = parser.parse_known_args(argv)
    if extras:
        leaf = getattr(args, "_parser", parser)
        (leaf if isinstance(leaf, CommandParser) else parser).unknown(extras)
    try:
        code: int = args.func(args)
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
