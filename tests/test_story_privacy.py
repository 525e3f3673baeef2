"""Story weaving keeps its privacy promises on every path: screens, downloads, files and the database.

Everything here is real: a SQLite store in tmp_path, workshops started and joined
through relworkbook.workshops, participants and the facilitator driven through their
widgets. Each test failed on the code before these rules were made true.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import re
import subprocess
import sys
import textwrap

import pytest

from relworkbook.content import load_ui
from relworkbook.exchange import import_responses, to_csv, to_json
from relworkbook.store import Store
from relworkbook.story.facilitator import StoryFacilitatorView
from relworkbook.story.model import (
    WORKBOOK,
    SharedMoment,
    check_import,
    feeling_curve,
    people_count,
    response_entries,
    shared_moments,
    sort_results,
    sort_results_by_group,
    timeline,
)
from relworkbook.story.pack import load_story_pack
from relworkbook.story.participant import StoryParticipantView, StorySoloView
from relworkbook.story.sealed import SEALED, SealError, open_payload, seal, seal_payload, unseal
from relworkbook.story.sharing import share_responses
from relworkbook.story.storybook import facilitator_document, facilitator_rows
from relworkbook.workshops import Membership, join, resume, start_workshop

SECRET = "SECRET-PRIVATE"
NAMED = "NAMED-PERSON"
GROUP = "GROUP-ONE"
ANON_TITLE, ANON_STORY, ANON_SPIRIT = "ANON-TITLE", "ANON-STORY told without a name", "ANON-SPIRIT"


@pytest.fixture
def pack():
    return load_story_pack()


# -- driving the real views ---------------------------------------------------------------


def participant(store, pack, access, name="", group="") -> StoryParticipantView:
    membership = join(store, access.workshop.code, WORKBOOK, display_name=name, group_label=group)
    return StoryParticipantView(pack=pack, ui=load_ui(), store=store, membership=membership)


def reopen(store, pack, view) -> StoryParticipantView:
    """The same person coming back through their personal link."""
    membership = resume(store, view.workshop.code, view.membership.token, WORKBOOK)
    return StoryParticipantView(pack=pack, ui=load_ui(), store=store, membership=membership)


def facilitator(store, pack, access) -> StoryFacilitatorView:
    return StoryFacilitatorView(pack=pack, ui=load_ui(), store=store, access=access)


def tell(view, *, title, story, consent="anonymous", phase="honeymoon", feeling=3, spirit=""):
    form = view.editor.form
    form.phase.value = phase
    form.title.value, form.story.value, form.feeling.value = title, story, feeling
    form.spirit.value, form.consent.value = spirit, consent
    view.editor.save_button.click()
    assert view.editor.status.kind == "success", view.editor.status.message


def sort(view, choices):
    for statement, choice in choices.items():
        view.editor.sort_choices[statement].value = choice
    view.editor.save_sort()
    assert view.editor.sort_status.kind == "success", view.editor.sort_status.message


def cards(view) -> list[str]:
    """The Stories tab's cards, one HTML string each."""
    return [c.children[0].value for c in view.stories.children if hasattr(c, "children")]


def upload(importer, name: str, data: bytes) -> None:
    importer.upload.value = ({"name": name, "type": "application/json", "size": len(data),
                              "content": memoryview(data),
                              "last_modified": datetime.datetime.now(datetime.timezone.utc)},)


def stored(store, access):
    return store.responses(access.workshop.id, WORKBOOK)


# -- 1. the feeling curve counts people -----------------------------------------------------


