"""One error handler for every widget callback in the kit, and the words of every refusal.

Participants see a short, friendly sentence; the server log gets the full
traceback. Voila hides tracebacks from visitors, so without this a failing
button would simply do nothing, which is the worst thing a button can do.

Every sentence a refusal shows comes from the content pack, like every other
word on a screen: ``FriendlyError.of("key", blank=value)`` looks the key up in
the ``errors:`` section of ``common.yaml`` (the pack in force, so a translated
pack translates its refusals too). ``FriendlyError(message)`` is for words a
screen has already looked up in a pack itself.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Callable

log = logging.getLogger("relworkbook")

#: The one English sentence kept in code. It is shown when anything unexpected
#: fails, and one of the things that can fail is reading the pack itself (a
#: council's ``common.yaml`` damaged after the server started, a full disk):
#: then there are no pack words to show, and saying nothing would be worse.
#: Whenever the pack can be read, its ``errors.generic`` words are shown instead.
GENERIC_MESSAGE = (
    "Sorry, something went wrong on our side and nothing was changed. "
    "Please try again; if it keeps happening, tell your facilitator."
)


def error_words(key: str, /, **blanks: Any) -> str:
    """The pack's words for the refusal ``key`` (``common.yaml``, ``errors:``), blanks filled in.

    The content folder is the one this process was started with
    (``RELWORKBOOK_CONTENT``, which ``relworkbook serve --content`` sets for
    every kernel), so checks deep inside pure modules need no pack passed in.
    A pack that cannot be read raises its own ContentError, which names the
    file and the problem.
    """
    from .content import load_errors  # content imports this module: look up late

    return load_errors()(key, **blanks)


def generic_message() -> str:
    """The words for an unexpected failure: the pack's, or English if the pack itself cannot be read."""
    try:
        return error_words("generic")
    except Exception:  # noqa: BLE001 - the last resort must not fail in turn
        log.error("the content pack's words for an unexpected error could not be read", exc_info=True)
        return GENERIC_MESSAGE


class FriendlyError(Exception):
    """An error whose message is written for the person at the screen."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    @classmethod
    def of(cls, key: str, /, **blanks: Any) -> "FriendlyError":
        """The refusal ``key`` in the pack's words (see :func:`error_words`)."""
        return cls(error_words(key, **blanks))


def report(exc: BaseException, show: Callable[[str], None] | None = None) -> str:
    """Log ``exc`` for the server and return (and show) the visitor's message."""
    if isinstance(exc, FriendlyError):
        message = exc.message
        log.info("refused: %s", message)
    else:
        message = generic_message()
        log.error("widget callback failed", exc_info=exc)
    if show is not None:
        show(message)
    return message


def guarded(show: Callable[[str], None]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a widget callback so that no exception escapes it.

    ``show`` receives the message meant for the visitor (usually a StatusLine's
    ``error`` method).
    """

    def wrap(callback: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(callback)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return callback(*args, **kwargs)
            except Exception as exc:  # noqa: BLE001 - this is the one place that catches all
                report(exc, show)
                return None

        return run

    return wrap
