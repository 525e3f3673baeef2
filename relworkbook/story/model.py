"""Story weaving's logic: timelines, checking moments, consent, sorting, weaving.

Pure Python on purpose (no pandas, no ipywidgets): every participant's kernel
imports it, and a 25-person workshop runs 25 kernels.

Privacy rules, all applied here so that screens and exports cannot differ:

* A moment's consent decides who may read it. "private" moments never leave
  the participant's own story and download (they are stored sealed, see
  :mod:`.sealed`); "anonymous" ones are shared with neither the teller's name
  nor their group (a small group would give the teller away), even when the
  same person named another moment; "named" ones carry the name and group the
  participant gave when joining (no name given: shown as anonymous). An
  unknown consent counts as private.
* Shared moments are listed named ones first, in the order told, then the
  anonymous ones in an order of their own (a hash of the moment's id), so a
  list never puts an anonymous moment next to the same teller's named one.
* A moment the facilitator hid (moderation) is left out of everything pooled.
* A pooled number resting on fewer than ``min_group`` *people* is hidden
  (``None``), as in the heatmap; its count is still shown. Moments carry an
  opaque key of their teller for this count, which no view or file shows.
* Dark and Light results by group hide a statement in every group wherever
  one group's is hidden (:func:`suppress_sort_complements`), as the
  heatmap's ``suppress_complements`` does.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence, TypeGuard

from ..errors import FriendlyError
from ..text import clean_text
from .pack import CHOICES, CONSENTS, Phase, Scale, StoryPack, load_story_pack
from .spec import WORKBOOK  # noqa: F401 - re-exported: one name, defined with the registration

if TYPE_CHECKING:  # pragma: no cover - types only
    from ..store import Response


MAX_TITLE_CHARS = 80
#: "About 2,000 characters": a page of handwriting, enough for one moment.
MAX_STORY_CHARS = 2000
MAX_SPIRIT_CHARS = 500
#: A timeline longer than this stops being a timeline and becomes a list.
MAX_PHASES = 12
MAX_PHASE_NAME_CHARS = 60
MAX_PHASE_DESCRIPTION_CHARS = 300
#: Far above what one person tells in a workshop; stops a runaway import.
MAX_MOMENTS = 50
MAX_ID_CHARS = 64

DIRECTIONS = ("towards", "away")
DEFAULT_CONSENT = "anonymous"
SHARED_CONSENTS = ("anonymous", "named")

#: One participant's answers, as stored in a Response:
#: ``{"moments": [moment, ...], "sort": {statement_id: choice}}``.
Payload = Mapping[str, Any]
#: What pooling needs of a response: (display name, group label, payload), and
#: optionally an opaque key of the teller (see :func:`response_entries`);
#: without one, each entry counts as a person of its own.
Entry = tuple[str, str, Payload] | tuple[str, str, Payload, str]
#: Participant ids of a response file's anonymous parts begin with this (see
#: :mod:`.sharing`): such a part may be the same person as any named part.
ANONYMOUS_PART = "anon-"


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _safe_id(value: object) -> TypeGuard[str]:
    # The same rule as a pack's ids: letters (any script), digits, '-' and '_'.
    return (
        isinstance(value, str)
        and 0 < len(value) <= MAX_ID_CHARS
        and all(ch.isalnum() or ch in "-_" for ch in value)
    )


# -- timelines -------------------------------------------------------------------


def timeline(pack: StoryPack, split: bool = False) -> tuple[Phase, ...]:
    """The pack's phases in order; ``split`` shows a phase's parts instead of it."""
    phases: list[Phase] = []
    for phase in pack.phases:
        if split and phase.parts:
            phases.extend(phase.parts)
        else:
            phases.append(phase.as_phase())
    return tuple(phases)


def phase_slug(name: str, taken: set[str]) -> str:
    """An id for a typed phase name, unique among ``taken`` (which it joins)."""
    chars = [ch if ch.isalnum() else "-" for ch in unicodedata.normalize("NFC", name.lower())]
    base = re.sub("-+", "-", "".join(chars)).strip("-")[:40].strip("-") or "phase"
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    taken.add(slug)
    return slug


# "- Name", "* Name", "• Name", "1. Name", "2) Name": a pasted list works as typed.
_BULLET = re.compile(r"^\s*(?:[-*\u2022]|\d{1,2}[.)])\s+")


def _refusal(pack: StoryPack, key: str, **values: Any) -> FriendlyError:
    """A refusal in the story pack's own words (its ``screen: err_...`` keys)."""
    return FriendlyError(pack.screen(key, **values))