def test_one_person_with_three_moments_in_a_phase_is_one_person(pack, store):
    access = start_workshop(store, workbook=WORKBOOK, min_group=3)
    alone = participant(store, pack, access)
    for n, feeling in enumerate((1, 2, 1)):
        tell(alone, title=f"Moment {n}", story=f"Story {n}", feeling=feeling)
    curve = feeling_curve(shared_moments(response_entries(stored(store, access))), timeline(pack), 3)
    assert (curve[0].count, curve[0].rated, curve[0].people, curve[0].mean) == (3, 3, 1, None)
    assert curve[0].hidden

    view = facilitator(store, pack, access)
    assert "rw-waiting" in view.curve_chart.value
    # One person's moments are not even published yet (steps of k, sharing.py).
    assert "Moment 0" not in view.weave_tables.value
    assert "1.3" not in view.weave_tables.value  # (1 + 2 + 1) / 3: one person's own average

    for n in range(2):  # two more people: now three people said how the phase felt
        tell(participant(store, pack, access), title=f"Other {n}", story="x", feeling=5)
    curve = feeling_curve(shared_moments(response_entries(stored(store, access))), timeline(pack), 3)
    assert curve[0].people == 3 and curve[0].mean == round((4 / 3 + 5 + 5) / 3, 2)  # each person once


def test_a_files_anonymous_parts_may_be_anyone_so_people_are_counted_at_the_least():
    assert people_count({"a", "b"}) == 2
    assert people_count({"a", "anon:1", "anon:2"}) == 2  # each part may be "a" or another part's teller
    assert people_count({"a", "b", "c", "anon:1"}) == 3
    moments = [SharedMoment(id=str(n), phase="honeymoon", title="t", story="s", feeling=3, who=(), shifts=(),
                            spirit="", name="", group="", teller=teller)
               for n, teller in enumerate(["p", "anon:x", "anon:y"])]
    assert feeling_curve(moments, timeline(load_story_pack()), 3)[0].mean is None


# -- 2. the Dark and the Light by group ------------------------------------------------------


def test_a_group_is_hidden_wherever_another_group_is_hidden(pack):
    rows = [("staff", {"grief": "dark", "bonds": "light"})] * 3 + [("manager", {"grief": "light", "bonds": "light"})]
    rows += [("manager", {"bonds": "dark"}), ("manager", {"bonds": "dark"})]
    by_group = {label: {r.id: r for r in results} for label, results in sort_results_by_group(rows, pack, 3).items()}
    assert by_group["manager"]["grief"].hidden  # one manager sorted it
    # Staff's 3 would be shown on their own; "everyone" minus staff would then give the manager's choice away.
    assert by_group["staff"]["grief"].hidden and by_group["staff"]["grief"].counts is None
    assert by_group["staff"]["grief"].people == 3
    assert by_group["staff"]["bonds"].counts == {"dark": 0, "light": 3, "both": 0, "not_ours": 0}
    assert by_group["manager"]["bonds"].counts["dark"] == 2  # both groups have 3: shown
    everyone = {r.id: r for r in sort_results((s for _, s in rows), pack, 3)}
    assert everyone["grief"].counts["dark"] == 3  # the whole group is shown: it hides no one


def test_people_without_a_group_count_as_a_group_of_their_own(pack):
    rows = [("staff", {"grief": "dark"})] * 3 + [("", {"grief": "light"})]
    assert sort_results_by_group(rows, pack, 3)["staff"][[s.id for s in pack.statements].index("grief")].hidden


def test_the_group_filter_applies_k_per_statement_per_group(pack, store):
    access = start_workshop(store, workbook=WORKBOOK, min_group=3)
    for _ in range(3):
        sort(participant(store, pack, access, group="staff"), {"grief": "dark"})
    sort(participant(store, pack, access, group="manager"), {"grief": "light"})
    view = facilitator(store, pack, access)
    assert set(view.group_filter.options) == {view.all_groups, "staff", "manager"}
    assert "Dark (75%)" in view.sorting.value  # everyone: 3 of 4
    view.group_filter.value = "staff"
    # Hidden with the manager's row (else everyone minus staff would show it), in the one wording for hidden.
    assert "hidden (fewer than 3 sorted it)" in view.sorting.value and "also hidden where" in view.sorting.value
    assert "Dark (100%)" not in view.sorting.value
    view.group_filter.value = "manager"
    assert "hidden (fewer than 3 sorted it)" in view.sorting.value and "Light (100%)" not in view.sorting.value


