"""Every bad response file is refused with a message naming it, and nothing is written.

Each refusal is checked twice: the exact words the facilitator reads, and a
dump of every table before and after (byte for byte the same). Everything
accepted (a Notepad byte-order mark, boundary dates, right-to-left and emoji
names) must still go through every export afterwards. The last part drives
the real ImportPanel with many files at once, as ipywidgets 8 delivers them.
"""

from __future__ import annotations

import datetime
import json
import time
from dataclasses import dataclass
from typing import Any, Callable

import pytest

from relworkbook.components.importer import ImportPanel
from relworkbook.errors import FriendlyError
from relworkbook.exchange import (
    EARLIEST_TIME,
    OtherWorkshopFile,
    import_file,
    import_responses,
    read_response_file,
    responses_document,
    to_json,
)
from relworkbook.heatmap import report
from relworkbook.heatmap.model import payload_check
from relworkbook.story import storybook
from relworkbook.story.model import check_import
from relworkbook.story.pack import load_story_pack
from relworkbook.workshops import start_workshop

FILE = "answers.json"
NOTHING = "Nothing was imported."
BOM = b"\xef\xbb\xbf"
RAW = "@@raw@@"  # stands in for a literal JSON token spliced into the encoded file


@dataclass
class Case:
    """One workbook's side of the checks: its workshop, its payload check and one good answer."""

    store: Any
    workbook: str
    workshop: Any
    check: Callable[[Any], dict]
    answers: Callable[[], dict]
    pack: Any


def heatmap_case(store, pack) -> Case:
    workshop = start_workshop(store, workbook="heatmap", title="Hall").workshop
    first = pack.statements[0].id
    return Case(store, "heatmap", workshop, payload_check(pack), lambda: {"ratings": {first: 4}}, pack)


def story_case(store) -> Case:
    pack = load_story_pack()
    workshop = start_workshop(store, workbook="story-weaving", title="Hall").workshop

    def answers():
        return {"moments": [{"id": "m1", "phase": "honeymoon", "title": "Street party", "story": "We met everyone.",
                             "feeling": 4, "who": ["neighbours"], "shifts": {"trusting": "towards"},
                             "spirit": "", "consent": "anonymous"}],
                "sort": {"grief": "dark"}}

    return Case(store, "story-weaving", workshop, lambda a: check_import(pack, a, None), answers, pack)


@pytest.fixture(params=["heatmap", "story-weaving"])
def case(request, store, pack) -> Case:
    return heatmap_case(store, pack) if request.param == "heatmap" else story_case(store)


def entry(case: Case, n: int = 1, **fields) -> dict:
    now = time.time()
    values = {"uid": f"u{n}", "participant": f"p{n}", "round": "baseline", "group": "", "name": "",
              "answers": case.answers(), "created_at": now - 100, "updated_at": now - 50}
    values.update(fields)
    return values


def document(case: Case, entries: list | None = None, workshop: Any = None, **fields) -> dict:
    values = {"format": "relworkbook.responses", "version": 1, "workbook": case.workbook,
              "exported_at": "2024-01-01T00:00:00Z", "workshop": workshop,
              "responses": [entry(case)] if entries is None else entries}
    values.update(fields)
    return values


def encode(doc: Any, raw: str = "") -> bytes:
    """The file's bytes; ``raw`` replaces every "@@raw@@" string with a literal token (NaN, 1e400, ...)."""
    text = json.dumps(doc, ensure_ascii=False)
    return text.replace(json.dumps(RAW), raw).encode("utf-8")


def dump(store) -> list[str]:
    return list(store._db.iterdump())


def refuse(case: Case, data: bytes, name: str = FILE) -> FriendlyError:
    """Import ``data``; it must be refused, with nothing written anywhere."""
    before = dump(case.store)
    with pytest.raises(FriendlyError) as caught:
        import_responses(case.store, case.workshop, case.workbook, data, name, case.check)
    assert dump(case.store) == before
    return caught.value


def in_response(reason: str, number: int = 1) -> str:
    return f"{FILE}, response {number}: {reason} {NOTHING}"


NOT_A_NUMBER = "its '{key}' time is missing or not a number."
NOT_A_DATE = "its '{key}' time is not a real date (it must fall between 1 January 2000 and now)."
TOO_LARGE = f"{FILE} holds a number far too large for a response file ({{shown}}). {NOTHING}"
TOKEN = f"{FILE} holds {{token}}, which is not a number. {NOTHING}"
TOO_DEEP = f"{FILE} is nested more than 20 levels deep; no response file is. {NOTHING}"