def _timeline_line(pack: StoryPack, number: int, line: str) -> tuple[str, str]:
    name, _, description = _BULLET.sub("", line, count=1).partition(":")
    if not name.strip():
        raise _refusal(pack, "err_line_no_name", number=number)
    try:
        name = clean_text(name, max_chars=MAX_PHASE_NAME_CHARS, what=pack.screen("what_phase_name"), required=True)
        description = clean_text(description, max_chars=MAX_PHASE_DESCRIPTION_CHARS,
                                 what=pack.screen("what_description"))
    except FriendlyError as exc:
        raise _refusal(pack, "err_line", number=number, problem=exc.message) from None
    return name, description


def parse_custom_timeline(text: str, current: Sequence[Phase] = (), pack: StoryPack | None = None
                          ) -> tuple[Phase, ...]:
    """A workshop's own phases from lines like ``Name: description``.

    A phase whose name matches one in ``current`` keeps that phase's id, so
    editing a description (or reordering) never orphans the moments already
    placed in it. New names get an id made from the name. ``pack`` words the
    refusals; without one, the pack in force for this process does.
    """
    pack = pack or load_story_pack()
    if not isinstance(text, str):
        raise _refusal(pack, "err_timeline_not_text")
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1) if line.strip()]
    if not lines:
        raise _refusal(pack, "err_timeline_empty")
    if len(lines) > MAX_PHASES:
        raise _refusal(pack, "err_timeline_too_long", count=len(lines), limit=MAX_PHASES)
    parsed: list[tuple[str, str]] = []
    first_line: dict[str, int] = {}
    for number, line in lines:
        name, description = _timeline_line(pack, number, line)
        key = name.casefold()
        if key in first_line:
            raise _refusal(pack, "err_phase_twice", name=name, first=first_line[key], number=number)
        first_line[key] = number
        parsed.append((name, description))
    known = {p.name.casefold(): p.id for p in current}
    taken = {known[name.casefold()] for name, _ in parsed if name.casefold() in known}
    return tuple(
        Phase(known.get(name.casefold()) or phase_slug(name, taken), name, description)
        for name, description in parsed
    )


def timeline_text(phases: Sequence[Phase]) -> str:
    """The phases as ``Name: description`` lines: what the facilitator edits."""
    return "\n".join(f"{p.name}: {p.description}" if p.description else p.name for p in phases)


_BROKEN_TIMELINE = "err_timeline_broken"


def _phase_from_settings(pack: StoryPack, entry: object, seen: set[str]) -> Phase:
    if not isinstance(entry, Mapping) or not _safe_id(entry.get("id")) or entry["id"] in seen:
        raise _refusal(pack, _BROKEN_TIMELINE)
    seen.add(entry["id"])
    try:
        name = clean_text(entry.get("name"), max_chars=MAX_PHASE_NAME_CHARS, what=pack.screen("what_phase_name"),
                          required=True)
        description = clean_text(entry.get("description"), max_chars=MAX_PHASE_DESCRIPTION_CHARS,
                                 what=pack.screen("what_description"))
    except FriendlyError:
        raise _refusal(pack, _BROKEN_TIMELINE) from None
    return Phase(entry["id"], name, description)


