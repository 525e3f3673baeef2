"""Blanks in pack words, filled safely: only plain ``{name}``, nothing more.

Pack words such as ``You have joined {title}.`` come from a council's YAML,
which the kit does not control. Python's ``str.format`` would let such a text
reach attributes (``{title.__class__}``), index values (``{title[0]}``) or
build huge strings (``{title:>99999999}``), and a misspelt or half-typed blank
(``{titel}``, ``{title``) would raise in front of every participant. So a
pack's words are checked once, when the pack is loaded
(:func:`check_template`), and filled by :func:`fill`, which knows plain names
only and never raises. ``{{`` and ``}}`` stay available for a brace itself.
"""

from __future__ import annotations

from collections.abc import Collection
from string import Formatter
from typing import Any

_PARSER = Formatter()
#: How much of an odd blank a message repeats: enough to find it, not a screenful.
_SHOWN_CHARS = 60
_BRACE_HINT = "(to show a brace itself, write it twice: {{ or }})"


def _fields(text: str) -> list[tuple[str, str | None, str | None, str | None]]:
    """The pieces of ``text`` (literal, field, spec, conversion); ValueError if a brace is unmatched."""
    return list(_PARSER.parse(text))


def placeholders(text: str) -> set[str]:
    """The blanks ``text`` asks for, as written between the braces (``{}`` gives ``""``).

    Raises ValueError when a brace is unmatched, like ``str.format`` would, so
    that the built-in words (the source of what each key may use) cannot be
    silently malformed.
    """
    return {field for _, field, _, _ in _fields(text) if field is not None}


def _is_plain(field: str, spec: str | None, conversion: str | None) -> bool:
    """A plain name: no attribute, index, position, conversion or format spec."""
    return field.isidentifier() and not spec and conversion is None


def _as_written(field: str, spec: str | None, conversion: str | None) -> str:
    """The blank as the pack wrote it, to repeat it in a message or leave it unfilled."""
    return "{" + field + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"


def _shown(blank: str) -> str:
    """A blank made safe for a one-line message: no line breaks, not too long."""
    blank = " ".join(blank.split())
    return blank if len(blank) <= _SHOWN_CHARS else blank[: _SHOWN_CHARS - 1] + "\u2026"


def _listed(names: Collection[str]) -> str:
    """``{a}``, ``{a} or {b}``, ``{a}, {b} or {c}``: the blanks a text may use, in plain words."""
    shown = [f"{{{name}}}" for name in sorted(names)]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " or " + shown[-1]


def _unmatched(error: ValueError) -> str:
    """Python's parse error in plain words: which brace lacks its partner."""
    if "Single '}'" in str(error):
        return f"has a '}}' without its '{{' {_BRACE_HINT}"
    return f"has a '{{' without its '}}' {_BRACE_HINT}"


def check_template(text: str, allowed: Collection[str]) -> str | None:
    """The first problem of ``text`` as a template with the blanks ``allowed``, or None if it is fine.

    The answer is written for the person editing the pack, e.g.
    ``uses {titel}, which this text cannot fill in; it can use {title}``.
    A text passing this check is one :func:`fill` fills without surprises.
    """
    try:
        pieces = _fields(text)
    except ValueError as exc:
        return _unmatched(exc)
    for _, field, spec, conversion in pieces:
        if field is None:
            continue
        blank = _shown(_as_written(field, spec, conversion))
        if not _is_plain(field, spec, conversion):
            hint = f", like {_listed(allowed)}" if allowed else f", and this text has none {_BRACE_HINT}"
            return f"uses {blank}: only plain names in braces are allowed{hint}"
        if field not in allowed:
            hint = f"it can use {_listed(allowed)}" if allowed else f"it has no blanks {_BRACE_HINT}"
            return f"uses {blank}, which this text cannot fill in; {hint}"
    return None


def fill(text: str, /, **values: Any) -> str:
    """``text`` with each plain ``{name}`` replaced by ``str(values[name])``.

    Nothing else is ever evaluated: a blank with an attribute, an index, a
    conversion or a format spec, or one without a value, is left as written,
    and ``{{``/``}}`` become single braces. It never raises: a text with an
    unmatched brace (which a checked pack cannot have) comes back unchanged.
    """
    if "{" not in text and "}" not in text:
        return text  # most words have no blanks: skip the parsing
    try:
        pieces = _fields(text)
    except ValueError:
        return text
    out = []
    for literal, field, spec, conversion in pieces:
        out.append(literal)
        if field is None:
            continue
        if _is_plain(field, spec, conversion) and field in values:
            out.append(str(values[field]))
        else:
            out.append(_as_written(field, spec, conversion))
    return "".join(out)
