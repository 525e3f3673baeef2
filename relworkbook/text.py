"""Free text in, safe text out.

Everything people type is cleaned on the way in (length, control characters,
text-reordering controls, invisible-only text) and escaped on the way out.
ipywidgets' ``HTML`` widget sets ``innerHTML``, so any typed text placed in it
must pass through :func:`esc` first.
"""

from __future__ import annotations

import html
import unicodedata

from .errors import FriendlyError

# Keep tab and newline; drop other control characters (they break CSV readers
# and can hide text). Right-to-left marks and emoji are kept: they are writing.
_ALLOWED_CONTROLS = {"\n", "\t"}

# Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069)
# reorder the text *around* them: a name "\u202eevil" would turn the rest of a
# line backwards. They are dropped. The plain marks LRM/RLM (U+200E/U+200F) only
# nudge their neighbours and are part of right-to-left writing, so they stay.
_BIDI_CONTROLS = frozenset(map(chr, (*range(0x202A, 0x202F), *range(0x2066, 0x206A))))

# Characters that draw nothing but are not spaces or format characters by
# their Unicode category: Hangul fillers, the braille blank, the combining
# grapheme joiner, Khmer inherent vowels, the Mongolian vowel separator.
_BLANK_LOOKALIKES = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5\u180e")

# Zero-width spaces and the byte-order mark: meaningless at either end of a
# text, where they only make "Bob" and "\u200bBob" two different names.
_ZERO_WIDTH_SPACES = frozenset("\u200b\u2060\ufeff")


def _drawn_nothing(ch: str) -> bool:
    """True for a character that shows nothing on its own (spaces, format characters, fillers)."""
    code = ord(ch)
    return (
        ch.isspace()
        or ch in _BLANK_LOOKALIKES
        or unicodedata.category(ch) in ("Zs", "Zl", "Zp", "Cf", "Cc")
        or 0xFE00 <= code <= 0xFE0F  # variation selectors: they only restyle the character before them
        or 0xE0100 <= code <= 0xE01EF
    )


def _edge_blank(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) == "Zs" or ch in _ZERO_WIDTH_SPACES or ch in _BLANK_LOOKALIKES


def _kept(ch: str) -> bool:
    category = unicodedata.category(ch)
    if category == "Cc":
        return ch in _ALLOWED_CONTROLS
    # A lone surrogate (from a "\ud800" escape in a JSON file) cannot be stored as UTF-8.
    return category != "Cs" and ch not in _BIDI_CONTROLS


def _strip_blanks(text: str) -> str:
    start, end = 0, len(text)
    while start < end and _edge_blank(text[start]):
        start += 1
    while end > start and _edge_blank(text[end - 1]):
        end -= 1
    return text[start:end]


def clean_text(value: object, *, max_chars: int, what: str, required: bool = False) -> str:
    """Return ``value`` as tidy text or raise a FriendlyError naming ``what``.

    ``what`` is pack words, not a key: the caller's own name for the field
    (e.g. ``error_words("field_name")`` or a workbook's ``screen`` word), so each
    screen can name its fields in its own words. A text that draws nothing at all (zero-width spaces, fillers, format
    characters) becomes "": an invisible name is no name, so its owner stays
    anonymous, and a required field asks to be filled in.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise FriendlyError.of("text_not_text", what=what)
    text = unicodedata.normalize("NFC", "".join(ch for ch in value if _kept(ch)))
    text = "" if all(_drawn_nothing(ch) for ch in text) else _strip_blanks(text)
    if required and not text:
        raise FriendlyError.of("text_required", what=what)
    if len(text) > max_chars:
        raise FriendlyError.of("text_too_long", what=what, count=f"{len(text):,}", limit=f"{max_chars:,}")
    return text


def esc(value: object) -> str:
    """Escape for HTML text and attribute values."""
    return html.escape("" if value is None else str(value), quote=True)