# -- timestamps ------------------------------------------------------------------------

BAD_TIMES = [
    ("text", "1700000000", NOT_A_NUMBER),
    ("true", True, NOT_A_NUMBER),
    ("missing", None, NOT_A_NUMBER),
    ("list", [1700000000], NOT_A_NUMBER),
    ("negative", -5, NOT_A_DATE),
    ("zero", 0, NOT_A_DATE),
    ("1999", EARLIEST_TIME - 1, NOT_A_DATE),
    ("two days ahead", lambda: time.time() + 2 * 86_400, NOT_A_DATE),
]


@pytest.mark.parametrize("key", ["created_at", "updated_at"])
@pytest.mark.parametrize("label, value, reason", BAD_TIMES, ids=[t[0] for t in BAD_TIMES])
def test_impossible_times_are_refused(case, key, label, value, reason):
    value = value() if callable(value) else value
    error = refuse(case, encode(document(case, [entry(case, **{key: value})])))
    assert error.message == in_response(reason.format(key=key))


@pytest.mark.parametrize("key", ["created_at", "updated_at"])
@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_times_that_are_not_numbers_at_all_are_refused(case, key, token):
    error = refuse(case, encode(document(case, [entry(case, **{key: RAW})]), raw=token))
    assert error.message == TOKEN.format(token=token)


@pytest.mark.parametrize("key", ["created_at", "updated_at"])
def test_a_time_that_overflows_to_infinity_is_refused(case, key):
    error = refuse(case, encode(document(case, [entry(case, **{key: RAW})]), raw="1e400"))
    assert error.message == TOO_LARGE.format(shown="1e400")


def test_times_on_the_boundaries_are_accepted(case):
    data = encode(document(case, [entry(case, created_at=EARLIEST_TIME, updated_at=time.time() + 86_400 - 600)]))
    assert import_responses(case.store, case.workshop, case.workbook, data, FILE, case.check) == 1
    assert case.store.responses(case.workshop.id)[0].created_at == EARLIEST_TIME


# -- NaN, Infinity, huge numbers, anywhere ------------------------------------------------


def _places(case: Case) -> dict[str, dict]:
    """Documents with RAW in different places: in the answers, at the top, in the name."""
    if case.workbook == "heatmap":
        answers = {"ratings": {case.pack.statements[0].id: RAW}}
    else:
        answers = case.answers()
        answers["moments"][0]["feeling"] = RAW
    return {
        "answer": document(case, [entry(case, answers=answers)]),
        "top level": document(case, extra=RAW),
        "name": document(case, [entry(case, name=RAW)]),
        "version": document(case, version=RAW),
    }


@pytest.mark.parametrize("place", ["answer", "top level", "name", "version"])
@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_tokens_are_refused_anywhere(case, place, token):
    error = refuse(case, encode(_places(case)[place], raw=token))
    assert error.message == TOKEN.format(token=token)


HUGE = [
    ("1e400 (infinite)", "1e400", "1e400"),
    ("-1e400", "-1e400", "-1e400"),
    ("5,000 digits", "9" * 5000, "9" * 20 + "…"),
    ("10**30", str(10**30), str(10**30)[:20] + "…"),
    ("a huge float", "1.5e300", "1.5e300"),
]


@pytest.mark.parametrize("place", ["answer", "top level", "name", "version"])
@pytest.mark.parametrize("label, literal, shown", HUGE, ids=[h[0] for h in HUGE])
def test_huge_numbers_are_refused_anywhere(case, place, label, literal, shown):
    error = refuse(case, encode(_places(case)[place], raw=literal))
    assert error.message == TOO_LARGE.format(shown=shown)


# -- nesting ----------------------------------------------------------------------------


def nested(levels: int) -> Any:
    value: Any = "bottom"
    for _ in range(levels):
        value = {"deeper": value}
    return value


def test_a_hundred_thousand_nested_lists_are_refused(case):
    data = b"[" * 100_000 + b"]" * 100_000
    assert refuse(case, data).message == TOO_DEEP
    # the same, unclosed: not JSON either, but still no RecursionError
    assert refuse(case, b"[" * 100_000).message == TOO_DEEP


def test_two_hundred_nested_objects_inside_an_answer_are_refused(case):
    answers = {**case.answers(), "extra": nested(200)}
    assert refuse(case, encode(document(case, [entry(case, answers=answers)]))).message == TOO_DEEP


