"""Story weaving's sharing rule: what of a response may leave the server, and in what shape.

A response is one person's moments and sorting. Before any of it goes into a
facilitator's file it is split in two, so that a moment shared "without my
name" can never be tied to the teller, even when the same person shared
another moment *with* their name:

* the **named part**: the response's own uid and participant, its name (only
  if it holds a moment shared with a name), its group, its named moments and
  its Dark and Light sorting;
* the **anonymous part**: its anonymous moments only, with no name, no group
  and no sorting; its uid and participant id are keyed hashes of the
  response's uid (HMAC-SHA256 keyed with the workshop's facilitator-key hash,
  which no file carries, so a file's reader cannot link the two parts); its
  times are the workshop's start, shared by every anonymous part; and the
  anonymous parts are listed after every named part, in the order of their
  hashed uids, not in the order people answered.

Private moments are in neither part (nor their sealed form: only the known
keys of a moment and a payload are copied). Splitting an already-split list
changes nothing, so the rule can be applied more than once safely.

The price: a file's anonymous part looks like another person. Counting people
for k allows for that (:func:`.model.people_count`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from typing import Any, Iterable, Mapping

from ..store import Response, Workshop
from .model import ANONYMOUS_PART, SHARED_CONSENTS, consent_of

#: The keys of a moment that may leave the server; anything else stays behind.
MOMENT_KEYS = ("id", "phase", "title", "story", "feeling", "who", "shifts", "spirit", "consent")
HASH_CHARS = 32


def _keyed(workshop: Workshop, label: str, value: str) -> str:
    digest = hmac.new(workshop.key_hash.encode("utf-8"), f"{label}:{value}".encode("utf-8"), hashlib.sha256)
    return digest.hexdigest()[:HASH_CHARS]


def _moments(payload: Any, consent: str) -> list[dict[str, Any]]:
    moments = payload.get("moments") if isinstance(payload, Mapping) else None
    if not isinstance(moments, list):
        return []
    return [{k: m[k] for k in MOMENT_KEYS if k in m}
            for m in moments if isinstance(m, Mapping) and consent_of(m) == consent]


def _sort(payload: Any) -> dict[str, Any]:
    sort = payload.get("sort") if isinstance(payload, Mapping) else None
    return dict(sort) if isinstance(sort, Mapping) else {}


def is_anonymous_part(response: Response) -> bool:
    """Whether ``response`` is the anonymous part of an earlier split (e.g. re-imported)."""
    return response.participant_uid.startswith(ANONYMOUS_PART)


def named_part(response: Response) -> Response | None:
    """The named part of a response, or None when it has nothing to carry."""
    if is_anonymous_part(response):
        return None
    moments, sort = _moments(response.payload, "named"), _sort(response.payload)
    if not moments and not sort:
        return None
    return Response(
        uid=response.uid, workshop_id=response.workshop_id, participant_uid=response.participant_uid,
        workbook=response.workbook, round=response.round, group_label=response.group_label,
        # A name travels only with a moment shared with it.
        display_name=response.display_name if moments else "",
        payload={"moments": moments, "sort": sort}, created_at=response.created_at,
        updated_at=response.updated_at,
    )


def anonymous_part(workshop: Workshop, response: Response) -> Response | None:
    """The anonymous part of a response (no name, group or sort), or None when it has no such moment."""
    moments = _moments(response.payload, "anonymous")
    if not moments:
        return None
    if is_anonymous_part(response):  # split before: keep its ids, so re-importing skips it
        uid, participant = response.uid, response.participant_uid
        created, updated = response.created_at, response.updated_at
    else:
        uid = ANONYMOUS_PART + _keyed(workshop, "response", response.uid)
        participant = ANONYMOUS_PART + _keyed(workshop, "participant", response.uid)
        created = updated = workshop.created_at
    return Response(
        uid=uid, workshop_id=response.workshop_id, participant_uid=participant, workbook=response.workbook,
        round=response.round, group_label="", display_name="", payload={"moments": moments, "sort": {}},
        created_at=created, updated_at=updated,
    )


def share_responses(pack: Any, workshop: Workshop, responses: Iterable[Response]) -> list[Response]:
    """Every response split into its named and anonymous parts: named parts first, in the
    order given, then the anonymous parts in the order of their uids.

    ``pack`` is unused: the rule needs only the stored moments' consent. It is
    taken so every workbook's sharing rule is called alike.
    """
    responses = list(responses)
    named = [part for r in responses if (part := named_part(r)) is not None]
    anonymous = [part for r in responses if (part := anonymous_part(workshop, r)) is not None]
    return named + _once(sorted(anonymous, key=lambda part: part.uid))


def _once(parts: list[Response]) -> list[Response]:
    """Anonymous parts without a moment already given in the same round.

    A facilitator's file imported back into its own workshop brings its
    anonymous parts in beside the answers they came from; each moment is
    still written once.
    """
    seen: set[tuple[str, str]] = set()
    kept = []
    for part in parts:
        moments = [m for m in part.payload["moments"] if (part.round, str(m.get("id"))) not in seen]
        seen.update((part.round, str(m.get("id"))) for m in moments)
        if moments:
            kept.append(dataclasses.replace(part, payload={"moments": moments, "sort": {}}))
    return kept


def withdraw(published: Response, live: Response | None) -> Response:
    """A published answer less what its teller has taken back since (deleted, made private, or unnamed).

    Applied to every published story before it is shown, so a withdrawal
    does not wait for the next step of k people.
    """
    live_moments = {
        m.get("id"): m for m in ((live.payload.get("moments") or []) if live is not None else [])
        if isinstance(m, dict)
    }
    kept = []
    for moment in published.payload.get("moments") or []:
        now = live_moments.get(moment.get("id")) if isinstance(moment, dict) else None
        if now is None or now.get("consent") not in SHARED_CONSENTS:
            continue  # deleted, or kept private now
        if moment.get("consent") == "named" and now.get("consent") != "named":
            moment = {**moment, "consent": now.get("consent")}  # the name was taken back
        kept.append(moment)
    return dataclasses.replace(published, payload={**published.payload, "moments": kept})
