"""A pseudo-translation: every word of every pack marked, every screen of every workbook read.

The issue's promise is that a translated pack translates everything a
participant or facilitator reads, refusals included. So this test writes a
content folder in which every string of every built-in pack is wrapped in
markers ("Save my answers" becomes "⟦Save my answers⟧"), keeping what the packs
treat as data (ids, numbers, web addresses, stop words) and every ``{blank}``
as they are. It points the kit at that folder, drives every screen of every
registered workbook with real widgets on a real SQLite store (the start page,
joining, a participant's form before and after the results are shown, solo
use, the facilitator's every tab, the Files tab's downloads, and refusals: a
wrong join code, a too-long name, bad import files), and reads every visible
text: widget descriptions, placeholders, tooltips, options, tab titles, the
choice control's legend, labels and hints, HTML with its tags removed, and the
downloaded reports. Any run of letters outside the markers is English written
in code, unless it is something people typed in this test, a join code, a web
address or a file name.
"""

from __future__ import annotations

import ast
import datetime
import html
import json
import os
import re
from pathlib import Path
from typing import Any, Iterator

import ipywidgets as widgets
import pytest
import yaml

from relworkbook.config import Settings
from relworkbook.content import BUILT_IN, load_errors
from relworkbook.errors import GENERIC_MESSAGE, FriendlyError, generic_message
from relworkbook.page import PageContext
from relworkbook.registry import spec_for, specs
from relworkbook.store import Store

OPEN, CLOSE = "\u27e6", "\u27e7"  # ⟦ and ⟧: in no pack, and easy to see in a failure
#: Pack keys whose values are data the kit reads, not words anyone reads: they stay as they are.
#: Pack words that are lists in one string, comma-separated (the kit splits them).
LIST_KEYS = frozenset({"month_names"})
DATA_KEYS = frozenset({"workbook", "id", "persona", "risk", "source", "sources", "persona_pathways", "stop_words"})
#: Things people type in these tests (and the seeders of tests/test_contract.py): shown as typed, never marked.
TYPED = ("Riverside <b>hall</b>", "Ana", "staff", "Typed words", "A title typed", "A story typed",
         "NAMED-PERSON", "ANON-MARK", "PRIVATE-MARK", "LONE-GROUP", "GROUP-TWO", "<img src=x onerror=alert(1)>",
         "Named one", "told with my name", "Kept to myself", "Other 0", "Other 1", "Other 2", "Other 3",
         "story 0", "story 1", "story 2", "story 3", "May", "bad.json", "deep.json", "export.json",
         "another-workbook", "baseline")  # the last: the round the seeders put their answers in
TOO_LONG_NAME, TOO_LONG_TITLE = "N" * 200, "T" * 200

#: English still written in files this task does not own: to be moved into the pack.
#: (where, a pattern of the words): each pattern's matches are allowed, nothing else. Empty this as the
#: code is switched over; a new entry needs a reason as good as these.
TO_BE_MOVED_INTO_THE_PACK: tuple[tuple[str, str], ...] = ()  # empty: every word on screen comes from a pack


# -- a pseudo-translated pack ----------------------------------------------------------------


_BLANK = re.compile(r"(?<!\{)\{[A-Za-z_]+\}(?!\})")


