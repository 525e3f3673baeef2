"""Content packs: every word a participant reads, in YAML, checked on load.

The built-in pack lives in ``packs/en``. A council can set
``RELWORKBOOK_CONTENT`` (or ``relworkbook serve --content``) to a folder of its
own: each file there replaces the built-in file of the same name, so a pack
can translate the shared words (``common.yaml``), one workbook, or both.
``common.yaml`` also holds the words of every refusal (its ``errors:``
section, read by ``FriendlyError.of``), so a translated pack translates the
error messages people see as well.

A broken pack raises :class:`ContentError` whose message names the file, the
place in it and what is wrong, e.g.
``heatmap.yaml, categories[2].statements[0].text: must be text, not a number``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import FriendlyError
from .scales import Scale, read_scale
from .templates import check_template, fill, placeholders

BUILT_IN = Path(__file__).parent / "packs" / "en"
#: The longest a workbook's one screen word may be. The longest English one is about 300
#: characters, and a translation often runs a third longer, so the limit leaves that room.
SCREEN_WORDS_CHARS = 500


class ContentError(FriendlyError):
    """A content pack that cannot be used, with the place of the problem."""

    def __init__(self, file: str | Path, place: str, problem: str):
        self.file = str(file)
        self.place = place
        self.problem = problem
        where = f"{Path(file).name}, {place}" if place else Path(file).name
        super().__init__(f"The content pack cannot be used: {where}: {problem} (file: {file})")


# -- a small, explicit checker (clearer messages than a generic schema library) --


class _Node:
    """A value inside a pack, with the path that leads to it for messages."""

    def __init__(self, file: Path, value: Any, place: str = ""):
        self.file, self.value, self.place = file, value, place

    def fail(self, problem: str) -> ContentError:
        return ContentError(self.file, self.place or "top level", problem)

    def _child(self, key: str | int, value: Any) -> "_Node":
        if isinstance(key, int):
            place = f"{self.place}[{key}]"
        else:
            place = f"{self.place}.{key}" if self.place else str(key)
        return _Node(self.file, value, place)

    def mapping(self) -> dict[Any, Any]:
        # Keys as YAML read them: names are strings, but a scale's labels are keyed by numbers.
        if not isinstance(self.value, dict):
            raise self.fail(f"must be a set of 'name: value' lines, not {_kind(self.value)}")
        return self.value

    def get(self, key: str, required: bool = True) -> "_Node":
        data = self.mapping()
        if key not in data:
            if required:
                raise self._child(key, None).fail("is missing")
            return self._child(key, None)
        return self._child(key, data[key])

    def text(self, max_chars: int = 1000, required: bool = True) -> str:
        if self.value is None and not required:
            return ""
        if not isinstance(self.value, str):
            raise self.fail(f"must be text, not {_kind(self.value)}")
        value = self.value.strip()
        if required and not value:
            raise self.fail("must not be empty")
        if len(value) > max_chars:
            raise self.fail(f"is {len(value)} characters; the limit is {max_chars}")
        return value

    def integer(self) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self.fail(f"must be a whole number, not {_kind(self.value)}")
        return self.value

    def items(self, min_count: int = 0, max_count: int | None = None) -> list["_Node"]:
        if not isinstance(self.value, list):
            raise self.fail(f"must be a list (lines starting with '- '), not {_kind(self.value)}")
        if len(self.value) < min_count:
            raise self.fail(f"needs at least {min_count} entries, has {len(self.value)}")
        if max_count is not None and len(self.value) > max_count:
            raise self.fail(f"can have at most {max_count} entries, has {len(self.value)}")
        return [self._child(i, v) for i, v in enumerate(self.value)]

    def identifier(self, seen: set[str]) -> str:
        value = self.text(max_chars=60)
        if not all(ch.isalnum() or ch in "-_" for ch in value):
            raise self.fail(f"'{value}' may use only letters, digits, '-' and '_'")
        if value in seen:
            raise self.fail(f"'{value}' is used twice; each id must be unique")
        seen.add(value)
        return value


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    return {str: "text", int: "a number", float: "a number", bool: "yes/no", list: "a list", dict: "a section"}.get(
        type(value), type(value).__name__
    )


def pack_file(name: str, settings: Settings | None = None) -> Path:
    settings = settings or Settings.from_env()
    if settings.content_dir is not None:
        if not settings.content_dir.is_dir():
            raise ContentError(settings.content_dir, "", "this content folder does not exist")
        custom = settings.content_dir / name
        if custom.exists():
            return custom
    return BUILT_IN / name


def read_yaml(path: Path) -> _Node:
    import yaml  # light, but only needed when a pack is (re)loaded

    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError(path, "", "the file is missing") from None
    except UnicodeDecodeError as exc:
        raise ContentError(path, f"byte {exc.start}", "the file is not UTF-8 text") from None
    try:
        # libyaml's loader when present: several times faster on a kernel's start.
        data = yaml.load(raw, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        place = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "is not valid YAML"
        raise ContentError(path, place, f"not valid YAML ({problem})") from None
    node = _Node(path, data)
    node.mapping()
    return node


# -- shared words --------------------------------------------------------------


@dataclass(frozen=True)
class UiText:
    """The shared interface words, looked up by key."""

    words: dict[str, str]

    def __call__(self, key: str, /, **values: Any) -> str:
        # fill, not str.format: pack words come from a council's file and
        # must never reach attributes or raise in front of a participant.
        return fill(self.words[key], **values)


@lru_cache(maxsize=1)
def _ui_blanks() -> dict[str, frozenset[str]]:
    """Each built-in key (a translation must define every one) and the blanks its English words use."""
    return built_in_blanks(read_yaml(BUILT_IN / "common.yaml").get("ui"))


def built_in_blanks(section: _Node) -> dict[str, frozenset[str]]:
    """Key -> the ``{blanks}`` of a built-in section's words, in the file's order.

    The English words are the contract: the kit fills in exactly what they
    ask for, so a translation may use those blanks (or fewer) and no others.
    """
    return {key: frozenset(placeholders(section.get(key).text(max_chars=10_000))) for key in section.mapping()}


def checked_section(node: _Node, blanks: dict[str, frozenset[str]], max_chars: int = 1000) -> dict[str, str]:
    """A pack's words section (``ui``, ``screen``, ``form``): every key the kit reads, and nothing else.

    A missing key would leave a screen without its words; a key the kit does not
    read is almost always a misspelt one whose words would silently never show,
    so both are refused when the pack is loaded (and by ``check-content``).
    """
    for key in node.mapping():
        if key not in blanks:
            close = [k for k in blanks if k.replace("_", "") == str(key).replace("_", "").lower()]
            hint = f" Did you mean '{close[0]}'?" if close else " Check its spelling against the built-in pack."
            raise node._child(str(key), None).fail(f"is not a word this kit shows anywhere.{hint}")
    return {key: checked_words(node.get(key), allowed, max_chars=max_chars) for key, allowed in blanks.items()}


def checked_words(node: _Node, allowed: frozenset[str], max_chars: int = 1000) -> str:
    """A pack's words for one key, refused on load if their blanks could break a screen."""
    value = node.text(max_chars=max_chars)
    problem = check_template(value, allowed)
    if problem:
        raise node.fail(problem)
    return value


