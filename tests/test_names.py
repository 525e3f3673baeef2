"""Names and every typed text: no reordering controls, no invisible names, real writing kept exactly."""

from __future__ import annotations

import pytest

from relworkbook.errors import FriendlyError
from relworkbook.text import clean_text
from relworkbook.workshops import hash_secret, join, start_workshop

BIDI_CONTROLS = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]

REAL_WRITING = [
    "مرحبا بالعالم",  # Arabic
    "שלום עולם",  # Hebrew
    "Ana 🌻",
    "👩\u200d👩\u200d👧",  # a family: emoji joined by ZWJ
    "🏳\ufe0f\u200d🌈",  # rainbow flag: variation selector and ZWJ
    "🏴\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",  # England's flag: tag characters
    "می\u200cخواهم",  # Persian with a zero-width non-joiner inside the word
    "\u200fשלום!",  # a right-to-left mark keeps the '!' where the writer put it
    "Bo\u200e (staff)",  # a left-to-right mark
    "Zoë Ōtaki",
]

INVISIBLE = [
    "\u200b\u200b",  # zero-width spaces
    "\u200c", "\u200d", "\u2060", "\ufeff",
    "\u3164",  # Hangul filler
    "\u115f\u1160",  # Hangul choseong and jungseong fillers
    "\uffa0",  # halfwidth Hangul filler
    "\u2800",  # braille blank
    "\u00a0\u2003\u3000\u202f",  # spaces of category Zs
    "\u00ad",  # soft hyphen (a format character)
    "\u200e\u200f",  # only direction marks
    "\u202e", "\u2067\u2069",  # only reordering controls
    "\ufe0f",  # a variation selector on nothing
    " \u200b\u3164 \u2800\n",
]


@pytest.mark.parametrize("control", BIDI_CONTROLS, ids=[f"U+{ord(c):04X}" for c in BIDI_CONTROLS])
def test_reordering_controls_are_removed(control):
    assert clean_text(f"Ann{control}a (staff){control}", max_chars=40, what="name") == "Anna (staff)"


@pytest.mark.parametrize("text", REAL_WRITING)
def test_real_writing_round_trips_exactly(text):
    assert clean_text(text, max_chars=40, what="name") == text


@pytest.mark.parametrize("text", INVISIBLE, ids=[repr(t) for t in INVISIBLE])
def test_a_text_of_only_invisible_characters_is_empty(text):
    assert clean_text(text, max_chars=40, what="name") == ""
    with pytest.raises(FriendlyError) as caught:
        clean_text(text, max_chars=40, what="round name", required=True)
    assert caught.value.message == "Please fill in the round name."


def test_zero_width_spaces_at_either_end_do_not_make_a_different_name():
    assert clean_text("\ufeff\u200bBob\u200b\u2060 ", max_chars=40, what="name") == "Bob"
    # inside a word they stay (they may be there on purpose, e.g. to allow a line break)
    assert clean_text("Bob\u200bby", max_chars=40, what="name") == "Bob\u200bby"


def test_a_lone_surrogate_from_a_file_is_dropped_so_the_text_can_be_stored():
    cleaned = clean_text("Ann\ud800e", max_chars=40, what="name")
    assert cleaned == "Anne"
    cleaned.encode("utf-8")


def test_the_length_limit_counts_what_is_kept():
    assert clean_text("\u202e" * 10 + "a" * 40, max_chars=40, what="name") == "a" * 40


def _kept(store, workshop, membership):
    participant = store.participant_by_token_hash(workshop.id, hash_secret(membership.token))
    return participant.display_name, participant.group_label


def test_joining_with_a_reordering_control_keeps_only_the_writing(store):
    workshop = start_workshop(store, workbook="heatmap").workshop
    seat = join(store, workshop.code, "heatmap", display_name="\u202Eevil", group_label="\u2066staff\u2069")
    assert _kept(store, workshop, seat) == ("evil", "staff")


def test_joining_with_an_invisible_name_is_joining_anonymously(store):
    workshop = start_workshop(store, workbook="heatmap").workshop
    seat = join(store, workshop.code, "heatmap", display_name="\u200b\u200b", group_label="\u3164")
    assert _kept(store, workshop, seat) == ("", "")


@pytest.mark.parametrize("name", ["שלום", "مرحبا", "👩\u200d👩\u200d👧", "\u200fעדי"])
def test_joining_with_right_to_left_or_emoji_names_keeps_them_exactly(store, name):
    workshop = start_workshop(store, workbook="heatmap").workshop
    seat = join(store, workshop.code, "heatmap", display_name=name)
    assert _kept(store, workshop, seat) == (name, "")
