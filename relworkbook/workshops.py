"""Starting, joining and resuming workshops (no widgets here).

A facilitator gets a short join code for the room, a participant link, and a
separate facilitator link with a secret key. Only a hash of each secret is
stored, so a copy of the database does not let anyone act as a facilitator or
step into a participant's answers.

Links carry the kit's own parameters and nothing else: never a hosting
server's ``token`` (on Binder that token runs code on the whole server). A
page that sees wrong codes, keys or personal links again and again is made
to wait (:class:`AttemptGuard`), so codes cannot be guessed from a page.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, TypeVar
from urllib.parse import urlencode, urlsplit

from .config import MAX_LABEL_CHARS, MAX_NAME_CHARS
from .errors import FriendlyError, error_words
from .store import Participant, Store, Workshop
from .text import clean_text

if TYPE_CHECKING:
    from .content import UiText

T = TypeVar("T")

#: No 0/O, 1/I/L: codes are read aloud and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6

#: Wrong guesses a page may make before it has to wait; then the wait starts
#: at FIRST_WAIT_SECONDS and doubles with each further wrong guess.
FREE_ATTEMPTS = 5
FIRST_WAIT_SECONDS = 5.0
MAX_WAIT_SECONDS = 300.0


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_code(store: Store) -> str:
    for _ in range(100):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not store.code_in_use(code):
            return code
    raise RuntimeError("could not find a free join code")  # 31**6 codes: never in practice


def normalise_code(typed: str) -> str:
    """Accept 'abc-def', ' ABC DEF ' and friends."""
    return "".join(ch for ch in (typed or "").upper() if ch.isalnum())


def format_code(code: str) -> str:
    """Show codes in two halves, easier to read out: ``ABC-DEF``."""
    return f"{code[:3]}-{code[3:]}" if len(code) == CODE_LENGTH else code


class WrongGuess(FriendlyError):
    """A code, facilitator key or personal link that opens nothing.

    Its own class so that a page's :class:`AttemptGuard` counts these, and
    only these: a blank code box or a closed round is no guess.
    """


class WrongCode(WrongGuess):
    """No workshop of this workbook has the code.

    A code that exists but belongs to another workbook gets this same error,
    word for word, so someone trying codes learns nothing about which exist.
    """

    def __init__(self, code: str):
        self.code = code
        super().__init__(error_words("code_unknown", code=format_code(code)))


@dataclass(frozen=True)
class FacilitatorAccess:
    workshop: Workshop
    key: str


@dataclass(frozen=True)
class Membership:
    """A participant's seat in a workshop, with the secret that resumes it."""

    workshop: Workshop
    participant: Participant
    token: str


def shown_round(ui: Any, name: str) -> str:
    """A round's name as a screen says it: the first round in plain words, others as the facilitator typed them."""
    return ui("first_round_shown") if name == ui("first_round") else name


def start_workshop(
    store: Store, *, workbook: str, title: str = "", min_group: int = 3, first_round: str | None = None
) -> FacilitatorAccess:
    """A new workshop; its first round is named ``first_round``, else in the pack's words (``ui: first_round``)."""
    if first_round is None:
        from .content import load_ui  # the pack in force for this process, as refusals are worded

        first_round = load_ui()("first_round")
    title = clean_text(title, max_chars=80, what=error_words("field_workshop_title"))
    if not 1 <= int(min_group) <= 50:
        raise FriendlyError.of("start_min_group")
    key = secrets.token_urlsafe(18)
    workshop = store.create_workshop(
        code=new_code(store),
        workbook=workbook,
        title=title,
        key_hash=hash_secret(key),
        min_group=int(min_group),
        current_round=first_round,
    )
    return FacilitatorAccess(workshop, key)


def find_workshop(store: Store, typed_code: str, workbook: str) -> Workshop:
    code = normalise_code(typed_code)
    if not code:
        raise FriendlyError.of("code_missing")
    workshop = store.workshop_by_code(code)
    if workshop is None or workshop.workbook != workbook:
        raise WrongCode(code)
    return workshop


def open_as_facilitator(store: Store, typed_code: str, key: str, workbook: str) -> FacilitatorAccess:
    workshop = find_workshop(store, typed_code, workbook)
    if not key or not hmac.compare_digest(hash_secret(key), workshop.key_hash):
        raise WrongGuess.of("facilitator_link_wrong")
    return FacilitatorAccess(workshop, key)