def test_nesting_up_to_the_limit_is_accepted_and_brackets_in_text_do_not_count(case):
    # document {, responses [, response {, answers {: 4 levels, then 16 more = 20
    answers = {**case.answers(), "extra": nested(16)}
    name = "[[[[[{{{{{" * 4
    data = encode(document(case, [entry(case, answers=answers, name=name)]))
    assert import_responses(case.store, case.workshop, case.workbook, data, FILE, case.check) == 1
    assert case.store.responses(case.workshop.id)[0].display_name == name
    deeper = encode(document(case, [entry(case, 2, answers={**case.answers(), "extra": nested(17)})]))
    assert refuse(case, deeper).message == TOO_DEEP


# -- the byte-order mark ---------------------------------------------------------------------


def test_a_byte_order_mark_is_accepted(case):
    data = BOM + encode(document(case))
    assert import_responses(case.store, case.workshop, case.workbook, data, FILE, case.check) == 1


def test_text_that_is_not_utf8_is_refused(case):
    data = encode(document(case, [entry(case, name="Zoë")])).replace("ë".encode(), b"\xeb")
    assert refuse(case, data).message == (
        f"{FILE} is not a response file (it is not JSON). Use the file from 'Download my answers' or a "
        f"facilitator's JSON export. {NOTHING}")


# -- wrong types in every field ----------------------------------------------------------------

ENTRY_FIELDS = [
    ("uid a number", {"uid": 5}, "its 'uid' is missing or not valid."),
    ("uid empty", {"uid": "  "}, "its 'uid' is missing or not valid."),
    ("uid with a space", {"uid": "a b"}, "its 'uid' is missing or not valid."),
    ("uid invisible", {"uid": "a\u200bb"}, "its 'uid' is missing or not valid."),
    ("uid too long", {"uid": "u" * 81}, "its 'uid' is missing or not valid."),
    ("participant a list", {"participant": ["p1"]}, "its 'participant' is missing or not valid."),
    ("participant missing", {"participant": None}, "its 'participant' is missing or not valid."),
    ("round a number", {"round": 3}, "its 'round' is missing or not valid."),
    ("round invisible", {"round": "\u200b\u3164"}, "Please fill in the round name."),
    ("group a number", {"group": 7}, "The group must be text."),
    ("name an object", {"name": {"first": "Ann"}}, "The name must be text."),
    ("name too long", {"name": "n" * 41}, "The name is 41 characters long; please keep it to 40 or fewer."),
    ("answers a list", {"answers": []}, "its 'answers' are missing or not in the right shape."),
    ("answers text", {"answers": "4"}, "its 'answers' are missing or not in the right shape."),
    ("answers missing", {"answers": None}, "its 'answers' are missing or not in the right shape."),
]


@pytest.mark.parametrize("label, fields, reason", ENTRY_FIELDS, ids=[f[0] for f in ENTRY_FIELDS])
def test_wrong_types_in_a_response_are_refused(case, label, fields, reason):
    assert refuse(case, encode(document(case, [entry(case, **fields)]))).message == in_response(reason)


def test_a_bad_second_response_refuses_the_whole_file(case):
    data = encode(document(case, [entry(case, 1), entry(case, 2, uid=12)]))
    assert refuse(case, data).message == in_response("its 'uid' is missing or not valid.", 2)


def test_a_response_that_is_not_an_object_is_refused(case):
    assert refuse(case, encode(document(case, [entry(case), "hello"]))).message == \
        in_response("it is not a response.", 2)