@lru_cache(maxsize=1)
def _error_blanks() -> dict[str, frozenset[str]]:
    """Each built-in refusal's key and the blanks its English words use (see :func:`built_in_blanks`)."""
    return built_in_blanks(read_yaml(BUILT_IN / "common.yaml").get("errors"))


@lru_cache(maxsize=8)
def _load_common(path: Path) -> tuple[UiText, UiText]:
    """The shared screen words (``ui``) and the words of every refusal (``errors``), both checked.

    One loader for both, so whatever loads or checks the screen words
    (``check-content``, ``serve``, every page) also refuses a broken
    ``errors:`` section, before a refusal ever needs it.
    """
    root = read_yaml(path)
    return (UiText(checked_section(root.get("ui"), _ui_blanks())),
            UiText(checked_section(root.get("errors"), _error_blanks())))


def load_ui(settings: Settings | None = None) -> UiText:
    return _load_common(pack_file("common.yaml", settings))[0]


def load_errors(settings: Settings | None = None) -> UiText:
    """The words of every refusal the kit gives (``FriendlyError.of`` reads them), keyed like ``ui``."""
    return _load_common(pack_file("common.yaml", settings))[1]


# -- the heatmap pack ----------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    id: str
    text: str
    category_id: str


@dataclass(frozen=True)
class Category:
    id: str
    name: str
    description: str
    statements: tuple[Statement, ...]


