"""The persona-mapping content pack: typed, checked on load, cached by file.

Every word this workbook shows lives in ``persona-mapping.yaml``: the five
personas and their cards, the statements, the check-in questions, the
pathways and the table linking personas to pathways, the survey figures and
the screens' words. A broken pack raises :class:`~relworkbook.content.ContentError`
naming the file, the place in it and the problem, like the other workbooks' packs.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

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

PACK_FILE = "persona-mapping.yaml"

#: Who a set of answers is about: the person themselves, or someone they support.
ABOUT = ("self", "someone")
#: What a check-in question warns of.
RISKS = ("drift", "burnout")
#: The parts of a persona's card, in the order a card shows them.
CARD_FIELDS = ("draws_in", "does", "needs", "frustrations", "keeps_going", "risks", "how_to_help")
#: A pathway's ``source`` when this kit made it up (otherwise the address of the source naming it).
KIT = "kit"

MIN_ITEMS, MAX_ITEMS = 15, 20  # about three minutes on a phone
MIN_PER_PERSONA, MAX_PER_PERSONA = 3, 4
ITEM_CHARS = 90  # a statement must fit a phone's screen in two or three lines


@dataclass(frozen=True)
class PersonaCard:
    """What a persona is like, in the kit's words (the parts are :data:`CARD_FIELDS`)."""

    draws_in: str
    does: str
    needs: str
    frustrations: str
    keeps_going: str
    risks: str
    how_to_help: str

    def parts(self) -> tuple[tuple[str, str], ...]:
        """(field, words) in card order."""
        return tuple((name, getattr(self, name)) for name in CARD_FIELDS)


@dataclass(frozen=True)
class Persona:
    id: str
    name: str  # the published name, plural: "Community Weavers"
    singular: str  # "Community Weaver"
    with_article: str  # "a Community Weaver": how a headline names one person
    summary: str
    card: PersonaCard


@dataclass(frozen=True)
class Item:
    """A "this is like me" statement for one persona."""

    id: str
    persona: str
    me: str  # "I ...": for people answering for themselves
    them: str  # "They ...": for people answering for someone they support


@dataclass(frozen=True)
class CheckIn:
    """A follow-up question: is what people do still meeting what drew them in?"""

    id: str
    risk: str  # one of RISKS
    reverse: bool  # True: agreeing is a good sign (less risk)
    me: str
    them: str


@dataclass(frozen=True)
class Pathway:
    id: str
    name: str
    description: str
    source: str  # the address of the source naming it, or KIT

    @property
    def from_kit(self) -> bool:
        return self.source == KIT


@dataclass(frozen=True)
class Figure:
    """A survey figure, in the kit's words, with its source."""

    text: str
    source: str


@dataclass(frozen=True)
class AboutChoice:
    id: str  # one of ABOUT
    label: str
    help: str


@dataclass(frozen=True)
class PersonaPack(ScreenWords):
    title: str
    landing_line: str
    intro: str
    note: str
    sources: tuple[str, ...]
    scale: Scale  # in the words for answering about oneself
    them_labels: tuple[tuple[int, str], ...]  # the scale's points in the words for answering about someone
    about: tuple[AboutChoice, ...]  # in ABOUT order
    personas: tuple[Persona, ...]
    items: tuple[Item, ...]
    checkin: tuple[CheckIn, ...]
    pathways: tuple[Pathway, ...]
    persona_pathways: tuple[tuple[str, tuple[str, ...]], ...]  # persona id -> pathway ids, best first
    clear_lead: int  # points (of 100) the top persona must lead by to be named alone
    present_at: int  # a group's average score (of 100) from which a persona is "present"
    risk_at: int  # how far up the scale (of 100) check-in answers warn of a risk
    figures: tuple[Figure, ...]
    screen_words: tuple[tuple[str, str], ...]  # (key, words); a tuple keeps the pack hashable

    def persona(self, persona_id: str) -> Persona:
        return find_by_id(self.personas, persona_id)

    def item(self, item_id: str) -> Item:
        return find_by_id(self.items, item_id)

    def checkin_item(self, checkin_id: str) -> CheckIn:
        return find_by_id(self.checkin, checkin_id)

    def pathway(self, pathway_id: str) -> Pathway:
        return find_by_id(self.pathways, pathway_id)

    def about_choice(self, about: str) -> AboutChoice:
        return find_by_id(self.about, about)

    def items_for(self, persona_id: str) -> tuple[Item, ...]:
        return tuple(i for i in self.items if i.persona == persona_id)

    def item_text(self, item: Item | CheckIn, about: str) -> str:
        """A statement or check-in question worded for ``about`` ("self": "I ...", "someone": "They ...")."""
        return item.them if about == "someone" else item.me

    def pathways_for(self, persona_id: str) -> tuple[Pathway, ...]:
        """The pathways that suit a persona, best first (the pack's own table)."""
        return tuple(self.pathway(p) for p in dict(self.persona_pathways)[persona_id])

    def scale_for(self, about: str) -> Scale:
        """The one scale, its points worded for ``about``."""
        return dataclasses.replace(self.scale, labels=self.them_labels) if about == "someone" else self.scale

    def source_words(self, pathway: Pathway) -> str:
        """Where a pathway comes from, in the pack's words."""
        return self.screen("pathway_from_kit" if pathway.from_kit else "pathway_from_review")


