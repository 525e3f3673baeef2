"""Persona mapping's rules: checking answers, a person's profile, the group's mix, the follow-up and plans.

Pure Python on purpose: a participant's kernel uses it too, so it imports no
widgets, no pandas and no Altair.

A **profile** is five scores from 0 to 100, one per persona: the mean of that
persona's answered statements, each placed on the scale (1 = 0, 5 = 100 on
the built-in 1 to 5 scale). "Don't know" counts as no answer. One persona is
named alone only when it leads the next by the pack's ``clear_lead`` points or
more; otherwise the result is a blend of the top two.

Privacy rule for the group: an average resting on fewer than k people is
hidden (``None``), and so is every count of people below k (0 included:
"fewer than k" is all a screen says). Counts that add up to a known total
(people leading with each persona plus people with a blend add up to everyone
with a profile; people at risk plus the rest add up to everyone who answered
both rounds) also hide the next smallest count until the hidden ones together
hold 0 or at least k people, so no hidden count can be worked out by
subtraction (:func:`suppress_counts`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, Sequence, TypeGuard

from ..errors import FriendlyError
from ..sharing import without_small_group_labels
from ..text import clean_text
from .pack import ABOUT, RISKS, Pathway, PersonaPack
from .spec import WORKBOOK  # noqa: F401 - re-exported: one name, defined with the registration

if TYPE_CHECKING:  # pragma: no cover - types only
    from ..store import Note, Response, Workshop

#: The store's note kind for a support plan.
PLAN_KIND = "plan"
PLAN_OFFER_CHARS, PLAN_WHO_CHARS, PLAN_WHEN_CHARS = 300, 80, 40

#: One person's ratings or check-in: id -> a point on the scale, or None for "don't know".
Ratings = Mapping[str, "int | None"]


# -- checking answers -------------------------------------------------------------


def _check_values(pack: PersonaPack, values: object, known: set[str], unknown_key: str) -> dict[str, int | None]:
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise FriendlyError(pack.screen("err_shape"))
    scale = pack.scale
    clean: dict[str, int | None] = {}
    for key, value in values.items():
        if key not in known:
            raise FriendlyError(pack.screen(unknown_key))
        if value is None:
            clean[key] = None
            continue
        # True is 1 in Python, and 4.0 is a 4 a spreadsheet may have written; 4.5 is neither.
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) \
                or not scale.min <= int(value) <= scale.max:
            raise FriendlyError(pack.screen("err_value", min=scale.min, max=scale.max, dont_know=scale.dont_know))
        clean[key] = int(value)
    return clean


def check_payload(pack: PersonaPack, answers: object) -> dict[str, Any]:
    """One person's answers, clean: ``{"about", "ratings", "checkin"}``; or a FriendlyError saying what is wrong.

    A missing ``about`` means the person answered for themselves; missing
    ratings or check-in mean none were given. Keys the workbook does not know
    are left out.
    """
    if not isinstance(answers, Mapping):
        raise FriendlyError(pack.screen("err_shape"))
    about = answers.get("about", "self")
    if about not in ABOUT:
        raise FriendlyError(pack.screen("err_about"))
    return {
        "about": about,
        "ratings": _check_values(pack, answers.get("ratings"), {i.id for i in pack.items}, "err_item"),
        "checkin": _check_values(pack, answers.get("checkin"), {c.id for c in pack.checkin}, "err_checkin_item"),
    }


def payload_check(pack: PersonaPack) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """The check for one uploaded or imported answer (the registry's ``payload_check``)."""

    def check(answers: Mapping[str, Any]) -> dict[str, Any]:
        return check_payload(pack, answers)

    return check


def unanswered(pack: PersonaPack, ratings: Mapping[str, object]) -> list[str]:
    """Statement ids with no answer at all (neither a rating nor "don't know")."""
    return [i.id for i in pack.items if i.id not in ratings]


def _ratings(payload: Mapping[str, Any], key: str = "ratings") -> Ratings:
    values = payload.get(key) if isinstance(payload, Mapping) else None
    return values if isinstance(values, Mapping) else {}


def _is_point(value: object) -> TypeGuard[int]:
    """A rating given (not "don't know"); True is a number to Python, never an answer here."""
    return isinstance(value, int) and not isinstance(value, bool)


def about_of(payload: Mapping[str, Any]) -> str:
    about = payload.get("about") if isinstance(payload, Mapping) else None
    return about if about in ABOUT else "self"


# -- one person's profile -----------------------------------------------------------


@dataclass(frozen=True)
class PersonaScore:
    persona: str  # the persona's id
    name: str
    score: float | None  # 0 to 100, one decimal; None: nothing answered, or hidden in a group's mix
    answered: int  # a person: statements rated; a group: people with a score for this persona


@dataclass(frozen=True)
class Profile:
    """Every persona's score, highest first; those without a score last, in the pack's order."""

    scores: tuple[PersonaScore, ...]

    def __iter__(self) -> Iterator[PersonaScore]:
        return iter(self.scores)

    @property
    def shown(self) -> tuple[PersonaScore, ...]:
        return tuple(s for s in self.scores if s.score is not None)

    @property
    def hidden(self) -> tuple[PersonaScore, ...]:
        return tuple(s for s in self.scores if s.score is None)

    def score(self, persona_id: str) -> PersonaScore:
        for s in self.scores:
            if s.persona == persona_id:
                return s
        raise KeyError(persona_id)


def _ranked(pack: PersonaPack, scores: Iterable[PersonaScore]) -> Profile:
    order = {p.id: n for n, p in enumerate(pack.personas)}
    # sorted() is stable, but the pack's order is spelled out so ties never depend on the input's.
    return Profile(tuple(sorted(scores, key=lambda s: (s.score is None, -(s.score or 0.0), order[s.persona]))))


def profile(pack: PersonaPack, ratings: Ratings) -> Profile:
    """A person's profile from their ratings (statement id -> point, or None for "don't know")."""
    scale = pack.scale
    scores = []
    for persona in pack.personas:
        values = [v for v in (ratings.get(i.id) for i in pack.items_for(persona.id)) if _is_point(v)]
        score = round(sum(scale.percent(v) for v in values) / len(values), 1) if values else None
        scores.append(PersonaScore(persona.id, persona.name, score, len(values)))
    return _ranked(pack, scores)


def lead(pack: PersonaPack, profile: Profile) -> str | None:
    """The persona that clearly leads (``clear_lead`` points or more ahead of the next), or None.

    Needs at least two scored personas: with one, there is nothing to lead.
    """
    shown = profile.shown
    if len(shown) < 2:
        return None
    top, second = shown[0], shown[1]
    assert top.score is not None and second.score is not None  # shown: both scored
    # Scores carry one decimal; rounding the gap keeps 85.0 - 70.0 from missing 15 by a float's hair.
    return top.persona if round(top.score - second.score, 6) >= pack.clear_lead else None


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def headline(pack: PersonaPack, profile: Profile) -> str:
    """One name when a persona clearly leads, else the blend of the top two (the pack's words)."""
    shown = profile.shown
    if not shown:
        return pack.screen("headline_none")
    top = pack.persona(shown[0].persona)
    if len(shown) == 1:
        return _sentence(pack.screen("headline_single", top=top.with_article))
    if lead(pack, profile) is not None:
        return _sentence(pack.screen("headline_lead", top=top.with_article))
    second = pack.persona(shown[1].persona)
    return _sentence(pack.screen("headline_blend", top=top.with_article, second=second.singular))


def strength(pack: PersonaPack, score: float | None) -> str:
    """A word for a score (faint, some, strong), so colour and length are never the only signal."""
    if score is None:
        return ""
    if score >= 60:
        return pack.scale.high_word
    if score <= 40:
        return pack.scale.low_word
    return pack.scale.middle_word


def _interleaved(pack: PersonaPack, persona_ids: Sequence[str], limit: int) -> list[Pathway]:
    """Each persona's best pathway in turn, then their second best, ...: no pathway twice."""
    lists = [pack.pathways_for(p) for p in persona_ids]
    chosen: list[Pathway] = []
    for rank in range(max((len(x) for x in lists), default=0)):
        for pathways in lists:
            if rank < len(pathways) and pathways[rank] not in chosen:
                chosen.append(pathways[rank])
    return chosen[:limit]


def suggested_pathways(pack: PersonaPack, profile: Profile, limit: int = 3) -> list[Pathway]:
    """Pathways for a person: the leading persona's, or, for a blend, the top two's taken in turn."""
    leader = lead(pack, profile)
    ids = [leader] if leader else [s.persona for s in profile.shown[:2]]
    return _interleaved(pack, ids, limit)


# -- the group's mix ------------------------------------------------------------------


def suppress_counts(counts: Mapping[str, int], k: int) -> dict[str, int | None]:
    """Counts of people that add up to a known total, each kept only if it cannot single anyone out.

    A count below k is hidden (None). Then, while the hidden counts together
    hold between 1 and k-1 people, the smallest count still shown is hidden
    too: otherwise the total minus the shown counts would give a hidden count
    away. With k = 3, leads of 4, 4 and 1 out of 9 would show "4, 4, hidden",
    and 9 - 8 = 1 tells the rest; so one 4 is hidden as well.
    """
    shown: dict[str, int | None] = {key: (value if value >= k else None) for key, value in counts.items()}
    while True:
        hidden_total = sum(counts[key] for key, value in shown.items() if value is None)
        if hidden_total == 0 or hidden_total >= k:
            return shown
        # The smallest shown count; of equals, the last one listed.
        candidates = [(value, -n, key) for n, (key, value) in enumerate(shown.items()) if value is not None]
        if not candidates:
            return shown
        shown[min(candidates)[2]] = None


@dataclass(frozen=True)
class Mix:
    """The group's mix: the average profile and who leads with what, k applied throughout."""

    respondents: int  # people with at least one rated statement
    min_group: int
    profile: Profile  # each persona's average over the people with a score for it; None when fewer than k
    leads: tuple[tuple[str, int | None], ...]  # persona id -> people clearly leading with it (None: hidden)
    blend: int | None  # people with no clear lead (None: hidden)
    present: tuple[str, ...]  # persona ids whose average is at least the pack's present_at, highest first
    thin: tuple[str, ...]  # persona ids shown with a lower average, highest first

    def lead_count(self, persona_id: str) -> int | None:
        return dict(self.leads)[persona_id]


def group_mix(pack: PersonaPack, payloads: Iterable[Mapping[str, Any]], k: int) -> Mix:
    """Pool many people's answers into the group's mix (people with no rating at all are left out)."""
    profiles = [p for p in (profile(pack, _ratings(payload)) for payload in payloads) if p.shown]
    averages = []
    for persona in pack.personas:
        values = [s.score for p in profiles for s in p.shown if s.persona == persona.id and s.score is not None]
        mean = round(sum(values) / len(values), 1) if values and len(values) >= k else None
        averages.append(PersonaScore(persona.id, persona.name, mean, len(values)))
    average = _ranked(pack, averages)
    counts = {p.id: 0 for p in pack.personas}
    blend = 0
    for person in profiles:
        leader = lead(pack, person)
        if leader is None:
            blend += 1
        else:
            counts[leader] += 1
    # Leads and blends add up to everyone with a profile: one partition, suppressed together.
    kept = suppress_counts({**counts, "": blend}, k)
    present = tuple(s.persona for s in average.shown if s.score is not None and s.score >= pack.present_at)
    thin = tuple(s.persona for s in average.shown if s.score is not None and s.score < pack.present_at)
    return Mix(
        respondents=len(profiles),
        min_group=k,
        profile=average,
        leads=tuple((p.id, kept[p.id]) for p in pack.personas),
        blend=kept[""],
        present=present,
        thin=thin,
    )


def group_pathways(pack: PersonaPack, mix: Mix, limit: int = 3) -> list[Pathway]:
    """Pathways the group's mix points to: the present personas' (else the top two shown), taken in turn."""
    ids = list(mix.present) or [s.persona for s in mix.profile.shown[:2]]
    return _interleaved(pack, ids, limit)


# -- the follow-up ----------------------------------------------------------------------


@dataclass(frozen=True)
class RiskFlags:
    """One person's check-in: True = a warning sign, False = none, None = not answered."""

    drift: bool | None
    burnout: bool | None

    def of(self, risk: str) -> bool | None:
        return {"drift": self.drift, "burnout": self.burnout}[risk]

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(r for r in RISKS if self.of(r))


def _risk_level(pack: PersonaPack, risk: str, checkin: Ratings) -> float | None:
    """How far up the scale (0 to 100) a person's answers on one risk's questions sit, turned so high = risk."""
    scale = pack.scale
    values = []
    for question in pack.checkin:
        value = checkin.get(question.id)
        if question.risk != risk or not _is_point(value):
            continue
        # Agreeing with "I still have energy left" is a good sign: turn it round (5 -> 1, 4 -> 2).
        values.append(scale.min + scale.max - value if question.reverse else value)
    return sum(scale.percent(v) for v in values) / len(values) if values else None


def check_in_risks(pack: PersonaPack, checkin: Ratings) -> RiskFlags:
    """Warning signs in one person's check-in: a risk when its questions average ``risk_at`` or more."""

    def flag(risk: str) -> bool | None:
        level = _risk_level(pack, risk, checkin)
        return None if level is None else round(level, 6) >= pack.risk_at

    return RiskFlags(drift=flag("drift"), burnout=flag("burnout"))


@dataclass(frozen=True)
class CheckInChange:
    """One check-in question's average in each round (on the scale; None: fewer than k answered)."""

    checkin: str
    risk: str
    reverse: bool
    first: float | None
    later: float | None

    @property
    def delta(self) -> float | None:
        if self.first is None or self.later is None:
            return None
        return round(self.later - self.first, 2)

    @property
    def better(self) -> bool | None:
        """True if the change is good news (more agreement with a good sign, less with a warning)."""
        delta = self.delta
        if not delta:
            return None
        return (delta > 0) == self.reverse


@dataclass(frozen=True)
class RiskChange:
    """People who answered both rounds and show one risk's warning sign, in each round (None: hidden)."""

    risk: str
    first: int | None
    later: int | None


@dataclass(frozen=True)
class Comparison:
    min_group: int
    first_people: int  # people with any check-in answer in the first round
    later_people: int
    both: int  # people with a check-in answer in both rounds
    items: tuple[CheckInChange, ...]
    risks: tuple[RiskChange, ...]


def _answered_checkin(payload: Mapping[str, Any]) -> bool:
    return any(_is_point(v) for v in _ratings(payload, "checkin").values())


def _points(payloads: Iterable[Mapping[str, Any]], checkin_id: str) -> list[int]:
    """The points people gave one check-in question ("don't know" left out)."""
    values = (_ratings(p, "checkin").get(checkin_id) for p in payloads)
    return [v for v in values if _is_point(v)]


def _mean(values: Sequence[int], k: int) -> float | None:
    return round(sum(values) / len(values), 2) if values and len(values) >= k else None


def compare_rounds(
    pack: PersonaPack, first: Iterable[tuple[str, Mapping[str, Any]]],
    later: Iterable[tuple[str, Mapping[str, Any]]], k: int,
) -> Comparison:
    """The follow-up against the first round: each (participant_uid, payload) of each round.

    Averages per question use everyone who answered it in that round; the
    risk counts use only people who answered the check-in in both rounds,
    and are suppressed with the rest of those people (:func:`suppress_counts`),
    so "at risk" and "not at risk" cannot be told apart below k.
    """
    before = {uid: p for uid, p in first if _answered_checkin(p)}
    after = {uid: p for uid, p in later if _answered_checkin(p)}
    items = []
    for question in pack.checkin:
        items.append(CheckInChange(question.id, question.risk, question.reverse,
                                   _mean(_points(before.values(), question.id), k),
                                   _mean(_points(after.values(), question.id), k)))
    both = [uid for uid in after if uid in before]
    risks = []
    for risk in RISKS:
        def at_risk(payloads: Mapping[str, Mapping[str, Any]], risk: str = risk) -> int:
            return sum(1 for uid in both if check_in_risks(pack, _ratings(payloads[uid], "checkin")).of(risk))

        counts_first, counts_later = at_risk(before), at_risk(after)
        risks.append(RiskChange(
            risk,
            suppress_counts({"risk": counts_first, "rest": len(both) - counts_first}, k)["risk"],
            suppress_counts({"risk": counts_later, "rest": len(both) - counts_later}, k)["risk"],
        ))
    return Comparison(k, len(before), len(after), len(both), tuple(items), tuple(risks))


# -- what may leave the server ------------------------------------------------------------


def share(pack: PersonaPack, workshop: "Workshop", responses: Iterable["Response"]) -> list["Response"]:
    """Persona mapping's sharing rule for files that leave the server.

    A row keeps its group label only when that group has at least k people
    in that round: a one-person group's label would say whose answers the row
    holds. Nothing else in an answer is private (no free text, no sealed part).
    """
    return without_small_group_labels(responses, workshop.min_group)


# -- support plans --------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """One line of the group's support plan for a persona."""

    persona: str
    offer: str
    who: str
    by_when: str
    created_at: float = 0.0


def plan_note_text(pack: PersonaPack, persona_id: object, offer: object, who: object, by_when: object) -> str:
    """A plan line as the text of a store note (JSON), checked and cleaned; or a FriendlyError."""
    if not isinstance(persona_id, str) or persona_id not in {p.id for p in pack.personas}:
        raise FriendlyError(pack.screen("plan_err_persona"))
    plan = {
        "persona": persona_id,
        "offer": clean_text(offer, max_chars=PLAN_OFFER_CHARS, what=pack.screen("plan_offer_what"), required=True),
        "who": clean_text(who, max_chars=PLAN_WHO_CHARS, what=pack.screen("plan_who_what")),
        "by_when": clean_text(by_when, max_chars=PLAN_WHEN_CHARS, what=pack.screen("plan_by_when_what")),
    }
    return json.dumps(plan, ensure_ascii=False, sort_keys=True)


def _plan(pack: PersonaPack, note: "Note") -> Plan | None:
    try:
        data = json.loads(note.text)
    except (TypeError, ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    try:
        text = plan_note_text(pack, data.get("persona"), data.get("offer"), data.get("who"), data.get("by_when"))
    except FriendlyError:
        return None
    clean = json.loads(text)
    return Plan(clean["persona"], clean["offer"], clean["who"], clean["by_when"], note.created_at)


def read_plans(pack: PersonaPack, notes: Iterable["Note"]) -> list[Plan]:
    """The workshop's plan lines, oldest first; a damaged note (or one for a persona the pack lacks) is skipped."""
    return [plan for note in notes if note.kind == PLAN_KIND and (plan := _plan(pack, note)) is not None]
