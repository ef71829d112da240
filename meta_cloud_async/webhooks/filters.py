"""Composable predicates for router decorators: ``f1 & f2``, ``f1 | f2``, ``~f``.

Each filter is a plain callable ``(event) -> bool`` wrapped in :class:`Filter`, so users can
write their own (``Filter(lambda e: ...)``) and mix them with these.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from meta_cloud_async.webhooks import events as ev

__all__ = ["Filter", "message_type", "phone_number", "regex", "sender", "status", "text"]


class Filter:
    """A predicate on events that composes: ``f1 & f2``, ``f1 | f2``, ``~f``.

    Wrap any ``(event) -> bool`` callable to mix it with the built-in filters;
    ``description`` names it in reprs and in the router's logs.
    """

    __slots__ = ("_predicate", "description")

    def __init__(self, predicate: Callable[[Any], bool], description: str = "filter") -> None:
        self._predicate = predicate
        self.description = description

    def __call__(self, event: Any) -> bool:
        return bool(self._predicate(event))

    def __and__(self, other: Callable[[Any], bool]) -> Filter:
        return Filter(lambda e: self(e) and other(e), f"({self.description} & {_desc(other)})")

    def __or__(self, other: Callable[[Any], bool]) -> Filter:
        return Filter(lambda e: self(e) or other(e), f"({self.description} | {_desc(other)})")

    def __invert__(self) -> Filter:
        return Filter(lambda e: not self(e), f"~{self.description}")

    def __repr__(self) -> str:
        return f"Filter({self.description})"


def _desc(f: Callable[[Any], bool]) -> str:
    return f.description if isinstance(f, Filter) else getattr(f, "__name__", "callable")


def message_type(*types: str) -> Filter:
    """The message's ``type`` (text, image, interactive, ...); ``interactive:list_reply`` etc. too."""
    wanted = frozenset(types)

    def check(e: Any) -> bool:
        if not isinstance(e, ev.MessageEvent):
            return False
        if e.type in wanted:
            return True
        return isinstance(e, ev.InteractiveMessage) and f"interactive:{e.interactive_type}" in wanted

    return Filter(check, f"message_type{tuple(types)}")


def text(equals: str | None = None, *, contains: str | None = None, ignore_case: bool = False) -> Filter:
    """A text message's body (equal to, or containing); with no argument, any text message."""

    def norm(s: str) -> str:
        return s.casefold() if ignore_case else s

    def check(e: Any) -> bool:
        if not isinstance(e, ev.TextMessage):
            return False
        body = norm(e.body)
        if equals is not None and body != norm(equals):
            return False
        return contains is None or norm(contains) in body

    return Filter(check, f"text({equals!r}, contains={contains!r})")


def regex(pattern: str | re.Pattern[str], flags: int = 0) -> Filter:
    """A text message body (or button/interactive reply title) matching ``pattern`` (``search``)."""
    compiled = re.compile(pattern, flags) if isinstance(pattern, str) else pattern

    def check(e: Any) -> bool:
        if isinstance(e, ev.TextMessage):
            return compiled.search(e.body) is not None
        if isinstance(e, ev.ButtonMessage) and e.text is not None:
            return compiled.search(e.text) is not None
        if isinstance(e, ev.InteractiveMessage) and isinstance(e.reply, (ev.ButtonReply, ev.ListReply)):
            return e.reply.title is not None and compiled.search(e.reply.title) is not None
        return False

    return Filter(check, f"regex({compiled.pattern!r})")


def sender(*wa_ids: str) -> Filter:
    """Messages from these users (their wa_id / phone number as Meta sends it)."""
    wanted = frozenset(wa_ids)
    return Filter(lambda e: getattr(e, "sender", None) in wanted, f"sender{tuple(wa_ids)}")


def phone_number(*phone_number_ids: str) -> Filter:
    """Events received by these business phone numbers (``metadata.phone_number_id``)."""
    wanted = frozenset(phone_number_ids)
    return Filter(lambda e: e.phone_number_id in wanted, f"phone_number{tuple(phone_number_ids)}")


def status(*values: str) -> Filter:
    """Statuses with these values (sent, delivered, read, played, failed, deleted, RINGING...)."""
    wanted = frozenset(values)
    return Filter(
        lambda e: isinstance(e, (ev.StatusEvent, ev.CallStatusEvent)) and e.status in wanted,
        f"status{tuple(values)}",
    )