def _document_fields(case: Case) -> list[tuple[str, Any, str]]:
    other = "story-weaving" if case.workbook == "heatmap" else "heatmap"
    not_ours = f"{FILE} is JSON but not a relworkbook response file. {NOTHING}"
    version = f"{FILE} was written by a different version of the kit (format {{}}). {NOTHING}"
    shape = f"{FILE} names its workshop in a way the kit does not know. {NOTHING}"
    return [
        ("a list", [document(case)], not_ours),
        ("format wrong", document(case, format="relworkbook.other"), not_ours),
        ("format a number", document(case, format=1), not_ours),
        ("version text", document(case, version="1"), version.format("'1'")),
        ("version true", document(case, version=True), version.format("True")),
        ("version 2", document(case, version=2), version.format("2")),
        ("version 1.0", document(case, version=1.0), version.format("1.0")),
        ("version missing", document(case, version=None), version.format("None")),
        ("version a list", document(case, version=[1]), version.format("a list")),
        ("workbook a number", document(case, workbook=5),
         f"{FILE} does not say which workbook its answers are for. {NOTHING}"),
        ("workbook another", document(case, workbook=other),
         f"{FILE} holds answers for the '{other}' workbook, not this one. {NOTHING}"),
        ("workbook hiding controls", document(case, workbook="\u202eheatmap"),
         f"{FILE} holds answers for the 'heatmap' workbook, not this one. {NOTHING}"),
        ("responses an object", document(case, responses={"u1": entry(case)}),
         f"{FILE} has no list of responses. {NOTHING}"),
        ("responses missing", document(case, responses=None), f"{FILE} has no list of responses. {NOTHING}"),
        ("workshop text", document(case, workshop="ABCDEF"), shape),
        ("workshop a list", document(case, workshop=["ABCDEF"]), shape),
        ("workshop code a number", document(case, workshop={"code": 123456, "title": ""}), shape),
        ("workshop code not a code", document(case, workshop={"code": "<b>x</b>", "title": ""}), shape),
        ("workshop title a number", document(case, workshop={"code": "ABCDEF", "title": 3}), shape),
        ("workshop title too long", document(case, workshop={"code": "ABCDEF", "title": "t" * 81}), shape),
    ]


DOCUMENT_FIELD_IDS = [f[0] for f in _document_fields(Case(None, "heatmap", None, None, dict, None))]


@pytest.mark.parametrize("index", range(len(DOCUMENT_FIELD_IDS)), ids=DOCUMENT_FIELD_IDS)
def test_wrong_types_in_the_document_are_refused(case, index):
    _label, doc, message = _document_fields(case)[index]
    assert refuse(case, encode(doc)).message == message


def test_the_workbooks_own_check_still_speaks(case):
    if case.workbook == "heatmap":
        answers, reason = {"ratings": {case.pack.statements[0].id: "4"}}, "Ratings must be whole numbers from 1 to 5."
    else:
        answers, reason = {"moments": "many"}, "The moments are not in the right shape."
    assert refuse(case, encode(document(case, [entry(case, answers=answers)]))).message == in_response(reason)


def test_a_slip_in_a_workbooks_check_is_a_refusal_not_a_crash(store, pack):
    case = heatmap_case(store, pack)

    def fragile(answers):  # a real check with a real bug: int() of a text rating
        return {"ratings": {k: int(v) for k, v in answers["ratings"].items()}}

    before = dump(store)
    data = encode(document(case, [entry(case, answers={"ratings": {"a": "four"}})]))
    with pytest.raises(FriendlyError) as caught:
        import_responses(store, case.workshop, "heatmap", data, FILE, fragile)
    assert caught.value.message == in_response("its answers are not in the right shape.")
    assert dump(store) == before


def test_a_file_name_cannot_reorder_the_message(case):
    error = refuse(case, b"not json", name="\u202egnp.json")
    assert error.message.startswith("gnp.json is not a response file")


# -- a file from another workshop ---------------------------------------------------------------


def test_a_file_from_another_workshop_asks_first(case):
    data = encode(document(case, [entry(case, round="evening")], workshop={"code": "ZZZZZZ", "title": "Library"}))
    before = dump(case.store)
    with pytest.raises(OtherWorkshopFile) as caught:
        import_responses(case.store, case.workshop, case.workbook, data, FILE, case.check)
    assert dump(case.store) == before
    error = caught.value
    assert (error.code, error.title) == ("ZZZZZZ", "Library")
    assert error.message == (f"{FILE} comes from another workshop, ZZZ-ZZZ ('Library'). Nothing was imported yet: "
                             "do you want to add its answers to this workshop?")
    added = import_responses(case.store, case.workshop, case.workbook, data, FILE, case.check,
                             allow_other_workshop=True)
    assert added == 1
    assert [r.round for r in case.store.responses(case.workshop.id)] == ["evening"]


def test_a_file_from_another_untitled_workshop_names_its_code(case):
    data = encode(document(case, workshop={"code": "ZZZ-ZZZ", "title": ""}))
    with pytest.raises(OtherWorkshopFile) as caught:
        import_responses(case.store, case.workshop, case.workbook, data, FILE, case.check)
    assert caught.value.message.startswith(f"{FILE} comes from another workshop, ZZZ-ZZZ. Nothing was imported yet")