# -- 3. a moment shared without a name ----------------------------------------------------------


def seed_named_and_anonymous(store, pack, access):
    """NAMED-PERSON of GROUP-ONE names one moment and shares another without a name; two others join."""
    person = participant(store, pack, access, name=NAMED, group=GROUP)
    tell(person, title="Named title", story="Told with my name", consent="named", spirit="Named spirit")
    tell(person, title=ANON_TITLE, story=ANON_STORY, consent="anonymous", spirit=ANON_SPIRIT)
    sort(person, {"grief": "dark"})
    for n in range(2):
        other = participant(store, pack, access, name=f"Other {n}", group="GROUP-MANY")
        tell(other, title=f"Other {n} named", story="Our street", consent="named")
        tell(other, title=f"Other {n} unnamed", story="Our stair", consent="anonymous")
    return person


def anonymous_card_is_apart(html_cards):
    with_anon = [c for c in html_cards if ANON_STORY in c]
    assert with_anon, "the anonymous moment should be shown"
    for card in with_anon:
        assert NAMED not in card and GROUP not in card


def test_an_anonymous_moment_carries_neither_name_nor_group_on_screen(pack, store):
    access = start_workshop(store, workbook=WORKBOOK, min_group=1)
    seed_named_and_anonymous(store, pack, access)
    view = facilitator(store, pack, access)
    anonymous_card_is_apart(cards(view))
    assert any(NAMED in c and GROUP in c for c in cards(view))  # the named one keeps both
    view.group_filter.value = GROUP  # the group's results: its named moments only
    shown = " ".join(cards(view)) + view.weave_tables.value + view.curve_chart.value
    assert "Told with my name" in shown and "Named spirit" in shown
    assert ANON_STORY not in shown and ANON_TITLE not in shown and ANON_SPIRIT not in shown


def test_no_list_puts_an_anonymous_moment_beside_its_tellers_named_one(pack, store):
    access = start_workshop(store, workbook=WORKBOOK, min_group=1)
    seed_named_and_anonymous(store, pack, access)
    moments = shared_moments(response_entries(stored(store, access)))
    kinds = [m.consent for m in moments]
    assert kinds == sorted(kinds, key=lambda c: c != "named")  # every named moment before every anonymous one
    rows, columns = facilitator_rows(pack, store.workshop(access.workshop.id), stored(store, access))
    anonymous_rows = [r for r in rows if r["consent"] == "anonymous"]
    assert all(r["name"] == "" and r["group"] == "" for r in anonymous_rows)
    assert rows.index(anonymous_rows[0]) == sum(r["consent"] == "named" for r in rows)


def test_the_json_splits_each_answer_into_a_named_and_an_anonymous_part(pack, store):
    access = start_workshop(store, workbook=WORKBOOK, min_group=1)
    person = seed_named_and_anonymous(store, pack, access)
    workshop = store.workshop(access.workshop.id)
    responses = stored(store, access)
    original = next(r for r in responses if r.participant_uid == person.membership.participant.uid)
    document = facilitator_document(pack, workshop, responses)
    entries = document["responses"]
    named = [e for e in entries if not e["participant"].startswith("anon-")]
    parts = [e for e in entries if e["participant"].startswith("anon-")]
    assert entries == named + parts  # anonymous parts after every named part
    mine = next(e for e in named if e["uid"] == original.uid)
    assert (mine["name"], mine["group"], mine["answers"]["sort"]) == (NAMED, GROUP, {"grief": "dark"})
    assert [m["title"] for m in mine["answers"]["moments"]] == ["Named title"]
    part = next(e for e in parts if ANON_STORY in json.dumps(e))
    assert (part["name"], part["group"], part["answers"]["sort"]) == ("", "", {})
    assert [m["title"] for m in part["answers"]["moments"]] == [ANON_TITLE]
    assert original.uid not in json.dumps(part) and original.participant_uid not in json.dumps(part)
    assert part["uid"] != hashlib.sha256(original.uid.encode()).hexdigest()[:32]  # keyed, not a plain hash
    assert {part["created_at"], part["updated_at"]}.isdisjoint({mine["created_at"], mine["updated_at"]})
    assert len({(p["created_at"], p["updated_at"]) for p in parts}) == 1  # every part the same times
    assert [p["uid"] for p in parts] == sorted(p["uid"] for p in parts)
    reversed_document = facilitator_document(pack, workshop, list(reversed(responses)))
    assert [e["uid"] for e in reversed_document["responses"] if e["participant"].startswith("anon-")] == \
        [p["uid"] for p in parts]  # not tied to the order people answered in
    shared = share_responses(pack, workshop, responses)  # what the lead's export layer hands on
    assert share_responses(pack, workshop, shared) == shared  # the rule can be applied twice
    assert facilitator_document(pack, workshop, shared)["responses"] == entries
    assert facilitator_rows(pack, workshop, shared) == facilitator_rows(pack, workshop, responses)
    elsewhere = store.workshop(start_workshop(store, workbook=WORKBOOK).workshop.id)
    other_keyed = facilitator_document(pack, elsewhere, responses)["responses"]
    assert part["uid"] not in {e["uid"] for e in other_keyed}  # keyed with the workshop's own secret


