"""The story-weaving content pack: typed, checked on load, cached by file.

Everything a participant reads in this workbook lives in
``story-weaving.yaml``: the timeline, the feeling scale, who mattered, the
Undercurrents, the Dark and Light statements, the consent choices and the
form's words. A broken pack raises :class:`~relworkbook.content.ContentError`
naming the file, the place in it and the problem, like the heatmap's pack.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..config import Settings
from ..content import (
    BUILT_IN,
    SCREEN_WORDS_CHARS,
    ScreenWords,
    _Node,
    _sources,
    built_in_blanks,
    checked_section,
    find_by_id,
    pack_file,
    read_yaml,
)
from ..content.scales import Scale, read_scale
from ..content.templates import fill

PACK_FILE = "story-weaving.yaml"

#: The four ways to sort a Dark and Light statement; the pack gives their words.
CHOICES = ("dark", "light", "both", "not_ours")
#: Who may see a moment, from the most to the least private.
CONSENTS = ("private", "anonymous", "named")
#: The form's words; a translation must give every one.
FORM_KEYS = (
    "phase_label", "title_label", "title_placeholder", "story_label", "story_placeholder", "feeling_label",
    "who_label", "shifts_label", "shift_towards", "shift_away", "shift_none", "spirit_label",
    "spirit_placeholder", "consent_label",
)
MAX_PACK_PHASES = 12


@dataclass(frozen=True)
class Phase:
    """One stretch of a timeline. Workshops may bring their own."""

    id: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class PackPhase:
    """A phase of the pack's timeline; ``parts`` replace it when the timeline is split."""

    id: str
    name: str
    description: str
    parts: tuple[Phase, ...] = ()

    def as_phase(self) -> Phase:
        return Phase(self.id, self.name, self.description)


@dataclass(frozen=True)
class Tag:
    """Someone who mattered in a moment (family, neighbours, ...)."""

    id: str
    name: str


@dataclass(frozen=True)
class Undercurrent:
    """A shift FROM > TO, e.g. Doubting > Trusting."""

    id: str
    from_word: str
    to_word: str
    description: str = ""

    @property
    def name(self) -> str:
        return f"{self.from_word} > {self.to_word}"

    def label(self, direction: str) -> str:
        """The shift as seen in a moment: "towards" is FROM > TO, "away" is TO > FROM."""
        return f"{self.to_word} > {self.from_word}" if direction == "away" else self.name


@dataclass(frozen=True)
class SortStatement:
    """An observation of the year to sort into the Dark and the Light."""

    id: str
    text: str


@dataclass(frozen=True)
class ConsentChoice:
    id: str
    label: str
    help: str


@dataclass(frozen=True)
class StoryPack(ScreenWords):
    title: str
    intro: str
    note: str
    sources: tuple[str, ...]
    prompts: tuple[str, ...]
    phases: tuple[PackPhase, ...]
    feeling: Scale
    who: tuple[Tag, ...]
    undercurrents: tuple[Undercurrent, ...]
    sort_intro: str
    choices: tuple[tuple[str, str], ...]  # (choice id, its words), in CHOICES order
    statements: tuple[SortStatement, ...]
    consent: tuple[ConsentChoice, ...]  # in CONSENTS order
    form: tuple[tuple[str, str], ...]  # (key, words), in FORM_KEYS order; a tuple keeps the pack hashable
    screen_words: tuple[tuple[str, str], ...]  # (key, words): the screens' buttons, headings and messages
    stop_words: frozenset[str]

    def tag(self, tag_id: str) -> Tag:
        return find_by_id(self.who, tag_id)

    def undercurrent(self, undercurrent_id: str) -> Undercurrent:
        return find_by_id(self.undercurrents, undercurrent_id)

    def statement(self, statement_id: str) -> SortStatement:
        return find_by_id(self.statements, statement_id)

    def choice_label(self, choice: str) -> str:
        return dict(self.choices)[choice]

    def consent_choice(self, consent: str) -> ConsentChoice:
        return find_by_id(self.consent, consent)

    def words(self, key: str, /, **values: Any) -> str:
        """A form word, with ``{to}``/``{from}`` style blanks filled in (plain names only, never raises)."""
        return fill(dict(self.form)[key], **values)

    def shift_name(self, undercurrent_id: str) -> str:
        """An Undercurrent as a screen names it: "From Doubting to Trusting" (never "FROM > TO")."""
        u = self.undercurrent(undercurrent_id)
        return self.screen("undercurrent_name", **{"from": u.from_word, "to": u.to_word})

    def shift_words(self, undercurrent_id: str, direction: str | None) -> str:
        """The form's words for one choice: "towards Trusting", "back towards Doubting", "not noticed"."""
        if direction not in ("towards", "away"):
            return self.words("shift_none")
        u = self.undercurrent(undercurrent_id)
        return self.words(f"shift_{direction}", **{"from": u.from_word, "to": u.to_word})


# -- reading the YAML ------------------------------------------------------------


