"""Starting, joining and resuming workshops (no widgets here).

A facilitator gets a short join code for the room, a participant link, and a
separate facilitator link with a secret key. Only a hash of each secret is
stored, so a copy of the database does not let anyone act as a facilitator or
step into a participant's answers.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

from .config import MAX_LABEL_CHARS, MAX_NAME_CHARS
from .errors import FriendlyError
from .store import Participant, Store, Workshop
from .text import clean_text

#: No 0/O, 1/I/L: codes are read aloud and typed on phones.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


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


def start_workshop(
    store: Store, *, workbook: str, title: str = "", min_group: int = 3, first_round: str = "baseline"
) -> FacilitatorAccess:
    title = clean_text(title, max_chars=80, what="workshop title")
    if not 1 <= int(min_group) <= 50:
        raise FriendlyError("The smallest group size to show must be between 1 and 50.")
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
        raise FriendlyError("Please type the workshop code your facilitator gave you.")
    workshop = store.workshop_by_code(code)
    if workshop is None:
        raise FriendlyError(
            f"There is no workshop with the code {format_code(code)}. "
            "Check the code on the facilitator's screen and try again."
        )
    if workshop.workbook != workbook:
        raise FriendlyError(
            f"The code {format_code(code)} is for a different workbook. "
            "Please use the link your facilitator shared."
        )
    return workshop


def open_as_facilitator(store: Store, typed_code: str, key: str, workbook: str) -> FacilitatorAccess:
    workshop = find_workshop(store, typed_code, workbook)
    if not key or not hmac.compare_digest(hash_secret(key), workshop.key_hash):
        raise FriendlyError(
            "That facilitator link is not complete or not right. Open the facilitator link exactly "
            "as it was given when the workshop started."
        )
    return FacilitatorAccess(workshop, key)


def join(
    store: Store, typed_code: str, workbook: str, *, display_name: str = "", group_label: str = ""
) -> Membership:
    workshop = find_workshop(store, typed_code, workbook)
    if workshop.locked:
        raise FriendlyError(
            "This round is closed just now. Ask your facilitator to reopen it so you can join."
        )
    name = clean_text(display_name, max_chars=MAX_NAME_CHARS, what="name")
    group = clean_text(group_label, max_chars=MAX_LABEL_CHARS, what="group")
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
        raise FriendlyError(
            "We could not find your earlier answers with that personal link. You can join again as new."
        )
    return Membership(workshop, participant, token)


def page_link(base_url: str, **params: str) -> str:
    """``base_url`` is the notebook's own address without a query string."""
    query = urlencode({k: v for k, v in params.items() if v})
    return f"{base_url}?{query}" if query else base_url


def participant_link(base_url: str, code: str, extra: dict[str, str] | None = None) -> str:
    return page_link(base_url, **(extra or {}), join=code)


def facilitator_link(base_url: str, code: str, key: str, extra: dict[str, str] | None = None) -> str:
    return page_link(base_url, **(extra or {}), facilitate=code, key=key)


def resume_link(base_url: str, code: str, token: str, extra: dict[str, str] | None = None) -> str:
    return page_link(base_url, **(extra or {}), join=code, me=token)