def timeline_from_settings(pack: StoryPack, settings: Mapping[str, Any] | None) -> tuple[Phase, ...]:
    """The timeline in force for a workshop: its own phases, else the pack's (split or not)."""
    settings = settings or {}
    custom = settings.get("phases")
    if not custom:
        return timeline(pack, split=bool(settings.get("split_out_turn")))
    if not isinstance(custom, list) or len(custom) > MAX_PHASES:
        raise _refusal(pack, _BROKEN_TIMELINE)
    seen: set[str] = set()
    return tuple(_phase_from_settings(pack, entry, seen) for entry in custom)


def timeline_to_settings(phases: Sequence[Phase]) -> dict[str, Any]:
    """The settings that give a workshop these phases (merge into ``Workshop.settings``)."""
    return {"phases": [{"id": p.id, "name": p.name, "description": p.description} for p in phases]}


def pack_timeline_settings(split: bool = False) -> dict[str, Any]:
    """The settings that go back to the pack's timeline, with the Out Turn split or whole."""
    return {"phases": None, "split_out_turn": bool(split)}


# -- checking a moment -------------------------------------------------------------


def new_moment_id() -> str:
    return uuid.uuid4().hex


def _check_id(pack: StoryPack, value: object) -> str:
    if value is None or value == "":
        return new_moment_id()
    if not _safe_id(value):
        raise _refusal(pack, "err_moment_id")
    return value