def _phase(node: _Node, seen: set[str]) -> Phase:
    return Phase(
        id=node.get("id").identifier(seen),
        name=node.get("name").text(max_chars=60),
        description=node.get("description", required=False).text(max_chars=400, required=False),
    )


def _pack_phase(node: _Node, seen: set[str]) -> PackPhase:
    phase = _phase(node, seen)
    parts_node = node.get("parts", required=False)
    parts = () if parts_node.value is None else tuple(_phase(p, seen) for p in parts_node.items(min_count=2))
    return PackPhase(phase.id, phase.name, phase.description, parts)


def _phases(root: _Node) -> tuple[PackPhase, ...]:
    seen: set[str] = set()  # parts share the ids' name space: a split timeline must stay unique
    phases = tuple(_pack_phase(p, seen) for p in root.get("phases").items(min_count=1))
    longest = sum(max(1, len(p.parts)) for p in phases)
    if longest > MAX_PACK_PHASES:
        raise root.get("phases").fail(f"split, the timeline has {longest} phases; the limit is {MAX_PACK_PHASES}")
    return phases


def _tags(root: _Node) -> tuple[Tag, ...]:
    seen: set[str] = set()
    return tuple(
        Tag(t.get("id").identifier(seen), t.get("name").text(max_chars=40))
        for t in root.get("who").items(min_count=1, max_count=20)
    )


def _undercurrents(root: _Node) -> tuple[Undercurrent, ...]:
    seen: set[str] = set()
    return tuple(
        Undercurrent(
            id=u.get("id").identifier(seen),
            from_word=u.get("from").text(max_chars=40),
            to_word=u.get("to").text(max_chars=40),
            description=u.get("description", required=False).text(max_chars=300, required=False),
        )
        for u in root.get("undercurrents").items(min_count=1, max_count=10)
    )


def _choices(node: _Node) -> tuple[tuple[str, str], ...]:
    node.mapping()
    return tuple((choice, node.get(choice).text(max_chars=40)) for choice in CHOICES)


def _statements(node: _Node) -> tuple[SortStatement, ...]:
    seen: set[str] = set()
    return tuple(
        SortStatement(s.get("id").identifier(seen), s.get("text").text(max_chars=300))
        for s in node.items(min_count=4, max_count=40)
    )


def _consent(node: _Node) -> tuple[ConsentChoice, ...]:
    node.mapping()
    return tuple(
        ConsentChoice(c, node.get(c).get("label").text(max_chars=60), node.get(c).get("help").text(max_chars=300))
        for c in CONSENTS
    )


@lru_cache(maxsize=1)
def _built_in_blanks() -> dict[str, dict[str, frozenset[str]]]:
    """The blanks the English form and screen words use, per key: all a translation may use.

    The screen's keys are also the ones a translation must define, in order.
    """
    root = read_yaml(BUILT_IN / PACK_FILE)
    return {section: built_in_blanks(root.get(section)) for section in ("form", "screen")}


def _form(node: _Node) -> tuple[tuple[str, str], ...]:
    allowed = _built_in_blanks()["form"]
    words = checked_section(node, {key: allowed.get(key, frozenset()) for key in FORM_KEYS}, max_chars=200)
    return tuple(words.items())


def _screen(node: _Node) -> tuple[tuple[str, str], ...]:
    return tuple(checked_section(node, _built_in_blanks()["screen"], max_chars=SCREEN_WORDS_CHARS).items())


def _stop_words(root: _Node) -> frozenset[str]:
    node = root.get("stop_words", required=False)
    if node.value is None:
        return frozenset()
    return frozenset(w.text(max_chars=40).lower().replace("\u2019", "'") for w in node.items())


@lru_cache(maxsize=8)
def _load_story_pack(path: Path) -> StoryPack:
    root = read_yaml(path)
    if root.get("workbook").text() != "story-weaving":
        raise root.get("workbook").fail(f"must be 'story-weaving' in {PACK_FILE}")
    sorting = root.get("dark_and_light")
    return StoryPack(
        title=root.get("title").text(max_chars=80),
        intro=root.get("intro").text(max_chars=1000),
        note=root.get("note", required=False).text(max_chars=1000, required=False),
        sources=_sources(root),
        prompts=tuple(p.text(max_chars=300) for p in root.get("prompts").items(min_count=1, max_count=8)),
        phases=_phases(root),
        feeling=read_scale(root.get("feeling"), dont_know=False, low_key="dark_word", high_key="light_word",
                           middle_key=None),
        who=_tags(root),
        undercurrents=_undercurrents(root),
        sort_intro=sorting.get("intro").text(max_chars=1000),
        choices=_choices(sorting.get("choices")),
        statements=_statements(sorting.get("statements")),
        consent=_consent(root.get("consent")),
        form=_form(root.get("form")),
        screen_words=_screen(root.get("screen")),
        stop_words=_stop_words(root),
    )


def load_story_pack(settings: Settings | None = None) -> StoryPack:
    return _load_story_pack(pack_file(PACK_FILE, settings))