def test_the_json_re_imports_without_loss(pack, store, tmp_path):
    access = start_workshop(store, workbook=WORKBOOK, min_group=1)
    seed_named_and_anonymous(store, pack, access)
    first = facilitator_document(pack, store.workshop(access.workshop.id), stored(store, access))
    data = to_json(first).encode("utf-8")

    fresh_store = Store(tmp_path / "fresh.sqlite3")
    fresh = start_workshop(fresh_store, workbook=WORKBOOK)
    check = lambda answers: check_import(pack, answers, None)  # noqa: E731 - the facilitator's own check
    added = import_responses(fresh_store, fresh.workshop, WORKBOOK, data, "export.json", check,
                             allow_other_workshop=True)
    assert added == len(first["responses"])
    again = facilitator_document(pack, fresh_store.workshop(fresh.workshop.id),
                                 fresh_store.responses(fresh.workshop.id, WORKBOOK))

    def moments(document):
        return sorted((json.dumps(m, sort_keys=True) for e in document["responses"] for m in e["answers"]["moments"]))

    def named_parts(document):
        return sorted((e["uid"], e["name"], e["group"], json.dumps(e["answers"], sort_keys=True))
                      for e in document["responses"] if not e["participant"].startswith("anon-"))

    assert moments(again) == moments(first) and len(moments(first)) == 6
    assert named_parts(again) == named_parts(first)
    assert import_responses(fresh_store, fresh.workshop, WORKBOOK, to_json(again).encode(), "again.json", check,
                            allow_other_workshop=True) == 0  # its anonymous parts kept their ids
    # Back into the workshop it came from: the anonymous parts arrive beside their answers, yet
    # every view and file still holds each moment once.
    import_responses(store, store.workshop(access.workshop.id), WORKBOOK, data, "export.json", check)
    back = facilitator_document(pack, store.workshop(access.workshop.id), stored(store, access))
    assert moments(back) == moments(first)
    assert len(shared_moments(response_entries(stored(store, access)))) == 6
    fresh_store.close()


# -- 4. private moments, sealed ----------------------------------------------------------------


def test_seal_opens_only_with_the_same_token_and_context():
    token = seal("the-personal-token", {"moments": [{"story": SECRET}]}, "participant-1")
    assert SECRET not in token and token.startswith("v1:")
    assert unseal("the-personal-token", token, "participant-1") == {"moments": [{"story": SECRET}]}
    with pytest.raises(SealError):
        unseal("another-token", token, "participant-1")
    with pytest.raises(SealError):
        unseal("the-personal-token", token, "participant-2")  # copied onto someone else's answer
    with pytest.raises(SealError):
        unseal("the-personal-token", token[:-4] + "AAAA", "participant-1")  # damaged
    assert seal("t", [1], "c") != seal("t", [1], "c")  # a fresh salt and nonce every time