# -- reading the YAML ------------------------------------------------------------


def _url(node: _Node) -> str:
    value = node.text(max_chars=300)
    if not value.startswith("https://"):
        raise node.fail("must be a web address starting with https://")
    return value


def _boolean(node: _Node) -> bool:
    if not isinstance(node.value, bool):
        raise node.fail("must be true or false")
    return node.value


def _percent(node: _Node, low: int = 0) -> int:
    value = node.integer()
    if not low <= value <= 100:
        raise node.fail(f"must be a whole number from {low} to 100 (points out of 100)")
    return value


def _them_labels(node: _Node, scale: Scale) -> tuple[tuple[int, str], ...]:
    labels_node = node.get("them_labels")
    data = labels_node.mapping()
    labels = []
    for value in scale.values:
        key = value if value in data else str(value)
        label = _Node(node.file, data.get(key), f"{labels_node.place}.{value}")
        if key not in data:
            raise label.fail("is missing: every point of the scale needs a label")
        labels.append((value, label.text(max_chars=60)))
    return tuple(labels)


def _about(node: _Node) -> tuple[AboutChoice, ...]:
    node.mapping()
    return tuple(
        AboutChoice(a, node.get(a).get("label").text(max_chars=40), node.get(a).get("help").text(max_chars=200))
        for a in ABOUT
    )


def _card(node: _Node) -> PersonaCard:
    node.mapping()
    return PersonaCard(**{name: node.get(name).text(max_chars=400) for name in CARD_FIELDS})


def _personas(root: _Node) -> tuple[Persona, ...]:
    seen: set[str] = set()
    return tuple(
        Persona(
            id=p.get("id").identifier(seen),
            name=p.get("name").text(max_chars=40),
            singular=p.get("singular").text(max_chars=40),
            with_article=p.get("with_article").text(max_chars=45),
            summary=p.get("summary").text(max_chars=200),
            card=_card(p.get("card")),
        )
        for p in root.get("personas").items(min_count=2, max_count=8)
    )


def _items(root: _Node, personas: tuple[Persona, ...]) -> tuple[Item, ...]:
    known = {p.id for p in personas}
    seen: set[str] = set()
    items = []
    nodes = root.get("items").items(min_count=MIN_ITEMS, max_count=MAX_ITEMS)
    for node in nodes:
        item_id = node.get("id").identifier(seen)
        persona = node.get("persona").text(max_chars=60)
        if persona not in known:
            raise node.get("persona").fail(f"'{persona}' is not the id of one of the personas above")
        items.append(Item(item_id, persona, node.get("me").text(max_chars=ITEM_CHARS),
                          node.get("them").text(max_chars=ITEM_CHARS)))
    for p in personas:
        count = sum(1 for i in items if i.persona == p.id)
        if not MIN_PER_PERSONA <= count <= MAX_PER_PERSONA:
            raise root.get("items").fail(
                f"{p.name} has {count} statements; each persona needs {MIN_PER_PERSONA} or {MAX_PER_PERSONA}"
            )
    return tuple(items)