def join(
    store: Store, typed_code: str, workbook: str, *, display_name: str = "", group_label: str = ""
) -> Membership:
    workshop = find_workshop(store, typed_code, workbook)
    if workshop.locked:
        raise FriendlyError.of("join_locked")
    name = clean_text(display_name, max_chars=MAX_NAME_CHARS, what=error_words("field_name"))
    group = clean_text(group_label, max_chars=MAX_LABEL_CHARS, what=error_words("field_group"))
    token = secrets.token_urlsafe(12)
    participant = store.add_participant(
        workshop_id=workshop.id,
        uid=uuid.uuid4().hex,
        token_hash=hash_secret(token),
        display_name=name,
        group_label=group,
    )
    return Membership(workshop, participant, token)


def resume(store: Store, typed_code: str, token: str, workbook: str) -> Membership:
    workshop = find_workshop(store, typed_code, workbook)
    participant = store.participant_by_token_hash(workshop.id, hash_secret(token or ""))
    if participant is None:
        raise WrongGuess.of("resume_not_found")
    return Membership(workshop, participant, token)


def page_link(base_url: str, **params: str) -> str:
    """``base_url`` is the notebook's own address without a query string."""
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{base_url}?{query}" if query else base_url


def participant_link(base_url: str, code: str) -> str:
    return page_link(base_url, join=code)


def this_computer_only(link: str) -> str | None:
    """The host of ``link`` if it names this computer only (so no phone can open it), else None.

    ``relworkbook serve`` listens on 127.0.0.1 unless told ``--host 0.0.0.0``; a
    facilitator who opened ``http://127.0.0.1:8866`` would otherwise project a
    QR code that no phone in the room can open, and nothing would say why.
    """
    import ipaddress  # only on the facilitator's screen: kept off a participant's start-up

    host = (urlsplit(link).hostname or "").strip("[]").lower()
    if not host:
        return None
    if host == "localhost" or host.endswith(".localhost") or host == "ip6-localhost":
        return host
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None  # a name: the network decides, and a council's names reach its staff
    return host if address.is_loopback or address.is_unspecified else None


def facilitator_link(base_url: str, code: str, key: str) -> str:
    return page_link(base_url, facilitate=code, key=key)


def resume_link(base_url: str, code: str, token: str) -> str:
    return page_link(base_url, join=code, me=token)


# -- slowing down guessing ------------------------------------------------------


def wait_after(failures: int) -> float:
    """Seconds to wait after ``failures`` wrong guesses in a row.

    None for the first few (people mistype), then 5 s, 10 s, 20 s ... at most
    5 minutes: a person hardly notices, while trying codes one by one (31**6
    of them) from a page becomes hopeless.
    """
    if failures < FREE_ATTEMPTS:
        return 0.0
    doublings = min(failures - FREE_ATTEMPTS, 16)  # no giant powers: the cap is reached long before
    return min(FIRST_WAIT_SECONDS * 2**doublings, MAX_WAIT_SECONDS)


def wait_message(ui: "UiText", seconds: float) -> str:
    """How long to wait, rounded up: to 5 seconds under a minute and a half, else to minutes."""
    if seconds <= 90:
        return ui("wait_seconds", seconds=5 * math.ceil(seconds / 5))
    return ui("wait_minutes", minutes=math.ceil(seconds / 60))


class AttemptGuard:
    """One page's checks of codes, facilitator keys and personal links.

    Every check a visitor can repeat goes through :meth:`attempt`. After
    FREE_ATTEMPTS wrong guesses in a row each further try is refused, without
    looking at the code, until a growing wait is over; a right answer starts
    the count again. A wrong code is answered in the pack's words, naming this
    page's workbook, so a participant on the wrong page knows what to do. The
    clock is injectable so tests need not sleep.
    """

    def __init__(self, ui: "UiText", title: str, clock: Callable[[], float] = time.monotonic):
        self.ui, self.title, self.clock = ui, title, clock
        self.failures = 0
        self.blocked_until = 0.0

    def wait_left(self) -> float:
        """Seconds before the next try is looked at (0 when it may go ahead)."""
        return max(0.0, self.blocked_until - self.clock())

    def attempt(self, check: Callable[[], T]) -> T:
        """Run ``check`` unless this page must wait; count it if it was a wrong guess."""
        left = self.wait_left()
        if left > 0:
            raise FriendlyError(wait_message(self.ui, left))
        try:
            result = check()
        except WrongGuess as exc:
            self.failures += 1
            self.blocked_until = self.clock() + wait_after(self.failures)
            if isinstance(exc, WrongCode):
                raise WrongGuess(self.ui("wrong_code", code=format_code(exc.code), title=self.title)) from None
            raise
        self.failures = 0
        return result
