"""The heatmap's logic: checking ratings, scoring, pooling and comparing.

Pure Python on purpose: a participant's kernel uses it too, and it must stay
small (no pandas). Pooling 1,000 participants takes a few milliseconds.

Privacy rule: a cell (a statement, a category, a group, a round) that rests on
fewer than ``min_group`` respondents is *hidden*: it keeps its count of
respondents, but its mean and spread are ``None`` in every view and export.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from ..content import HeatmapPack, Scale
from ..errors import FriendlyError
from ..sharing import without_small_group_labels
from .spec import WORKBOOK  # noqa: F401 - re-exported: one name, defined with the registration

if TYPE_CHECKING:  # pragma: no cover
    from ..store import Response


#: One participant's answers: statement id -> rating, or None for "don't know".
Ratings = Mapping[str, "int | None"]


def check_ratings(pack: HeatmapPack, ratings: Mapping[str, object]) -> dict[str, int | None]:
    """Return clean ratings, or raise a FriendlyError saying what is wrong."""
    if not isinstance(ratings, Mapping):
        raise FriendlyError(pack.screen("err_shape"))
    known = {s.id for s in pack.statements}
    scale = pack.scale
    clean: dict[str, int | None] = {}
    for sid, value in ratings.items():
        if sid not in known:
            raise FriendlyError(pack.screen("err_statement"))
        if value is None:
            clean[sid] = None
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
            raise FriendlyError(pack.screen("err_whole_numbers", min=scale.min, max=scale.max))
        if not scale.min <= int(value) <= scale.max:
            raise FriendlyError(pack.screen("err_outside", value=value, min=scale.min, max=scale.max))
        clean[sid] = int(value)
    return clean


def payload_check(pack: HeatmapPack):
    """The check for one uploaded or imported heatmap answer: ``{"ratings": {...}}``."""

    def check(answers: Mapping[str, object]) -> dict[str, object]:
        ratings = answers.get("ratings")
        if not isinstance(ratings, Mapping):
            raise FriendlyError(pack.screen("err_no_ratings"))
        return {"ratings": check_ratings(pack, ratings)}

    return check


def share(workshop, responses: Iterable["Response"]) -> list["Response"]:
    """The heatmap's sharing rule for files that leave the server.

    A per-person row keeps its group label only when that group has at least
    k people in that round: a one-person group's label would say whose
    ratings the row holds. Names stay only for people who typed one.
    """
    return without_small_group_labels(responses, workshop.min_group)


def unanswered(pack: HeatmapPack, ratings: Mapping[str, object]) -> list[str]:
    """Statement ids with no answer at all (neither a rating nor "don't know")."""
    return [s.id for s in pack.statements if s.id not in ratings]


@dataclass(frozen=True)
class Cell:
    """A pooled result: one statement or one category."""

    key: str
    label: str
    category: str
    respondents: int  # people who gave a rating (not "don't know")
    dont_know: int
    mean: float | None  # None when hidden or nobody rated
    spread: float | None  # standard deviation: high = people disagree


@dataclass(frozen=True)
class Summary:
    respondents: int
    min_group: int
    statements: tuple[Cell, ...]
    categories: tuple[Cell, ...]

    def visible(self, cells: Iterable[Cell]) -> list[Cell]:
        return [c for c in cells if c.mean is not None]

    def warmest(self, n: int = 3) -> list[Cell]:
        return sorted(self.visible(self.statements), key=lambda c: (-_shown(c.mean), c.key))[:n]

    def coolest(self, n: int = 3) -> list[Cell]:
        return sorted(self.visible(self.statements), key=lambda c: (_shown(c.mean), c.key))[:n]

    def most_divided(self, n: int = 3) -> list[Cell]:
        """Where people disagree most: the best place to start a conversation."""
        cells = [c for c in self.visible(self.statements) if c.spread is not None]
        return sorted(cells, key=lambda c: (-_shown(c.spread), c.key))[:n]


def _shown(value: float | None) -> float:
    """A mean or spread of a cell that was kept because it has one (the sort keys above)."""
    assert value is not None, "only cells with a mean (and a spread, where sorted by it) are sorted"
    return value


def _pool(values: Sequence[float], min_group: int) -> tuple[float | None, float | None]:
    if not values or len(values) < min_group:
        return None, None
    mean = sum(values) / len(values)
    spread = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    return round(mean, 2), round(spread, 2)


def summarise(pack: HeatmapPack, answers: Iterable[Ratings], min_group: int) -> Summary:
    """Pool many participants' ratings into statement and category cells."""
    answers = list(answers)
    by_statement: dict[str, list[int]] = {s.id: [] for s in pack.statements}
    dont_know = {s.id: 0 for s in pack.statements}
    by_category: dict[str, list[float]] = {c.id: [] for c in pack.categories}
    for ratings in answers:
        for category in pack.categories:
            own = [v for v in (ratings.get(s.id) for s in category.statements) if v is not None]
            if own:  # each person counts once per category: their own average
                by_category[category.id].append(sum(own) / len(own))
        for sid, value in ratings.items():
            if sid not in by_statement:
                continue
            if value is None:
                dont_know[sid] += 1
            else:
                by_statement[sid].append(value)
    statements = []
    for category in pack.categories:
        for s in category.statements:
            mean, spread = _pool(by_statement[s.id], min_group)
            statements.append(
                Cell(s.id, s.text, category.name, len(by_statement[s.id]), dont_know[s.id], mean, spread)
            )
    categories = []
    for category in pack.categories:
        mean, spread = _pool(by_category[category.id], min_group)
        categories.append(
            Cell(category.id, category.name, category.name, len(by_category[category.id]), 0, mean, spread)
        )
    return Summary(len(answers), min_group, tuple(statements), tuple(categories))