def test_a_file_from_this_workshop_and_a_solo_file_import_without_asking(case):
    own = case.workshop.code
    mine = encode(document(case, [entry(case, 1, round="baseline")],
                           workshop={"code": f"{own[:3].lower()}-{own[3:]}", "title": "Hall"}))
    solo = encode(document(case, [entry(case, 2, round="somewhere else")], workshop=None))
    assert import_responses(case.store, case.workshop, case.workbook, mine, "mine.json", case.check) == 1
    result = import_file(case.store, case.workshop, case.workbook, solo, "solo.json", case.check)
    assert (result.added, result.skipped) == (1, 0)
    again = import_file(case.store, case.workshop, case.workbook, solo, "solo.json", case.check)
    assert (again.added, again.skipped) == (0, 1)
    assert {r.round for r in case.store.responses(case.workshop.id)} == {case.workshop.current_round}


# -- what is accepted never breaks an export ----------------------------------------------------


def accepted_files(case: Case) -> list[tuple[str, bytes]]:
    now = time.time()
    return [
        ("bom.json", BOM + encode(document(case, [entry(case, 1, name="Notepad")]))),
        ("times.json", encode(document(case, [entry(case, 2, created_at=EARLIEST_TIME,
                                                    updated_at=now + 86_400 - 600)]))),
        ("names.json", encode(document(case, [
            entry(case, 3, name="\u202eمرحبا 🌻", group="שלום"),
            entry(case, 4, name="\u200b\u200b", group="👩\u200d👩\u200d👧"),
            entry(case, 5, name="\u200fעדי", group="\u2066staff\u2069"),
            entry(case, 6, name="=HYPERLINK(\"x\")", group="<b>bold</b>"),
        ]))),
        ("deep.json", encode(document(case, [entry(case, 7, answers={**case.answers(), "extra": nested(16)})]))),
    ]


def test_everything_accepted_still_exports_heatmap(store, pack):
    case = heatmap_case(store, pack)
    for name, data in accepted_files(case):
        assert import_responses(store, case.workshop, "heatmap", data, name, case.check) >= 1, name
    responses = store.responses(case.workshop.id, "heatmap")
    assert {(r.display_name, r.group_label) for r in responses} >= {
        ("مرحبا 🌻", "שלום"), ("", "👩\u200d👩\u200d👧"), ("\u200fעדי", "staff")}
    files = {f.filename: f.data for f in report.export_files(pack, case.workshop, responses,
                                                            store.notes(case.workshop.id))}
    assert any(name.endswith(".png") and data for name, data in files.items())
    # what the export shares is the workbook's rule; that it reads back in is this module's
    exported = next(data for name, data in files.items() if name.endswith("-responses.json"))
    assert read_response_file(exported, "export.json", "heatmap", case.check)
    text = to_json(responses_document("heatmap", responses, case.workshop)).encode("utf-8")
    assert len(read_response_file(text, "again.json", "heatmap", case.check)) == 7


def test_everything_accepted_still_exports_story(store, pack):
    case = story_case(store)
    for name, data in accepted_files(case):
        assert import_responses(store, case.workshop, case.workbook, data, name, case.check) >= 1, name
    responses = store.responses(case.workshop.id, case.workbook)
    assert len(responses) == 7
    files = {f.filename: f.data for f in storybook.export_files(case.pack, case.workshop, responses)}
    assert any(name.endswith("-storybook.html") for name in files)
    exported = next(data for name, data in files.items() if name.endswith("-responses.json"))
    assert read_response_file(exported, "export.json", case.workbook, case.check)
    text = to_json(responses_document(case.workbook, responses, case.workshop)).encode("utf-8")
    assert len(read_response_file(text, "again.json", case.workbook, case.check)) == 7


# -- the import panel: many files at once ---------------------------------------------------------


def uploaded(*files: tuple[str, bytes]) -> tuple[dict, ...]:
    """What ipywidgets 8's FileUpload puts in ``value`` (its serialiser needs a real datetime)."""
    when = datetime.datetime.now(datetime.timezone.utc)
    return tuple({"name": name, "type": "application/json", "size": len(data), "content": memoryview(data),
                  "last_modified": when} for name, data in files)


@pytest.fixture
def panel(store, pack, ui):
    case = heatmap_case(store, pack)
    added: list[int] = []
    widget = ImportPanel(ui=ui, store=store, workbook="heatmap", workshop=lambda: store.workshop(case.workshop.id),
                         check_payload=case.check, on_imported=added.append)
    widget.case, widget.added = case, added
    return widget