def test_a_payload_keeps_its_order_and_seals_only_private_moments():
    payload = {"moments": [{"id": "a", "consent": "named"}, {"id": "b", "consent": "private", "story": SECRET},
                           {"id": "c", "consent": "anonymous"}], "sort": {"grief": "dark"}}
    sealed = seal_payload(payload, "tok", "p")
    assert [m["id"] for m in sealed["moments"]] == ["a", "c"] and SECRET not in json.dumps(sealed)
    assert open_payload(sealed, "tok", "p") == payload
    assert SEALED not in seal_payload({"moments": payload["moments"][:1], "sort": {}}, "tok", "p")
    with pytest.raises(SealError):
        open_payload(sealed, "not-the-token", "p")


def test_private_moments_are_stored_sealed_and_open_on_the_tellers_own_page(pack, store):
    access = start_workshop(store, workbook=WORKBOOK, min_group=1)
    person = participant(store, pack, access, name="Ana")
    tell(person, title="Shared one", story="For the room", consent="named")
    tell(person, title="Mine only", story=SECRET, consent="private")
    tell(person, title="Last one", story="Also for the room")
    saved = stored(store, access)[0]
    assert SECRET not in json.dumps(saved.payload) and "Mine only" not in json.dumps(saved.payload)
    assert saved.payload[SEALED] and all(m["consent"] != "private" for m in saved.payload["moments"])

    again = reopen(store, pack, person)  # the personal link opens them, in their place
    assert [m["title"] for m in again.editor.moments] == ["Shared one", "Mine only", "Last one"]
    assert any(SECRET in c.children[0].value for c in again.editor.mine.children)
    again.editor.edit(next(m["id"] for m in again.editor.moments if m["title"] == "Mine only"))
    again.editor.form.story.value = SECRET + " edited"
    again.editor.save_button.click()
    assert SECRET not in json.dumps(stored(store, access)[0].payload)
    again.prepare_download()
    answers = next(f for f in again.downloads.files if f.filename.endswith("answers.json"))
    mine = json.loads(answers.data)["responses"][0]["answers"]
    assert SEALED not in mine and any(m["story"] == SECRET + " edited" for m in mine["moments"])  # in plain

    stranger = StoryParticipantView(pack=pack, ui=load_ui(), store=store, membership=Membership(
        again.membership.workshop, again.membership.participant, "not-their-token"))
    assert stranger.status.kind == "error" and "could not be opened" in stranger.status.message
    assert [m["title"] for m in stranger.editor.moments] == ["Shared one", "Last one"]
    tell(stranger, title="Added later", story="x")  # saving keeps the sealed field it could not open
    back = reopen(store, pack, person)
    assert "Mine only" in [m["title"] for m in back.editor.moments]


def test_facilitator_files_hold_no_private_moment_not_even_sealed(pack, store):
    access = start_workshop(store, workbook=WORKBOOK, min_group=1)
    person = participant(store, pack, access, name="Ana")
    tell(person, title="Shared", story="For the room", consent="named")
    tell(person, title="Kept", story=SECRET, consent="private")
    sealed_field = stored(store, access)[0].payload[SEALED]
    view = facilitator(store, pack, access)
    view.prepare_exports()
    workshop = store.workshop(access.workshop.id)
    rows, columns = facilitator_rows(pack, workshop, stored(store, access))
    texts = [f.data.decode("utf-8") for f in view.downloads.files]
    texts += [to_json(facilitator_document(pack, workshop, stored(store, access))), to_csv(rows, columns)]
    for text in texts:
        assert SECRET not in text and sealed_field not in text and '"sealed"' not in text
        assert sealed_field[3:40] not in text


def test_on_their_own_nothing_is_stored_and_the_download_keeps_private_moments(pack, store):
    solo = StorySoloView(pack=pack, ui=load_ui())
    tell(solo, title="Alone", story=SECRET, consent="private")
    assert any(SECRET.encode() in f.data for f in solo.downloads.files)
    document = json.loads(next(f.data for f in solo.downloads.files if f.filename.endswith(".json")))
    assert SEALED not in document["responses"][0]["answers"]


