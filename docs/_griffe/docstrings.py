"""A griffe extension for the site: Markdown-clean docstrings and real signatures for ``endpoint``.

Two things the package's source says in a way griffe's static reading cannot render:

- Docstrings use reST roles (``:class:`X```, ``:meth:`x```) and ``::`` literal-block markers.
  Markdown would print them verbatim, so they become code spans and a plain colon here.
- A namespace method declared in one line, ``get = endpoint(GetPhoneNumberRequest, doc=...)``,
  is an attribute to static analysis. Here it becomes the async method it is at run time: the
  request class's keyword signature, its response model as the return type, and its docstring
  (``doc=`` or the request class's), read from the imported object so they cannot drift.

The package itself is untouched; this runs only inside ``mkdocs build``.
"""

from __future__ import annotations

import importlib
import inspect
import re
import sys
import typing
from pathlib import Path
from typing import Any

import griffe

# The run-time objects must be the tree griffe reads (mkdocs.yml's ``paths: ["."]``), not
# whatever copy of the package happens to be installed.
_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

_ROLE = re.compile(r":(?:py:)?(?:class|meth|func|attr|mod|data|exc|obj|const):`~?([^`]+)`")
_LITERAL = re.compile(r"(?m)(\S)::$")
_BARE_LITERAL = re.compile(r"(?m)^(\s*)::$")

#: The one-line method factories of ``meta_cloud_async/resources/``: ``endpoint`` awaits the call,
#: ``paged_endpoint`` returns a paginator over the edge.
_FACTORIES = ("endpoint", "paged_endpoint")


def markdown_docstring(text: str) -> str:
    """``text`` with reST roles as code spans and ``::`` block markers as plain colons."""
    text = _ROLE.sub(lambda m: f"``{m.group(1)}``", text)
    text = _BARE_LITERAL.sub(r"\1", text)
    return _LITERAL.sub(r"\1:", text)


def _annotation(value: Any) -> str | None:
    if value is inspect.Parameter.empty:
        return None
    if isinstance(value, str):
        return value
    return inspect.formatannotation(value)


class SiteDocstrings(griffe.Extension):
    """Rewrite docstrings for Markdown; turn ``endpoint(...)`` attributes into async methods."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        if pkg.path != "meta_cloud_async":
            return
        self._walk(pkg)

    def _walk(self, obj: griffe.Object) -> None:
        if obj.docstring is not None:
            obj.docstring.value = markdown_docstring(obj.docstring.value)
        if isinstance(obj, griffe.Class):
            self._endpoints(obj)
        for member in list(obj.members.values()):
            if not member.is_alias and isinstance(member, griffe.Object):
                self._walk(member)

    def _endpoints(self, cls: griffe.Class) -> None:
        for name, member in list(cls.members.items()):
            if member.is_alias or not isinstance(member, griffe.Attribute):
                continue
            value = member.value
            if not (isinstance(value, griffe.ExprCall) and str(value.function) in _FACTORIES):
                continue
            runtime = importlib.import_module(cls.module.path)
            ep = vars(getattr(runtime, cls.name))[name]
            from meta_cloud_async._operations import operation_of

            request = ep.request
            params = griffe.Parameters(
                griffe.Parameter("self", kind=griffe.ParameterKind("positional or keyword")),
                *(
                    griffe.Parameter(
                        p.name,
                        annotation=_annotation(p.annotation),
                        kind=griffe.ParameterKind(p.kind.description),  # the same words in both
                        default=None if p.default is inspect.Parameter.empty else repr(p.default),
                    )
                    for p in inspect.signature(request).parameters.values()
                ),
            )
            declared = request if isinstance(request, type) else typing.get_type_hints(request)["return"]
            response = operation_of(declared).response
            paged = str(value.function) == "paged_endpoint"
            if paged:
                (item,) = typing.get_args(response) or (Any,)
                returns = f"AsyncPaginator[{getattr(item, '__name__', str(item))}]"
            else:
                returns = getattr(response, "__name__", str(response))
            doc = markdown_docstring(inspect.cleandoc(ep.__doc__ or ""))
            doc += f"\n\nSends ``{declared.__module__}.{declared.__name__}``."
            func = griffe.Function(
                name,
                lineno=member.lineno,
                endlineno=member.endlineno,
                parameters=params,
                returns=returns,
                docstring=griffe.Docstring(doc, parent=None),
            )
            if not paged:
                func.labels.add("async")
            cls.del_member(name)
            cls.set_member(name, func)
            func.docstring.parent = func  # type: ignore[union-attr]
