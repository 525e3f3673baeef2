"""One error handler for every widget callback in the kit.

Participants see a short, friendly sentence; the server log gets the full
traceback. Voila hides tracebacks from visitors, so without this a failing
button would simply do nothing, which is the worst thing a button can do.
"""

from __future__ import annotations

import functools
import logging
from typing import Any, Callable

log = logging.getLogger("relworkbook")

GENERIC_MESSAGE = (
    "Sorry, something went wrong on our side and nothing was changed. "
    "Please try again; if it keeps happening, tell your facilitator."
)


class FriendlyError(Exception):
    """An error whose message is written for the person at the screen."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def report(exc: BaseException, show: Callable[[str], None] | None = None) -> str:
    """Log ``exc`` for the server and return (and show) the visitor's message."""
    if isinstance(exc, FriendlyError):
        message = exc.message
        log.info("refused: %s", message)
    else:
        message = GENERIC_MESSAGE
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
