"""Starting, joining and resuming workshops."""

from __future__ import annotations

import pytest

from relworkbook.errors import FriendlyError
from relworkbook.workshops import (
    CODE_ALPHABET,
    facilitator_link,
    format_code,
    join,
    normalise_code,
    open_as_facilitator,
    participant_link,
    resume,
    resume_link,
    start_workshop,
)


def test_codes_avoid_characters_people_confuse(store):
    codes = {start_workshop(store, workbook="heatmap").workshop.code for _ in range(40)}
    assert len(codes) == 40
    for code in codes:
        assert len(code) == 6 and set(code) <= set(CODE_ALPHABET)
    assert not set("0O1IL") & set(CODE_ALPHABET)


def test_typed_codes_are_forgiving():
    assert normalise_code(" abc-def ") == "ABCDEF"
    assert format_code("ABCDEF") == "ABC-DEF"


def test_only_a_hash_of_the_facilitator_key_is_stored(store):
    access = start_workshop(store, workbook="heatmap", title="Town hall")
    row = store._read("SELECT * FROM workshops")[0]
    assert access.key not in tuple(str(v) for v in row)
    assert open_as_facilitator(store, access.workshop.code, access.key, "heatmap").workshop.title == "Town hall"


def test_wrong_facilitator_key_is_refused(store):
    access = start_workshop(store, workbook="heatmap")
    with pytest.raises(FriendlyError, match="facilitator link is not complete or not right"):
        open_as_facilitator(store, access.workshop.code, access.key[:-1] + "x", "heatmap")
    with pytest.raises(FriendlyError):
        open_as_facilitator(store, access.workshop.code, "", "heatmap")


def test_unknown_code_and_other_workbook(store):
    with pytest.raises(FriendlyError, match="There is no workshop with the code ZZZ-ZZZ") as unknown:
        join(store, "zzz zzz", "heatmap")
    with pytest.raises(FriendlyError, match="type the workshop code"):
        join(store, "  ", "heatmap")
    code = start_workshop(store, workbook="story-weaving").workshop.code
    with pytest.raises(FriendlyError) as other:
        join(store, code, "heatmap")
    # Another workbook's code is answered like a code nobody has: a guesser learns nothing.
    assert other.value.message == unknown.value.message.replace("ZZZ-ZZZ", format_code(code))


def test_locked_workshop_refuses_new_joiners(store):
    access = start_workshop(store, workbook="heatmap")
    store.update_workshop(access.workshop.id, locked=True)
    with pytest.raises(FriendlyError, match="This round is closed just now"):
        join(store, access.workshop.code, "heatmap")


def test_join_is_anonymous_by_default_and_resumes_with_token(store):
    access = start_workshop(store, workbook="heatmap")
    seat = join(store, access.workshop.code.lower(), "heatmap")
    assert seat.participant.display_name == "" and seat.participant.group_label == ""
    again = resume(store, access.workshop.code, seat.token, "heatmap")
    assert again.participant.uid == seat.participant.uid
    with pytest.raises(FriendlyError, match="could not find your earlier answers"):
        resume(store, access.workshop.code, "not-a-token", "heatmap")


def test_overlong_name_is_refused_politely(store):
    access = start_workshop(store, workbook="heatmap")
    with pytest.raises(FriendlyError, match="The name is 500 characters long"):
        join(store, access.workshop.code, "heatmap", display_name="x" * 500)


def test_links_carry_only_the_kits_own_parameters():
    base = "https://hub.example/user/abc/voila/render/heatmap.ipynb"
    assert participant_link(base, "ABCDEF") == base + "?join=ABCDEF"
    assert facilitator_link(base, "ABCDEF", "k&y") == base + "?facilitate=ABCDEF&key=k%26y"
    assert resume_link(base, "ABCDEF", "t/k") == base + "?join=ABCDEF&me=t%2Fk"
