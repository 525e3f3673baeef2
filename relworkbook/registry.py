"""The workbook registry: one ``WorkbookSpec`` per workbook, read by everything
that must know every workbook (the CLI, ``check-content``, the landing page,
the importer and the privacy boundary).

Adding a workbook touches one line here (its spec module in ``SPEC_MODULES``);
the spec module itself lives with the workbook and imports nothing heavy: each
hook imports its workbook's code only when called, so ``relworkbook --help`` or a
participant's kernel does not pay for the facilitator's Altair and pandas.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, Mapping, Protocol

if TYPE_CHECKING:  # pragma: no cover - types only
    from .config import Settings
    from .files import DownloadFile
    from .store import Note, Response, Workshop

#: The spec module of every workbook, in the order the landing page lists them.
SPEC_MODULES: tuple[str, ...] = (
    "relworkbook.story.spec",
    "relworkbook.heatmap.spec",
    "relworkbook.persona.spec",
)

PayloadCheck = Callable[[Mapping[str, Any]], dict[str, Any]]


class PackLoader(Protocol):
    """A workbook's ``load_pack`` hook. Its own type because ``settings`` may be left out
    (the pack in force), which a plain ``Callable`` type cannot say."""

    def __call__(self, settings: Settings | None = None) -> Any: ...


@dataclass(frozen=True)
class WorkbookSpec:
    """Everything the kit needs to know about one workbook.

    name:        the workbook's name in the store, in response files and in ``?`` links
    notebook:    its notebook file in ``workbooks/``
    pack_file:   the content-pack file holding its words (``title`` and ``landing_line`` among them)
    app:         ``"module:Class"`` of its WorkbookShell subclass (the notebook's one line), imported when a page opens
    participant_view, facilitator_view, solo_view: ``"module:Class"`` of its three screens, subclasses of
                 ``components.lifecycle``'s ParticipantPage, FacilitatorPage and SoloPage; each is imported only
                 when a page shows it (a participant's kernel never loads the facilitator's module)
    load_pack:   settings -> the workbook's checked content pack
    payload_check: pack -> a function that checks one response's answers (uploads, imports)
    share:       (pack, workshop, published responses) -> what may leave the server (its sharing rule)
    tidy:        (pack, workshop, shared responses) -> (rows, columns) for CSV and pandas
    export_files: (pack, workshop, shared responses, notes) -> the facilitator's downloads
    withdraw:    optional; see the field's comment
    """

    name: str
    notebook: str
    pack_file: str
    app: str
    participant_view: str
    facilitator_view: str
    solo_view: str
    load_pack: PackLoader
    payload_check: Callable[[Any], PayloadCheck]
    share: Callable[[Any, "Workshop", list["Response"]], list["Response"]]
    tidy: Callable[[Any, "Workshop", list["Response"]], tuple[list[dict[str, Any]], list[str]]]
    export_files: Callable[[Any, "Workshop", list["Response"], list["Note"]], list["DownloadFile"]]
    #: (published response, the person's live response or None) -> what may still be shown. Lets a
    #: withdrawal (a story deleted or made private) take effect at once instead of at the next step of k.
    withdraw: Callable[["Response", "Response | None"], "Response"] | None = None

    def app_class(self) -> type:
        return load_class(self.app)

    def landing_words(self, settings: "Settings | None" = None) -> tuple[str, str]:
        """The workbook's title and its one line for the landing page, from its pack."""
        return _landing_words(self.pack_file, settings)


def load_class(path: str) -> Any:
    """The class a ``"module:Class"`` path names, its module imported now."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def lazy(path: str) -> Callable[..., Any]:
    """A spec hook that calls the ``"module:function"`` ``path`` names, importing it only when first called.

    Spec modules are imported by every page (the registry lists them all), so their
    hooks must not import a workbook's model, report or pack until one is used.
    """

    def hook(*args: Any, **kwargs: Any) -> Any:
        return load_class(path)(*args, **kwargs)

    hook.__name__ = hook.__qualname__ = f"lazy({path})"
    return hook


@lru_cache(maxsize=16)
def _landing_words(pack_file: str, settings: "Settings | None") -> tuple[str, str]:
    from .content import pack_file as find_pack_file
    from .content import read_yaml

    root = read_yaml(find_pack_file(pack_file, settings))
    return root.get("title").text(max_chars=80), root.get("landing_line").text(max_chars=300)


@lru_cache(maxsize=1)
def specs() -> tuple[WorkbookSpec, ...]:
    """Every registered workbook, in landing-page order."""
    found = tuple(importlib.import_module(module).SPEC for module in SPEC_MODULES)
    names = [s.name for s in found]
    if len(set(names)) != len(names):
        raise RuntimeError(f"two workbooks share a name: {names}")
    return found


def check_packs(settings: "Settings | None" = None) -> list[str]:
    """Load and check every file of the content pack in force; return the files checked.

    ``relworkbook check-content`` and ``relworkbook serve`` (before any kernel
    starts) call this, so a broken pack is refused with its message once,
    instead of failing every participant's page.
    """
    from .content import load_ui

    load_ui(settings)
    for spec in specs():
        spec.load_pack(settings)
        spec.landing_words(settings)
    return ["common.yaml", *(spec.pack_file for spec in specs())]


def spec_for(name: str) -> WorkbookSpec:
    for spec in specs():
        if spec.name == name:
            return spec
    from .errors import FriendlyError

    raise FriendlyError.of("no_such_workbook", name=name)
