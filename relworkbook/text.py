"""Free text in, safe text out.

Everything people type is cleaned on the way in (length, control characters)
and escaped on the way out. ipywidgets' ``HTML`` widget sets ``innerHTML``, so
any typed text placed in it must pass through :func:`esc` first.
"""

from __future__ import annotations

import html
import unicodedata

from .errors import FriendlyError

# Keep tab and newline; drop other control characters (they break CSV readers
# and can hide text). Right-to-left marks and emoji are kept: they are writing.
_ALLOWED_CONTROLS = {"\n", "\t"}


def clean_text(value: object, *, max_chars: int, what: str, required: bool = False) -> str:
    """Return ``value`` as tidy text or raise a FriendlyError naming ``what``."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise FriendlyError(f"The {what} must be text.")
    text = unicodedata.normalize("NFC", value)
    text = "".join(
        ch for ch in text if ch in _ALLOWED_CONTROLS or unicodedata.category(ch) != "Cc"
    ).strip()
    if required and not text:
        raise FriendlyError(f"Please fill in the {what}.")
    if len(text) > max_chars:
        raise FriendlyError(
            f"The {what} is {len(text):,} characters long; please keep it to {max_chars:,} or fewer."
        )
    return text


def esc(value: object) -> str:
    """Escape for HTML text and attribute values."""
    return html.escape("" if value is None else str(value), quote=True)