def _marked(value: Any, key: Any = None) -> Any:
    """``value`` with every string of words wrapped in the markers; data left as it is."""
    if key in DATA_KEYS:
        return value
    if key in LIST_KEYS:  # a list of words in one string: each item is translated, so each is marked
        return ", ".join(_marked(item.strip()) for item in value.split(","))
    if isinstance(value, dict):
        return {k: _marked(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_marked(v, key) for v in value]
    if isinstance(value, str) and not value.startswith(("http://", "https://")):
        # Each {blank} is left outside the marks: what the kit fills in must be marked (pack words) or
        # allowed (numbers, typed text) on its own, so English filled into pack words is found too.
        return OPEN + _BLANK.sub(CLOSE + r"\g<0>" + OPEN, value.strip()) + CLOSE
    return value


@pytest.fixture(scope="module")
def pseudo(tmp_path_factory) -> Iterator[Settings]:
    """A content folder with every pack pseudo-translated, in force for this process (as ``serve --content`` does)."""
    folder = tmp_path_factory.mktemp("pseudo-pack")
    for path in sorted(BUILT_IN.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        (folder / path.name).write_text(yaml.safe_dump(_marked(data), allow_unicode=True, sort_keys=False),
                                        encoding="utf-8")
    before = os.environ.get("RELWORKBOOK_CONTENT")
    os.environ["RELWORKBOOK_CONTENT"] = str(folder)
    try:
        yield Settings.from_env()
    finally:
        if before is None:
            os.environ.pop("RELWORKBOOK_CONTENT", None)
        else:
            os.environ["RELWORKBOOK_CONTENT"] = before


# -- reading what a screen shows -------------------------------------------------------------

_HIDDEN_BLOCKS = re.compile(r"<(script|style)\b.*?</\1\s*>", re.S | re.I)
_READ_ATTRIBUTES = re.compile(r"""\b(?:title|aria-label|alt|placeholder)\s*=\s*(["'])(.*?)\1""", re.S | re.I)
_TAG = re.compile(r"<[^>]*>", re.S)


def html_texts(markup: str) -> list[str]:
    """What a reader gets from HTML: its text, and the attributes a browser shows or reads out."""
    markup = _HIDDEN_BLOCKS.sub(" ", markup)
    said = [html.unescape(m.group(2)) for m in _READ_ATTRIBUTES.finditer(markup)]
    return [html.unescape(_TAG.sub(" ", markup)), *said]


def _words_of(widget: widgets.Widget) -> list[str]:
    texts: list[str] = []
    for name in ("description", "placeholder", "tooltip", "label", "description_extra", "lost_words",
                 "reload_words"):
        value = getattr(widget, name, None)
        if isinstance(value, str):
            texts.append(value)
    if isinstance(widget, (widgets.HTML, widgets.HTMLMath)):
        texts.extend(html_texts(widget.value))
    elif isinstance(widget, (widgets.Label, widgets.Text, widgets.Textarea)):
        texts.append(widget.value)
    for name in ("tooltips", "hints", "titles"):
        value = getattr(widget, name, None)
        if isinstance(value, (list, tuple)):
            texts.extend(v for v in value if isinstance(v, str))
    labels = getattr(widget, "_options_labels", None)
    if isinstance(labels, (list, tuple)):
        texts.extend(labels)
    elif type(widget).__name__ == "ChoiceGroup":
        texts.extend(str(option[0]) for option in widget.options)
    return texts


def _tree(widget: Any, seen: set[int]) -> Iterator[widgets.Widget]:
    if not isinstance(widget, widgets.Widget) or id(widget) in seen:
        return
    seen.add(id(widget))
    yield widget
    for child in getattr(widget, "children", ()) or ():
        yield from _tree(child, seen)


def screen_texts(root: widgets.Widget) -> list[str]:
    """Every text the widgets under ``root`` show (hidden ones too: they show when their moment comes)."""
    return [text for widget in _tree(root, set()) for text in _words_of(widget) if _LETTERS.search(text or "")]


_NESTED = re.compile(OPEN + "[^" + OPEN + CLOSE + "]*" + CLOSE)
#: A marked text cut short to fit (e.g. "⟦A long title…"): its start is marked, which is enough.
_CUT = re.compile(OPEN + "[^" + OPEN + CLOSE + "]*\u2026")
_URL = re.compile(r"(?:https?|data|file):\S+")
_FILE = re.compile(r"[\w.-]+\.(?:html|csv|json|svg|png|sqlite3)\b")
_CODE = re.compile(r"\b[A-HJ-NP-Z2-9]{3}-?[A-HJ-NP-Z2-9]{3}\b")
_LETTERS = re.compile(r"[^\W\d_]+")


def _typed_words() -> set[str]:
    return {w.casefold() for text in TYPED for w in _LETTERS.findall(text)}


def unmarked(text: str) -> list[str]:
    """The runs of letters in ``text`` that no marker covers and nobody typed."""
    for typed in sorted((*TYPED, TOO_LONG_NAME, TOO_LONG_TITLE), key=len, reverse=True):
        text = text.replace(typed, " ")
    for _where, pattern in TO_BE_MOVED_INTO_THE_PACK:
        text = re.sub(pattern, " ", text, flags=re.M | re.S)
    previous = None
    while previous != text:  # pack words filled into pack words nest: take the innermost first
        previous, text = text, _NESTED.sub(" ", text)
    text = _CUT.sub(" ", text)
    for allowed in (_URL, _FILE, _CODE):
        text = allowed.sub(" ", text)
    typed_words = _typed_words()
    return [w for w in _LETTERS.findall(text) if w.casefold() not in typed_words]


class Reader:
    """Collects every unmarked run of letters seen on the screens, with where it was seen."""

    def __init__(self) -> None:
        self.found: dict[str, str] = {}

    def read(self, where: str, root: widgets.Widget | None = None, texts: list[str] | None = None) -> None:
        for text in ([*screen_texts(root)] if root is not None else []) + list(texts or []):
            words = unmarked(text)
            if words:
                self.found.setdefault(" ".join(dict.fromkeys(words)), f"{where}: {' '.join(text.split())[:500]}")

    def check(self) -> None:
        assert not self.found, "words written in code, not in a pack:\n" + "\n".join(
            f"  {words!r}  ({place})" for words, place in self.found.items())


# -- driving the screens -----------------------------------------------------------------------


def uploaded(name: str, data: bytes) -> tuple[dict, ...]:
    """The value ipywidgets' FileUpload holds after a browser upload."""
    return ({"name": name, "type": "application/json", "size": len(data), "content": memoryview(data),
             "last_modified": datetime.datetime.now(datetime.timezone.utc)},)


def fill_in(root: widgets.Widget) -> None:
    """Answer a form as a person would: the first real choice of every question, words in empty boxes."""
    for widget in _tree(root, set()):
        if getattr(widget, "disabled", False):
            continue
        if type(widget).__name__ == "ChoiceGroup" and widget.options:
            widget.value = widget.options[0][1]
        elif isinstance(widget, (widgets.Dropdown, widgets.RadioButtons, widgets.ToggleButtons)):
            values = [v for v in widget._options_values if v not in (None, "")]
            if values and widget.value in (None, ""):
                widget.value = values[0]
        elif isinstance(widget, (widgets.Text, widgets.Textarea)) and not widget.value:
            widget.value = "Typed words"


def click_everything(root: widgets.Widget, reader: Reader, where: str, page: widgets.Widget) -> None:
    """Press every button under ``root`` once, reading the whole page after each press."""
    # The page, and every part of what is clicked as it was at first: a button may swap parts out of the
    # page (the projector view replaces the facilitator's controls), and those parts still answer clicks.
    everything = widgets.VBox([page, root, *getattr(root, "children", ())])
    for button in [w for w in _tree(root, set()) if isinstance(w, widgets.Button)]:
        if not button.disabled:
            button.click()
            reader.read(f"{where}, after '{button.description}'", everything)


def new_page(spec, store: Store, settings: Settings, query: str = ""):
    return spec.app_class()(PageContext.from_query(query, f"/voila/render/{spec.notebook}"), store=store,
                            settings=settings)


@pytest.fixture(params=[s.name for s in specs()])
def seeded(request, tmp_path, pseudo):
    """A workshop of each registered workbook, seeded as the contract tests seed it, in the pseudo pack."""
    from test_contract import SEEDERS

    spec = spec_for(request.param)
    store = Store(tmp_path / "pseudo.sqlite3")
    # The seeders write answers into a round they call "baseline" (typed data here), so the workshop
    # is started the way they expect: with the built-in words in force.
    pseudo_folder = os.environ.pop("RELWORKBOOK_CONTENT")
    try:
        access, _rules = SEEDERS[spec.name](store, spec.load_pack())
    finally:
        os.environ["RELWORKBOOK_CONTENT"] = pseudo_folder
    yield spec, store, access
    store.close()


def test_the_pseudo_pack_is_a_whole_pack(pseudo):
    """Every pack loads marked: blanks, ids and limits survive, so the screens below read the marked words."""
    from relworkbook.registry import check_packs

    assert check_packs(pseudo)
    assert load_errors(pseudo)("code_missing").startswith(OPEN)
    assert FriendlyError.of("file_too_deep", name="x.json", levels=20).message == \
        load_errors()("file_too_deep", name="x.json", levels=20) == \
        f"{OPEN}{CLOSE}x.json{OPEN} is nested more than {CLOSE}20{OPEN} levels deep; no response file is. " \
        f"Nothing was imported.{CLOSE}"


def test_every_screen_of_every_workbook_shows_only_pack_words(seeded, pseudo):
    spec, store, access = seeded
    code = access.workshop.code
    reader = Reader()

    # The first screen: joining and starting, then every refusal it can give.
    start = new_page(spec, store, pseudo)
    assert start.screen == "join", start.status.message
    reader.read("start", start)
    view = start.view
    for typed_code in ("", "ZZZ-ZZZ"):
        view.code.value = typed_code
        view.join_button.click()
        assert "error" in (view.status.kind, start.status.kind)
        reader.read(f"joining with the code {typed_code!r}", start)
    view.code.value, view.name.value = code, TOO_LONG_NAME
    view.join_button.click()
    assert "error" in (view.status.kind, start.status.kind)
    reader.read("joining with a too-long name", start)
    view.title.value = TOO_LONG_TITLE
    view.start_button.click()
    reader.read("starting with a too-long title", start)
    # Links that open nothing: a wrong facilitator key, a wrong personal link.
    for query in (f"facilitate={code}&key=wrong", f"join={code}&me=wrong"):
        wrong = new_page(spec, store, pseudo, query)
        assert wrong.screen == "join" and "error" in (wrong.status.kind, wrong.view.status.kind)
        reader.read(f"the link ?{query}", wrong)
    # A shared Jupyter server (Binder): no joining by code; one screen together, or on one's own.
    for query in ("", f"join={code}"):
        shared = spec.app_class()(PageContext.from_query(query, f"/voila/render/{spec.notebook}", hosting="shared"),
                                  store=store, settings=pseudo)
        reader.read(f"a shared server, ?{query}", shared)
        click_everything(shared.view, reader, "a shared server", shared)

    # The facilitator: every tab, every button, the downloads and the reports in them.
    facilitator = new_page(spec, store, pseudo, f"facilitate={code}&key={access.key}")
    assert facilitator.screen == "facilitator", facilitator.status.message
    board = facilitator.view
    for index in range(len(board.tab.children)):
        board.tab.selected_index = index
        reader.read(f"facilitator, tab {index}", facilitator)
    board.export_button.click()
    assert board.downloads.files, board.status.message
    reader.read("facilitator, downloads ready", facilitator)
    for file in board.downloads.files:
        if file.filename.endswith((".html", ".svg")):
            reader.read(f"the download {file.filename}", texts=html_texts(file.data.decode("utf-8")))
    export = next(f for f in board.downloads.files if f.filename.endswith(".json")).data

    # Importing: a broken file, a file nested too deep, a file for another workbook, the workshop's own export.
    importer = board.importer
    other = json.loads(export)
    other["workbook"] = "another-workbook"
    for name, data in (("bad.json", b"{not json"), ("deep.json", b"[" * 50 + b"]" * 50),
                       ("bad.json", json.dumps(other).encode()), ("export.json", export)):
        importer.upload.value = uploaded(name, data)
        reader.read(f"importing {name}", facilitator)
    assert importer.status.kind == "success", importer.status.message

    # A participant: the join link, the empty form, an answer, every button; then the group's results.
    joining = new_page(spec, store, pseudo, f"join={code}")
    reader.read("the join link", joining)
    joining.view.name.value, joining.view.group.value = "Ana", "staff"
    joining.view.join_button.click()
    assert joining.screen == "participant", joining.status.message
    reader.read("participant, empty form", joining)
    click_everything(joining.view, reader, "participant, nothing answered", joining)
    fill_in(joining.view)
    click_everything(joining.view, reader, "participant, answered", joining)
    board.session.reveal_button.click()
    facilitator.refresh()
    joining.refresh()
    reader.read("participant, results shown", joining)
    reader.read("facilitator, results shown", facilitator)
    click_everything(board, reader, "facilitator", facilitator)

    # On one's own: nothing answered, then answered, every button each time.
    solo = new_page(spec, store, pseudo, "solo=1")
    assert solo.screen == "solo", solo.status.message
    reader.read("solo", solo)
    click_everything(solo.view, reader, "solo, nothing answered", solo)
    fill_in(solo.view)
    click_everything(solo.view, reader, "solo, answered", solo)
    for file in getattr(solo.view.downloads, "files", ()):
        if file.filename.endswith((".html", ".svg")):
            reader.read(f"the solo download {file.filename}", texts=html_texts(file.data.decode("utf-8")))
    reader.check()


def test_the_reader_finds_english_written_in_code(pseudo):
    """The check itself: English beside marked words is found; marked, typed, codes and file names are not."""
    assert unmarked(f"{OPEN}Added answers from {OPEN}x{CLOSE}{CLOSE} 3, ABC-DEF, heatmap-ABCDEF-report.html") == []
    assert unmarked(f"Ana (staff): {OPEN}saved{CLOSE} https://example.org/a?b=c") == []
    assert unmarked(f"{OPEN}Mostly dark{CLOSE} 1.5 and more") == ["and", "more"]
    assert unmarked("Line 3: please fill in the title.")[:2] == ["Line", "please"]
    label = widgets.HTML('<p title="Close">x <b>y</b></p><script>var z = 1;</script>')
    assert [" ".join(t.split()) for t in screen_texts(widgets.VBox([label])) if t.strip()] == ["x y", "Close"]


# -- refusals: every key the code raises is in the pack, every refusal in the pack is raised ---------


def _error_keys() -> set[str]:
    return set(yaml.safe_load((BUILT_IN / "common.yaml").read_text(encoding="utf-8"))["errors"])


def test_every_refusal_the_code_gives_has_words_in_the_pack():
    import relworkbook

    keys, asked = _error_keys(), set[str]()
    for path in Path(relworkbook.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in ("of", "error_words"):
                asked.add(str(node.args[0].value))
    assert asked and not asked - keys, f"refusals with no words in common.yaml errors: {sorted(asked - keys)}"


def test_every_refusal_in_the_pack_is_given_somewhere():
    from test_words import _code, _literals

    whole, prefixes = _literals(_code())
    unread = [k for k in sorted(_error_keys()) if k not in whole and not any(k.startswith(p) for p in prefixes)]
    assert not unread, f"common.yaml errors no code gives (remove them, or give them): {unread}"


def test_the_generic_message_falls_back_to_english_only_when_the_pack_cannot_be_read(tmp_path, monkeypatch):
    assert generic_message() == " ".join(load_errors()("generic").split())
    (tmp_path / "common.yaml").write_text("ui: [this is not: a pack", encoding="utf-8")
    monkeypatch.setenv("RELWORKBOOK_CONTENT", str(tmp_path))
    assert generic_message() == GENERIC_MESSAGE
