"""The privacy boundary: what of a workshop's answers may be shown, and to whom.

Every screen that pools answers (the facilitator's live view, a participant's
view of the group's results) and every export (downloads, ``relworkbook
export``) reads answers through this module, never through
``Store.responses``. Two rules are applied here, once, so no path can forget
them:

1. **Steps of k.** Pooled results are computed from the *published* answers
   only. A round is published again only when at least k people (the
   workshop's smallest group) have new or changed answers since the last
   publication, so no two states anyone sees, at any two moments, differ by
   fewer than k people's answers: nobody can be singled out by comparing a
   screen or a download before and after they saved. Until then the answers
   wait, and screens say how many are waiting. Counts of who has saved stay
   live (they reveal no answer).
   A withdrawal (``WorkbookSpec.withdraw``: a story deleted or made
   private) takes effect at once: it reveals that something was taken back,
   never what anyone answered.
2. **The workbook's sharing rule** (``WorkbookSpec.share``): e.g. story
   weaving leaves private moments out and separates moments shared without a
   name from the teller's name and group.

A participant's *own* answers are theirs: their page reads them directly.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Iterable

from .store import Response, Store, Workshop

if TYPE_CHECKING:  # pragma: no cover - types only
    from .content import UiText


@dataclass(frozen=True)
class Shown:
    """The published answers of a workshop, and how many wait to be shown."""

    responses: tuple[Response, ...]
    waiting: int  # people in the current round whose new or changed answers are not shown yet
    min_group: int

    def of_round(self, round: str) -> list[Response]:
        return [r for r in self.responses if r.round == round]


def published(store: Store, workshop: Workshop, workbook: str | None = None, round: str | None = None) -> Shown:
    """Publish what is due, then return the published answers (every round, or one)."""
    from .registry import spec_for

    workbook = workbook or workshop.workbook
    withdraw = spec_for(workbook).withdraw
    store.publish_due(workshop.id, workbook, workshop.min_group)
    rounds = [round] if round is not None else store.rounds(workshop.id, workbook)
    responses: list[Response] = []
    waiting = 0
    for name in rounds:
        publication = store.publication(workshop.id, workbook, name)
        if withdraw is None:
            responses.extend(publication.responses)
        else:  # what people took back since the last step leaves every view at once
            live = {r.participant_uid: r for r in store.responses(workshop.id, workbook, name)}
            responses.extend(withdraw(r, live.get(r.participant_uid)) for r in publication.responses)
        if name == workshop.current_round:
            waiting = publication.waiting
    if workshop.current_round not in rounds:
        waiting = store.publication(workshop.id, workbook, workshop.current_round).waiting
    return Shown(tuple(responses), waiting, workshop.min_group)


def shared(store: Store, workshop: Workshop, pack: Any = None) -> list[Response]:
    """What may leave the server about ``workshop``: published answers, after the
    workbook's sharing rule. Every facilitator download and CLI export uses this."""
    from .registry import spec_for

    spec = spec_for(workshop.workbook)
    pack = pack if pack is not None else spec.load_pack()
    return spec.share(pack, workshop, list(published(store, workshop).responses))


def export_document(store: Store, workshop: Workshop, pack: Any = None) -> dict[str, Any]:
    """The re-importable JSON document of what may be shared (in-app download and CLI alike)."""
    from .exchange import responses_document

    return responses_document(workshop.workbook, shared(store, workshop, pack), workshop)


def export_table(store: Store, workshop: Workshop, pack: Any = None) -> tuple[list[dict[str, Any]], list[str]]:
    """The tidy rows and columns of what may be shared (in-app CSV and CLI CSV alike)."""
    from .registry import spec_for

    spec = spec_for(workshop.workbook)
    pack = pack if pack is not None else spec.load_pack()
    return spec.tidy(pack, workshop, shared(store, workshop, pack))


def waiting_html(shown: Shown, ui: UiText) -> str:
    """Answers held back by rule 1, as a live-region paragraph for a facilitator ('' when none wait)."""
    from .text import esc

    if shown.waiting <= 0:
        return ""
    message = ui("waiting_one" if shown.waiting == 1 else "waiting_many", count=shown.waiting, k=shown.min_group)
    return f'<p class="rw-waiting-count" role="status" style="color:#1f3a5f">{esc(message)}</p>'


def without_small_group_labels(responses: Iterable[Response], k: int) -> list[Response]:
    """Per-person rows, each keeping its group label only when that group has at least ``k`` people in that
    round: a smaller group's label would say whose answers the row holds. Names stay only for people who typed one.
    """
    responses = list(responses)
    sizes = Counter((r.round, r.group_label) for r in responses)
    return [r if not r.group_label or sizes[(r.round, r.group_label)] >= k else replace(r, group_label="")
            for r in responses]