def test_many_files_end_in_one_summary(panel, store):
    case = panel.case
    two = encode(document(case, [entry(case, 1), entry(case, 2)]))
    one = encode(document(case, [entry(case, 3)]))
    half_bad = encode(document(case, [entry(case, 4), entry(case, 5, created_at="yesterday")]))
    panel.upload.value = uploaded(("two.json", two), ("one.json", one), ("copy.json", two),
                                  ("half.json", half_bad), ("notes.txt", b"Remember the biscuits"),
                                  ("nan.json", encode(document(case, [entry(case, 6, updated_at=RAW)]), raw="NaN")))
    assert panel.status.kind == "error"
    assert panel.status.message == (
        "Added answers from 2 files: 3. Skipped because they were already here: 2. "
        "half.json, response 2: its 'created_at' time is missing or not a number. Nothing was imported. "
        "notes.txt is not a response file (it is not JSON). Use the file from 'Download my answers' or a "
        "facilitator's JSON export. Nothing was imported. "
        "nan.json holds NaN, which is not a number. Nothing was imported.")
    assert sorted(r.uid for r in store.responses(case.workshop.id)) == ["u1", "u2", "u3"]
    assert panel.added == [3]
    assert panel.upload.value == ()
    assert panel.other.layout.display == "none"


def test_one_good_file_and_one_already_imported(panel, store):
    case = panel.case
    data = encode(document(case, [entry(case, 1)]))
    panel.upload.value = uploaded(("mine.json", data))
    assert (panel.status.kind, panel.status.message) == ("success", "Added answers from mine.json: 1.")
    panel.upload.value = uploaded(("mine.json", data))
    assert (panel.status.kind, panel.status.message) == (
        "success", "mine.json holds no answers that are not already here. Skipped because they were already here: 1.")
    panel.upload.value = uploaded(("a.json", data), ("b.json", data))
    assert panel.status.message == (
        "None of the 2 files holds answers that are not already here. Skipped because they were already here: 2.")
    assert len(store.responses(case.workshop.id)) == 1 and panel.added == [1]


def test_an_oversized_file_among_good_ones(panel, store):
    case = panel.case
    big = b"{" + b" " * (6 * 1024 * 1024)
    panel.upload.value = uploaded(("big.json", big), ("ok.json", encode(document(case))))
    assert panel.status.message == (
        "Added answers from ok.json: 1. big.json is 6.0 MB; the limit is 5 MB. Nothing was imported from it.")
    assert len(store.responses(case.workshop.id)) == 1


def other_workshop_file(case: Case, *numbers: int, title: str = "Library") -> bytes:
    return encode(document(case, [entry(case, n, round="evening") for n in numbers],
                           workshop={"code": "ZZZZZZ", "title": title}))


def test_files_from_another_workshop_wait_and_can_be_added_anyway(panel, store):
    case = panel.case
    panel.upload.value = uploaded(("mine.json", encode(document(case, [entry(case, 1)]))),
                                  ("library.json", other_workshop_file(case, 2, 3, title="<b>Library</b>")))
    assert panel.status.kind == "success"
    assert panel.status.message == (
        "Added answers from mine.json: 1. Answers from another workshop are waiting for your choice below.")
    assert [r.uid for r in store.responses(case.workshop.id)] == ["u1"]
    assert panel.other.layout.display is None
    listed = panel.other_list.value
    assert "library.json, from workshop ZZZ-ZZZ (&#x27;&lt;b&gt;Library&lt;/b&gt;&#x27;)" in listed
    assert "<b>Library" not in listed
    assert panel.add_anyway.description == "Add them anyway" and panel.leave_out.description == "Leave them out"
    panel.add_anyway.click()
    assert (panel.status.kind, panel.status.message) == ("success", "Added answers from library.json: 2.")
    assert sorted((r.uid, r.round) for r in store.responses(case.workshop.id)) == [
        ("u1", "baseline"), ("u2", "evening"), ("u3", "evening")]
    assert panel.other.layout.display == "none" and panel.pending == {}
    assert panel.added == [1, 2]


def test_files_from_another_workshop_can_be_left_out(panel, store):
    case = panel.case
    before = dump(store)
    panel.upload.value = uploaded(("library.json", other_workshop_file(case, 1)),
                                  ("hall.json", other_workshop_file(case, 2)))
    assert (panel.status.kind, panel.status.message) == (
        "info", "Answers from another workshop are waiting for your choice below.")
    assert "library.json" in panel.other_list.value and "hall.json" in panel.other_list.value
    panel.leave_out.click()
    assert (panel.status.kind, panel.status.message) == (
        "info", "Left out, nothing imported from: library.json, hall.json.")
    assert dump(store) == before
    assert panel.other.layout.display == "none" and panel.added == []