def test_importing_a_file_leaves_private_moments_out_and_says_so(pack, store):
    access = start_workshop(store, workbook=WORKBOOK, min_group=1)
    solo = StorySoloView(pack=pack, ui=load_ui())
    tell(solo, title="For the group", story="Shared from home")
    tell(solo, title="Mine", story=SECRET, consent="private")
    data = next(f.data for f in solo.downloads.files if f.filename.endswith(".json"))
    view = facilitator(store, pack, access)
    upload(view.importer, "mine.json", data)
    assert view.importer.status.kind == "success", view.importer.status.message
    assert "Private moments left out: 1." in view.importer.status.message
    assert SECRET not in json.dumps([r.payload for r in stored(store, access)])
    upload(view.importer, "mine.json", data)  # nothing new: still says what happened to the private one
    assert "Private moments left out: 1." in view.importer.status.message


def modules_after(script: str, tmp_path) -> set[str]:
    code = textwrap.dedent(f"""
        import os, sys, json
        os.environ["RELWORKBOOK_DATA"] = {str(tmp_path / "lean.sqlite3")!r}
        from relworkbook.store import open_store
        from relworkbook.workshops import start_workshop, join
        from relworkbook.story.pack import load_story_pack
        from relworkbook.story.participant import StoryParticipantView
        from relworkbook.content import load_ui
        store = open_store()
        code = start_workshop(store, workbook="story-weaving").workshop.code
        view = StoryParticipantView(pack=load_story_pack(), ui=load_ui(), store=store,
                                    membership=join(store, code, "story-weaving"))
        def tell(consent):
            form = view.editor.form
            form.phase.value = form.phase.options[0][1]
            form.title.value, form.story.value, form.consent.value = "A title", "A story", consent
            view.editor.save_button.click()
            assert view.editor.status.kind == "success", view.editor.status.message
        {script}
        print(json.dumps(sorted(sys.modules)))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return {m.split(".")[0] for m in json.loads(out.strip().splitlines()[-1])}


def test_cryptography_loads_only_for_someone_with_private_moments(tmp_path):
    assert "cryptography" not in modules_after("tell('anonymous'); tell('named'); view.prepare_download()", tmp_path)
    assert "cryptography" in modules_after("tell('private')", tmp_path)


# -- 5. the contract: seed a workshop, read everything a facilitator can ------------------------------


def _json_objects(value):
    """Every response entry and moment of a JSON document, one by one."""
    if isinstance(value, dict):
        if "answers" in value or "story" in value:
            yield value
        for child in value.values():
            yield from _json_objects(child)
    elif isinstance(value, list):
        for child in value:
            yield from _json_objects(child)


def test_contract_nothing_private_anywhere_and_anonymous_apart_from_names(pack, store, tmp_path):
    access = start_workshop(store, workbook=WORKBOOK, title="Contract", min_group=3)
    person = seed_named_and_anonymous(store, pack, access)
    tell(person, title="Kept to myself", story=f"{SECRET} story", consent="private", spirit=f"{SECRET} spirit")
    alone = participant(store, pack, access, name="Solo Sam", group="GROUP-SOLO")  # a one-person group
    tell(alone, title="Sam's unnamed", story="From the lonely group", consent="anonymous")
    sort(alone, {"grief": "light"})
    for _ in range(2):
        sort(participant(store, pack, access, group="GROUP-MANY"), {"grief": "dark", "bonds": "light"})

    view = facilitator(store, pack, access)
    view.toggle("pinned", next(m["id"] for m in person.editor.moments if m["title"] == ANON_TITLE))
    screens, card_html = [], []
    for option in view.group_filter.options:
        view.group_filter.value = option
        screens += [view.curve_chart.value, view.weave_tables.value, view.sorting.value, view.session.counts.value]
        card_html += cards(view)
        if option == GROUP:
            assert ANON_STORY not in view.weave_tables.value + " ".join(cards(view))
        if option == "GROUP-SOLO":
            assert "Light (100%)" not in view.sorting.value  # one person: hidden
    view.group_filter.value = view.all_groups
    view.prepare_exports()
    files = {f.filename: f.data for f in view.downloads.files}
    workshop = store.workshop(access.workshop.id)
    document = facilitator_document(pack, workshop, stored(store, access))
    rows, columns = facilitator_rows(pack, workshop, stored(store, access))
    store.close()
    database = b"".join(p.read_bytes() for p in tmp_path.glob("workshops.sqlite3*"))

    everything = [*screens, *card_html, *(d.decode("utf-8") for d in files.values()), json.dumps(document),
                  to_csv(rows, columns)]
    for text in everything:
        assert SECRET not in text and "Kept to myself" not in text
    assert SECRET.encode() not in database and b"Kept to myself" not in database
    assert ANON_STORY.encode() in database  # the file is the right one

    # The anonymous moment never shares a card, a JSON object or a CSV row with the teller's name or group.
    storybook = files[f"story-weaving-{workshop.code}-storybook.html"].decode("utf-8")
    articles = re.findall(r'<article class="moment">.*?</article>', storybook, flags=re.S)
    anonymous_card_is_apart(card_html)
    anonymous_card_is_apart(articles)  # pinned: printed in full, as Anonymous
    objects = [json.dumps(o, ensure_ascii=False) for o in _json_objects(document)]
    assert any(ANON_STORY in o for o in objects)
    for text in objects:
        if ANON_STORY in text:
            assert NAMED not in text and GROUP not in text
    for name, data in files.items():
        if name.endswith(".csv"):
            for row in csv.reader(io.StringIO(data.decode("utf-8"))):
                if any(ANON_STORY in cell for cell in row):
                    assert NAMED not in row and GROUP not in row, name
    for row in rows:
        if row["story"] == ANON_STORY:
            assert NAMED not in row.values() and GROUP not in row.values()


# -- withdrawals take effect at once -----------------------------------------------------------


def _three_named_stories(store, pack):
    access = start_workshop(store, workbook=WORKBOOK, min_group=3)
    tellers = [participant(store, pack, access, name=f"T{n}") for n in range(3)]
    for n, view in enumerate(tellers):
        tell(view, title=f"Shown {n}", story=f"WITHDRAW-ME-{n}", consent="named")
    view = facilitator(store, pack, access)
    assert all(f"WITHDRAW-ME-{n}" in "".join(cards(view)) for n in range(3))
    return access, tellers, view


def _change_consent(teller, consent):
    editor = teller.editor
    editor.edit(editor.moments[0]["id"])
    editor.form.consent.value = consent
    editor.save_button.click()


def test_a_story_deleted_or_made_private_leaves_every_view_at_once(pack, store):
    """Two changes (fewer than k): nothing new is published, but what was taken back goes at once."""
    from relworkbook import sharing

    access, tellers, view = _three_named_stories(store, pack)
    tellers[0].editor.delete(tellers[0].editor.moments[0]["id"])
    _change_consent(tellers[1], "private")
    view.refresh(force=True)
    assert "2 people" in view.waiting.value  # no new step of k...
    shown = "".join(cards(view))
    assert "WITHDRAW-ME-0" not in shown and "WITHDRAW-ME-1" not in shown and "WITHDRAW-ME-2" in shown
    document = json.dumps(facilitator_document(pack, access.workshop, sharing.shared(store, access.workshop, pack)))
    assert "WITHDRAW-ME-0" not in document and "WITHDRAW-ME-1" not in document


def test_a_name_taken_back_leaves_at_once(pack, store):
    access, tellers, view = _three_named_stories(store, pack)
    _change_consent(tellers[2], "anonymous")
    view.refresh(force=True)
    assert "1 person" in view.waiting.value
    card = next(c for c in cards(view) if "WITHDRAW-ME-2" in c)
    assert "T2" not in card