def _check_phase(pack: StoryPack, phases: Sequence[Phase] | None, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _refusal(pack, "err_phase_missing")
    value = value.strip()
    if phases is None:  # a file being imported: the workshop's timeline is checked later, on screen
        if not _safe_id(value):
            raise _refusal(pack, "err_phase_bad")
        return value
    if value not in {p.id for p in phases}:
        raise _refusal(pack, "err_phase_gone", phase=_short(value))
    return value


def _check_feeling(pack: StoryPack, scale: Scale, value: object) -> int | None:
    if value is None:
        return None  # not every moment has to be rated
    if (
        not isinstance(value, (int, float)) or isinstance(value, bool) or value != int(value)
        or not scale.min <= int(value) <= scale.max
    ):
        raise _refusal(pack, "err_feeling", min=scale.min, min_word=scale.label(scale.min), max=scale.max,
                       max_word=scale.label(scale.max))
    return int(value)


def _check_who(pack: StoryPack, value: object) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise _refusal(pack, "err_who_shape")
    known = [t.id for t in pack.who]
    for tag in value:
        if tag not in known:
            if isinstance(tag, str):
                raise _refusal(pack, "err_who_unknown", tag=_short(tag))
            raise _refusal(pack, "err_who_not_listed")
    return [t for t in known if t in value]  # the pack's order, each once


def _check_shifts(pack: StoryPack, value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise _refusal(pack, "err_shifts_shape")
    known = [u.id for u in pack.undercurrents]
    for key, direction in value.items():
        if key not in known:
            raise _refusal(pack, "err_shift_unknown")
        if direction not in (*DIRECTIONS, None, ""):
            # The values a file must hold: data, not words, so they are named as they are.
            raise _refusal(pack, "err_shift_direction", towards=DIRECTIONS[0], away=DIRECTIONS[1])
    return {u: value[u] for u in known if value.get(u) in DIRECTIONS}


def _check_consent(pack: StoryPack, value: object) -> str:
    if value is None or value == "":
        return DEFAULT_CONSENT
    if value not in CONSENTS:
        raise _refusal(pack, "err_consent")
    return value


def check_moment(pack: StoryPack, phases: Sequence[Phase] | None, data: Mapping[str, Any]) -> dict[str, Any]:
    """Return a clean moment, or raise a FriendlyError saying what to change.

    ``phases`` is the workshop's timeline; ``None`` accepts any well-formed
    phase id (for files whose workshop is not known yet). Keys other than the
    moment's own are dropped.
    """
    if not isinstance(data, Mapping):
        raise _refusal(pack, "err_moment_shape")
    return {
        "id": _check_id(pack, data.get("id")),
        "phase": _check_phase(pack, phases, data.get("phase")),
        "title": clean_text(data.get("title"), max_chars=MAX_TITLE_CHARS, what=pack.screen("what_title"),
                            required=True),
        "story": clean_text(data.get("story"), max_chars=MAX_STORY_CHARS, what=pack.screen("what_story"),
                            required=True),
        "feeling": _check_feeling(pack, pack.feeling, data.get("feeling")),
        "who": _check_who(pack, data.get("who")),
        "shifts": _check_shifts(pack, data.get("shifts")),
        "spirit": clean_text(data.get("spirit"), max_chars=MAX_SPIRIT_CHARS, what=pack.screen("what_spirit")),
        "consent": _check_consent(pack, data.get("consent")),
    }


def check_sort(pack: StoryPack, sort: object) -> dict[str, str]:
    """Clean Dark and Light choices: statement id -> one of CHOICES (unsorted ones left out)."""
    if sort is None:
        return {}
    if not isinstance(sort, Mapping):
        raise _refusal(pack, "err_sort_shape")
    known = [s.id for s in pack.statements]
    for sid, choice in sort.items():
        if sid not in known:
            raise _refusal(pack, "err_sort_unknown")
        if choice not in (*CHOICES, None):
            raise _refusal(pack, "err_sort_choice", choices=", ".join(label for _, label in pack.choices))
    return {sid: sort[sid] for sid in known if sort.get(sid) in CHOICES}


def _moment_name(pack: StoryPack, number: int, raw: object) -> str:
    title = raw.get("title") if isinstance(raw, Mapping) else None
    if isinstance(title, str) and title.strip():
        return pack.screen("err_moment_named", number=number, title=_short(title.strip()))
    return pack.screen("err_moment_number", number=number)


def check_payload(pack: StoryPack, payload: object, phases: Sequence[Phase] | None = None) -> dict[str, Any]:
    """Check one participant's whole answer (moments and sorting), e.g. from an uploaded file."""
    if not isinstance(payload, Mapping):
        raise _refusal(pack, "err_shape")
    raw_moments = payload.get("moments") or []
    if not isinstance(raw_moments, list):
        raise _refusal(pack, "err_moments_shape")
    if len(raw_moments) > MAX_MOMENTS:
        raise _refusal(pack, "err_moments_limit", count=len(raw_moments), limit=MAX_MOMENTS)
    moments, ids = [], set()
    for number, raw in enumerate(raw_moments, start=1):
        try:
            moment = check_moment(pack, phases, raw)
        except FriendlyError as exc:
            raise _refusal(pack, "err_in_moment", moment=_moment_name(pack, number, raw), problem=exc.message) from None
        if moment["id"] in ids:
            raise _refusal(pack, "err_moment_same_id", moment=_moment_name(pack, number, raw))
        ids.add(moment["id"])
        moments.append(moment)
    return {"moments": moments, "sort": check_sort(pack, payload.get("sort"))}


def check_import(pack: StoryPack, payload: object, phases: Sequence[Phase] | None = None) -> dict[str, Any]:
    """:func:`check_payload` for a facilitator's import: private moments are checked, then dropped.

    A participant's own file keeps their private moments (it is theirs); the
    workshop never needs them, so they are not stored from a file.
    """
    return without_private(check_payload(pack, payload, phases))


def without_private(payload: Payload) -> dict[str, Any]:
    """The payload with its private moments removed: what may leave the participant's hands.

    Only ``moments`` and ``sort`` are kept: anything else a stored payload
    holds (the sealed private moments among them) stays behind too.
    """
    moments = payload.get("moments") or []
    kept = [m for m in moments if isinstance(m, Mapping) and consent_of(m) in SHARED_CONSENTS]
    sort = payload.get("sort")
    return {"moments": kept, "sort": dict(sort) if isinstance(sort, Mapping) else {}}


def private_count(payload: Payload) -> int:
    """How many private moments a payload holds in plain (e.g. a participant's own file)."""
    return sum(1 for m in _moments_of(payload) if consent_of(m) not in SHARED_CONSENTS)


# -- consent: what may be shared ---------------------------------------------------


@dataclass(frozen=True)
class SharedMoment:
    """A moment as others may see it.

    ``name`` and ``group`` are empty unless the teller chose to be named.
    ``teller`` is an opaque key of the person who told it, only for counting
    people (k); no view or file shows it.
    """

    id: str
    phase: str
    title: str
    story: str
    feeling: int | None
    who: tuple[str, ...]
    shifts: tuple[tuple[str, str], ...]  # (undercurrent id, "towards" | "away")
    spirit: str
    name: str
    group: str
    consent: str = DEFAULT_CONSENT
    teller: str = field(default="", repr=False)

    @property
    def anonymous(self) -> bool:
        return not self.name

    def shift(self, undercurrent_id: str) -> str | None:
        return dict(self.shifts).get(undercurrent_id)


def consent_of(moment: Mapping[str, Any]) -> str:
    """A stored moment's consent; an unknown one reads as private, the safe reading."""
    consent = moment.get("consent", DEFAULT_CONSENT)
    return consent if consent in CONSENTS else "private"


def _feeling_of(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _as_moment(moment: Mapping[str, Any], name: str, group: str, teller: str = "") -> SharedMoment:
    consent = consent_of(moment)
    who = moment.get("who") or []
    shifts = moment.get("shifts") or {}
    named = consent == "named"
    return SharedMoment(
        id=str(moment.get("id") or ""),
        phase=str(moment.get("phase") or ""),
        title=str(moment.get("title") or ""),
        story=str(moment.get("story") or ""),
        feeling=_feeling_of(moment.get("feeling")),
        who=tuple(str(t) for t in who) if isinstance(who, (list, tuple)) else (),
        shifts=tuple((str(k), v) for k, v in shifts.items() if v in DIRECTIONS) if isinstance(shifts, Mapping)
        else (),
        spirit=str(moment.get("spirit") or ""),
        name=name.strip() if named else "",
        group=(group or "") if named else "",  # an unnamed moment's group could name a small group's teller
        consent=consent,
        teller=teller,
    )


def _moments_of(payload: object) -> list[Mapping[str, Any]]:
    moments = payload.get("moments") if isinstance(payload, Mapping) else None
    return [m for m in moments if isinstance(m, Mapping)] if isinstance(moments, list) else []


def teller_key(participant_uid: str) -> str:
    """An opaque key of a response's teller, for counting people, never for showing.

    A response file's anonymous part (participant id ``anon-...``) keeps a
    mark: it may be the same person as any named part, which
    :func:`people_count` allows for.
    """
    digest = hashlib.sha256(f"teller:{participant_uid}".encode("utf-8")).hexdigest()[:16]
    return ("anon:" if str(participant_uid).startswith(ANONYMOUS_PART) else "") + digest


def response_entries(responses: Iterable["Response"]) -> list[tuple[str, str, Payload, str]]:
    """Pooling's view of stored responses: name, group, payload and the teller's opaque key."""
    return [(r.display_name, r.group_label, r.payload, teller_key(r.participant_uid)) for r in responses]


def people_count(tellers: Iterable[str]) -> int:
    """How many different people told these moments, at the least.

    An anonymous part of a response file may be anyone among the named parts,
    so with R ordinary tellers and A anonymous parts there are at least
    max(R, A) people: counting R + A could let one person pass for two.
    """
    tellers = set(tellers)
    parts = {t for t in tellers if t.startswith("anon:")}
    return max(len(tellers - parts), len(parts))


def _anonymous_order(moment: SharedMoment) -> str:
    # A hash of the id: stable, and unrelated to who told it or when.
    return hashlib.sha256(moment.id.encode("utf-8")).hexdigest()


def shared_moments(entries: Iterable[Entry], hidden: Iterable[str] = ()) -> list[SharedMoment]:
    """Every moment others may read; private and hidden ones never appear.

    Named moments come first, in the order given; anonymous ones follow in
    an order of their own, so no list, card row or file puts an anonymous
    moment beside its teller's named one. An entry without a teller key
    counts as a person of its own. A moment id seen twice (a facilitator's
    file imported back into its own workshop brings its anonymous parts in
    again) counts once.
    """
    hidden = set(hidden)
    named: list[SharedMoment] = []
    anonymous: list[SharedMoment] = []
    seen: set[str] = set()
    for number, entry in enumerate(entries):
        display_name, group_label, payload = entry[0], entry[1], entry[2]
        teller = entry[3] if len(entry) > 3 else f"entry-{number}"
        for moment in _moments_of(payload):
            moment_id = str(moment.get("id") or "")
            if consent_of(moment) in SHARED_CONSENTS and moment_id not in hidden and moment_id not in seen:
                seen.add(moment_id)
                shared = _as_moment(moment, display_name or "", group_label or "", teller)
                (named if shared.consent == "named" else anonymous).append(shared)
    return named + sorted(anonymous, key=_anonymous_order)


def own_moments(payload: Payload, display_name: str = "", group_label: str = "") -> list[SharedMoment]:
    """A participant's own moments, private ones included: for their own story and download only."""
    return [_as_moment(m, display_name or "", group_label or "", "own") for m in _moments_of(payload)]


# -- the Dark and the Light --------------------------------------------------------


@dataclass(frozen=True)
class SortResult:
    """How the group sorted one statement. Hidden: counts, leading and agreement are None."""

    id: str
    text: str
    people: int  # people who sorted this statement
    counts: dict[str, int] | None  # choice -> people, every choice present
    leading: str | None  # the most chosen; None when hidden or when two tie for first
    agreement: float | None  # the leading share, 0..1
    split: bool  # the group is divided over it

    @property
    def hidden(self) -> bool:
        return self.counts is None and self.people > 0


#: Divided: no choice has a majority, or dark and light each hold a good share.
SPLIT_MAJORITY = 0.5
SPLIT_BOTH_SIDES = 0.3


def _sort_result(statement_id: str, text: str, choices: list[str], min_group: int) -> SortResult:
    people = len(choices)
    if people == 0 or people < min_group:
        return SortResult(statement_id, text, people, None, None, None, False)
    counts = {choice: choices.count(choice) for choice in CHOICES}
    top = max(counts.values())
    leaders = [c for c in CHOICES if counts[c] == top]
    share = {c: counts[c] / people for c in CHOICES}
    split = top / people <= SPLIT_MAJORITY or (
        share["dark"] >= SPLIT_BOTH_SIDES and share["light"] >= SPLIT_BOTH_SIDES
    )
    leading = leaders[0] if len(leaders) == 1 else None
    return SortResult(statement_id, text, people, counts, leading, round(top / people, 2), split)


def sort_results(sorts: Iterable[Mapping[str, Any]], pack: StoryPack, min_group: int) -> list[SortResult]:
    """Pool everyone's Dark and Light choices, statement by statement, in the pack's order."""
    chosen: dict[str, list[str]] = {s.id: [] for s in pack.statements}
    for sort in sorts:
        if not isinstance(sort, Mapping):
            continue
        for sid, choice in sort.items():
            if sid in chosen and choice in CHOICES:
                chosen[sid].append(choice)
    return [_sort_result(s.id, s.text, chosen[s.id], min_group) for s in pack.statements]


def sort_results_by_group(
    rows: Iterable[tuple[str, Mapping[str, Any]]], pack: StoryPack, min_group: int
) -> dict[str, list[SortResult]]:
    """Dark and Light results per group label (``""``: those who gave none), k applied per
    statement per group, then :func:`suppress_sort_complements`.

    ``rows`` are (group label, sort). People with no group form a group of
    their own here: leaving them out would let "everyone" minus the named
    groups give them away.
    """
    buckets: dict[str, list[Mapping[str, Any]]] = {}
    for label, sort in rows:
        buckets.setdefault(label or "", []).append(sort)
    return suppress_sort_complements({label: sort_results(sorts, pack, min_group)
                                      for label, sorts in buckets.items()})


def suppress_sort_complements(groups: dict[str, list[SortResult]]) -> dict[str, list[SortResult]]:
    """Hide a statement in every group wherever one group's result for it is hidden.

    Otherwise a hidden group could be worked out by subtraction: with 3 staff
    and 1 manager, "everyone" minus "staff" gives the manager's own choice.
    The heatmap does the same (``heatmap.model.suppress_complements``).
    """
    if len(groups) < 2:
        return groups
    hidden = {r.id for results in groups.values() for r in results if r.hidden}
    return {
        label: [SortResult(r.id, r.text, r.people, None, None, None, False) if r.id in hidden and r.people > 0
                else r for r in results]
        for label, results in groups.items()
    }


def most_divided(results: Sequence[SortResult], n: int = 3) -> list[SortResult]:
    """The split statements with the least agreement: good openers for a conversation."""
    split = [r for r in results if r.split and r.agreement is not None]
    return sorted(split, key=lambda r: (r.agreement, -r.people, r.id))[:n]


# -- weaving: what the shared moments say together ------------------------------------


@dataclass(frozen=True)
class PhaseFeeling:
    """One point of the feeling curve."""

    phase: Phase
    count: int  # shared moments placed in this phase
    rated: int  # of which said how it felt
    mean: float | None  # None when fewer than min_group people said how it felt
    people: int = 0  # different people among the rated moments (at the least; see people_count)

    @property
    def hidden(self) -> bool:
        return self.mean is None and self.rated > 0


@dataclass(frozen=True)
class ShiftCount:
    phase: str  # phase id
    undercurrent: str  # undercurrent id
    towards: int
    away: int


@dataclass(frozen=True)
class WhoCount:
    phase: str  # phase id
    tag: str  # who-mattered id
    count: int


def moments_by_phase(moments: Iterable[SharedMoment], phases: Sequence[Phase]) -> dict[str, list[SharedMoment]]:
    """Phase id -> its moments, in timeline order; moments off the timeline are left out."""
    placed: dict[str, list[SharedMoment]] = {p.id: [] for p in phases}
    for m in moments:
        if m.phase in placed:
            placed[m.phase].append(m)
    return placed


def outside_timeline(moments: Iterable[SharedMoment], phases: Sequence[Phase]) -> list[SharedMoment]:
    """Moments whose phase is no longer on the timeline (the facilitator changed it)."""
    ids = {p.id for p in phases}
    return [m for m in moments if m.phase not in ids]


def feeling_curve(moments: Iterable[SharedMoment], phases: Sequence[Phase], min_group: int) -> list[PhaseFeeling]:
    """Per phase: shared moments, how many said how they felt, and the average feeling.

    k counts people, not moments: one person with three moments in a phase
    is one, so their moments alone never make a phase's average appear. Each
    person also counts once in the average (their own average first), as in
    the heatmap's categories, so a prolific teller does not outweigh the rest.
    """
    placed = moments_by_phase(moments, phases)
    curve = []
    for phase in phases:
        rated = [(m.teller, m.feeling) for m in placed[phase.id] if m.feeling is not None]
        by_teller: dict[str, list[int]] = {}
        for teller, feeling in rated:
            by_teller.setdefault(teller, []).append(feeling)
        people = people_count(by_teller)
        mean = None
        if rated and people >= min_group:
            averages = [sum(f) / len(f) for f in by_teller.values()]
            mean = round(sum(averages) / len(averages), 2)
        curve.append(PhaseFeeling(phase, len(placed[phase.id]), len(rated), mean, people))
    return curve


def _first_seen(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def shift_counts(
    moments: Iterable[SharedMoment], phases: Sequence[Phase], undercurrent_ids: Sequence[str] = ()
) -> list[ShiftCount]:
    """Per phase, per undercurrent: moments that moved towards it and away from it.

    Pass the pack's undercurrent ids to get every row (zeros included) in the
    pack's order; otherwise only undercurrents someone noticed appear.
    """
    placed = moments_by_phase(moments, phases)
    ids = list(undercurrent_ids) or _first_seen(u for ms in placed.values() for m in ms for u, _ in m.shifts)
    rows = []
    for phase_id, ms in placed.items():
        for u in ids:
            directions = [m.shift(u) for m in ms]
            rows.append(ShiftCount(phase_id, u, directions.count("towards"), directions.count("away")))
    return rows


def who_counts(moments: Iterable[SharedMoment], phases: Sequence[Phase], tag_ids: Sequence[str] = ()) -> list[WhoCount]:
    """Per phase, per who-mattered tag: how many moments named them (pack order if ``tag_ids`` given)."""
    placed = moments_by_phase(moments, phases)
    ids = list(tag_ids) or _first_seen(t for ms in placed.values() for m in ms for t in m.who)
    return [
        WhoCount(phase_id, tag, sum(tag in m.who for m in ms))
        for phase_id, ms in placed.items()
        for tag in ids
    ]


_APOSTROPHES = "'\u2019"
MIN_WORD_LETTERS = 3


def _words(text: str) -> Iterable[str]:
    """Words of any script: letters and their accents, apostrophes inside a word.

    Digits and punctuation end a word. Scripts written without spaces (e.g.
    Chinese) come out as long runs: counting them needs a segmenter, which the
    kit does not download.
    """
    word: list[str] = []
    for ch in unicodedata.normalize("NFC", text.lower()) + " ":
        if unicodedata.category(ch)[0] in "LM" or (ch in _APOSTROPHES and word):
            word.append("'" if ch in _APOSTROPHES else ch)
            continue
        if word:
            token = "".join(word).strip("'")
            yield token[:-2] if token.endswith("'s") else token  # "the street's" counts as "street"
            word = []


def word_counts(texts: Iterable[str], stop_words: Iterable[str], top: int = 20) -> list[tuple[str, int]]:
    """The words used most, most first (ties alphabetical), without stop words or short words."""
    stop = {w.lower().replace("\u2019", "'") for w in stop_words}
    counts: Counter[str] = Counter()
    for text in texts:
        for word in _words(text or ""):
            letters = sum(unicodedata.category(ch)[0] == "L" for ch in word)
            if letters >= MIN_WORD_LETTERS and word not in stop:
                counts[word] += 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:top]


def carry_forward(moments: Iterable[SharedMoment]) -> list[str]:
    """The spirits people want to bottle, in order: the truths to carry forward."""
    return [m.spirit.strip() for m in moments if m.spirit and m.spirit.strip()]


def by_group(moments: Iterable[SharedMoment], group: str | None) -> list[SharedMoment]:
    """The moments of one group (named ones only: anonymous ones have no group); ``None`` keeps everyone's."""
    return list(moments) if group is None else [m for m in moments if m.group == group]


def groups(moments: Iterable[SharedMoment]) -> list[str]:
    """The group labels of the named moments, sorted, for a filter's choices.

    Anonymous moments carry no group, so they belong to none of these.
    """
    return sorted({m.group for m in moments if m.group})


def pinned(moments: Iterable[SharedMoment], pinned_ids: Iterable[str]) -> list[SharedMoment]:
    """The moments the facilitator pinned for the storybook, in their given order."""
    ids = set(pinned_ids)
    return [m for m in moments if m.id in ids]