def _checkin(root: _Node, item_ids: set[str]) -> tuple[CheckIn, ...]:
    seen = set(item_ids)  # a check-in id must not look like a statement's in the tidy CSV
    checkin = []
    for node in root.get("checkin").items(min_count=3, max_count=4):
        checkin_id = node.get("id").identifier(seen)
        risk = node.get("risk").text(max_chars=20)
        if risk not in RISKS:
            raise node.get("risk").fail(f"must be one of: {', '.join(RISKS)}")
        checkin.append(CheckIn(checkin_id, risk, _boolean(node.get("reverse")),
                               node.get("me").text(max_chars=ITEM_CHARS), node.get("them").text(max_chars=ITEM_CHARS)))
    return tuple(checkin)


def _pathways(root: _Node) -> tuple[Pathway, ...]:
    seen: set[str] = set()
    pathways = []
    for node in root.get("pathways").items(min_count=2, max_count=16):
        source = node.get("source")
        pathways.append(Pathway(
            id=node.get("id").identifier(seen),
            name=node.get("name").text(max_chars=60),
            description=node.get("description").text(max_chars=300),
            source=KIT if source.text(max_chars=300) == KIT else _url(source),
        ))
    return tuple(pathways)


def _persona_pathways(root: _Node, personas: tuple[Persona, ...],
                      pathways: tuple[Pathway, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    node = root.get("persona_pathways")
    node.mapping()
    known = {p.id for p in pathways}
    table = []
    for persona in personas:
        chosen: list[str] = []
        for entry in node.get(persona.id).items(min_count=2, max_count=3):
            pathway_id = entry.text(max_chars=60)
            if pathway_id not in known:
                raise entry.fail(f"'{pathway_id}' is not the id of one of the pathways above")
            if pathway_id in chosen:
                raise entry.fail(f"'{pathway_id}' is listed twice for {persona.name}")
            chosen.append(pathway_id)
        table.append((persona.id, tuple(chosen)))
    return tuple(table)


def _figures(root: _Node) -> tuple[Figure, ...]:
    return tuple(Figure(f.get("text").text(max_chars=300), _url(f.get("source")))
                 for f in root.get("figures").items(min_count=1, max_count=8))


@lru_cache(maxsize=1)
def _built_in_blanks() -> dict[str, frozenset[str]]:
    """The blanks the English screen words use, per key: all a translation may use.

    The keys are also the ones a translation must define, in order.
    """
    return built_in_blanks(read_yaml(BUILT_IN / PACK_FILE).get("screen"))


def _screen(node: _Node) -> tuple[tuple[str, str], ...]:
    return tuple(checked_section(node, _built_in_blanks(), max_chars=SCREEN_WORDS_CHARS).items())


@lru_cache(maxsize=8)
def _load_persona_pack(path: Path) -> PersonaPack:
    root = read_yaml(path)
    if root.get("workbook").text() != "persona-mapping":
        raise root.get("workbook").fail(f"must be 'persona-mapping' in {PACK_FILE}")
    scale_node = root.get("scale")
    scale = read_scale(scale_node, dont_know=True)
    personas = _personas(root)
    items = _items(root, personas)
    pathways = _pathways(root)
    return PersonaPack(
        title=root.get("title").text(max_chars=80),
        landing_line=root.get("landing_line").text(max_chars=300),
        intro=root.get("intro").text(max_chars=1000),
        note=root.get("note").text(max_chars=1000),
        sources=_sources(root),
        scale=scale,
        them_labels=_them_labels(scale_node, scale),
        about=_about(root.get("about")),
        personas=personas,
        items=items,
        checkin=_checkin(root, {i.id for i in items}),
        pathways=pathways,
        persona_pathways=_persona_pathways(root, personas, pathways),
        clear_lead=_percent(root.get("clear_lead"), low=1),
        present_at=_percent(root.get("present_at")),
        risk_at=_percent(root.get("risk_at")),
        figures=_figures(root),
        screen_words=_screen(root.get("screen")),
    )


def load_persona_pack(settings: Settings | None = None) -> PersonaPack:
    return _load_persona_pack(pack_file(PACK_FILE, settings))