def personal(pack: HeatmapPack, ratings: Ratings) -> Summary:
    """One person's own heatmap: the same shape as the pooled one, k = 1."""
    return summarise(pack, [ratings], min_group=1)


@dataclass(frozen=True)
class Change:
    """How one cell moved between two rounds (or differs between two groups)."""

    cell: Cell
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 2)


def compare(before: Summary, after: Summary) -> list[Change]:
    """Statement by statement, largest warming first ("where did it warm up?")."""
    earlier = {c.key: c.mean for c in before.statements}
    changes = [Change(c, earlier.get(c.key), c.mean) for c in after.statements]
    return sorted(changes, key=lambda ch: (ch.delta is None, -(ch.delta or 0), ch.cell.key))


def split_by(
    pack: HeatmapPack, rows: Iterable[tuple[str, Ratings]], min_group: int
) -> dict[str, Summary]:
    """Summaries per label (a group label or a round name), labels in first-seen order."""
    buckets: dict[str, list[Ratings]] = {}
    for label, ratings in rows:
        buckets.setdefault(label or pack.screen("no_group"), []).append(ratings)
    return {label: summarise(pack, answers, min_group) for label, answers in buckets.items()}


def suppress_complements(groups: dict[str, Summary]) -> dict[str, Summary]:
    """Hide every group's cell wherever one group's cell is hidden.

    Otherwise a hidden group could be worked out by subtraction: with 3 staff
    and 1 manager, "everyone" minus "staff" gives the manager's own rating.
    """
    if len(groups) < 2:
        return groups

    def blank(cells: tuple[Cell, ...], keys: set[str]) -> tuple[Cell, ...]:
        return tuple(
            Cell(c.key, c.label, c.category, c.respondents, c.dont_know, None, None)
            if c.key in keys else c
            for c in cells
        )

    # "Hidden" here includes a group whose few members all skipped or said
    # "don't know": otherwise the others' cells would tell that they did.
    hidden_statements = {c.key for s in groups.values() for c in s.statements if c.mean is None}
    hidden_categories = {c.key for s in groups.values() for c in s.categories if c.mean is None}
    return {
        label: Summary(s.respondents, s.min_group, blank(s.statements, hidden_statements),
                       blank(s.categories, hidden_categories))
        for label, s in groups.items()
    }


def temperature(scale: Scale, mean: float | None) -> str:
    """A word for a mean, so colour is never the only signal."""
    if mean is None:
        return ""
    position = (mean - scale.min) / (scale.max - scale.min)
    if position >= 0.6:
        return scale.high_word
    if position <= 0.4:
        return scale.low_word
    return scale.middle_word