class ScreenWords:
    """What every workbook pack shares: its screens' own words, looked up by key.

    A pack dataclass inherits this and has a ``screen_words`` field of (key, words) pairs (a tuple keeps the
    pack hashable).
    """

    screen_words: tuple[tuple[str, str], ...]

    def screen(self, key: str, /, **values: Any) -> str:
        """A screen word with its ``{blanks}`` filled in (plain names only, never evaluated).

        KeyError for a key the pack has no word of its own for: the shared ``say`` lookup then falls back to
        the common words, and anywhere else it is a mistake in the kit's code (a pack must give every key).
        """
        return fill(dict(self.screen_words)[key], **values)


def find_by_id(items: tuple[Any, ...], item_id: str) -> Any:
    """The item of a pack's list with this ``id`` (KeyError if none has it)."""
    for item in items:
        if item.id == item_id:
            return item
    raise KeyError(item_id)


@dataclass(frozen=True)
class HeatmapPack(ScreenWords):
    title: str
    intro: str
    note: str
    sources: tuple[str, ...]
    scale: Scale
    categories: tuple[Category, ...]
    screen_words: tuple[tuple[str, str], ...]  # (key, words): the heatmap screens' own buttons, headings, messages

    @property
    def statements(self) -> tuple[Statement, ...]:
        return tuple(s for c in self.categories for s in c.statements)

    def statement(self, statement_id: str) -> Statement:
        for s in self.statements:
            if s.id == statement_id:
                return s
        raise KeyError(statement_id)


def _sources(root: _Node) -> tuple[str, ...]:
    nodes = root.get("sources").items(min_count=1)
    urls = []
    for node in nodes:
        url = node.text(max_chars=300)
        if not url.startswith(("http://", "https://")):
            raise node.fail("must be a web address starting with https://")
        urls.append(url)
    return tuple(urls)


@lru_cache(maxsize=1)
def _heatmap_screen_blanks() -> dict[str, frozenset[str]]:
    """The blanks each built-in heatmap screen word uses: the keys every translation must give, and all it may fill."""
    return built_in_blanks(read_yaml(BUILT_IN / "heatmap.yaml").get("screen"))


@lru_cache(maxsize=8)
def _load_heatmap(path: Path) -> HeatmapPack:
    root = read_yaml(path)
    if root.get("workbook").text() != "heatmap":
        raise root.get("workbook").fail("must be 'heatmap' in heatmap.yaml")
    category_ids: set[str] = set()
    statement_ids: set[str] = set()
    categories = []
    for cat in root.get("categories").items(min_count=1, max_count=12):
        cid = cat.get("id").identifier(category_ids)
        statements = tuple(
            Statement(st.get("id").identifier(statement_ids), st.get("text").text(max_chars=300), cid)
            for st in cat.get("statements").items(min_count=3, max_count=5)
        )
        categories.append(
            Category(
                id=cid,
                name=cat.get("name").text(max_chars=60),
                description=cat.get("description", required=False).text(max_chars=400, required=False),
                statements=statements,
            )
        )
    return HeatmapPack(
        title=root.get("title").text(max_chars=80),
        intro=root.get("intro").text(max_chars=1000),
        note=root.get("note", required=False).text(max_chars=1000, required=False),
        sources=_sources(root),
        scale=read_scale(root.get("scale"), dont_know=True, low_key="cool_word", high_key="warm_word"),
        categories=tuple(categories),
        screen_words=tuple(checked_section(root.get("screen"), _heatmap_screen_blanks(),
                                           max_chars=SCREEN_WORDS_CHARS).items()),
    )


def load_heatmap(settings: Settings | None = None) -> HeatmapPack:
    return _load_heatmap(pack_file("heatmap.yaml", settings))


def check_pack(settings: Settings | None = None) -> list[str]:
    """Load every file of the pack in force; return the names checked.

    The registry knows every workbook's pack (a workbook's pack module uses
    this module's checker, so this module must not import workbooks itself).
    """
    from ..registry import check_packs

    return check_packs(settings)
