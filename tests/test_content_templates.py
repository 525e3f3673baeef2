"""Pack words with blanks: checked on load, filled safely, never a server-breaker.

A council's translated pack may misspell a blank (``{titel}``), half-type one
(``{title``), or reach further than words should (``{title.__class__}``,
``{title!r:>99999999}``). Each must be refused when the pack is loaded, naming
the file and the key, so that ``relworkbook check-content`` and ``relworkbook
serve`` stop before any participant joins.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from relworkbook.config import Settings
from relworkbook.content import BUILT_IN, ContentError, load_ui
from relworkbook.content.templates import check_template, fill, placeholders
from relworkbook.story.pack import PACK_FILE, load_story_pack

ATTACKS = ["{title.__class__}", "{title[0]}", "{title!r:>99999999}", "{title:>99999999}", "{title!s}", "{0}", "{}"]


def built_in(name: str) -> str:
    return (BUILT_IN / name).read_text(encoding="utf-8")


def with_words(text: str, key: str, words: str) -> str:
    """``text`` with the one-line ``key: ...`` replaced by ``words``, quoted so YAML keeps every brace."""
    changed, count = re.subn(rf"(?m)^(  {re.escape(key)}): .*$", lambda m: f"{m.group(1)}: {json.dumps(words)}", text)
    assert count == 1, key
    return changed


def folder(tmp_path, **files: str) -> Settings:
    """A custom content folder holding ``files`` (name with '-' for '_' and '.yaml' dropped)."""
    for name, text in files.items():
        (tmp_path / (name.replace("_", "-") + ".yaml")).write_text(text, encoding="utf-8")
    return Settings(content_dir=tmp_path)


# -- placeholders ---------------------------------------------------------------


def test_placeholders_lists_the_blanks_as_written():
    assert placeholders("You have joined {title}.") == {"title"}
    assert placeholders("{count} of {joined} people, {count} again") == {"count", "joined"}
    assert placeholders("No blanks at all") == set()
    assert placeholders("{{literal}} braces") == set()
    assert placeholders("{title.__class__} and {}") == {"title.__class__", ""}


def test_placeholders_of_an_unmatched_brace_raise_like_format():
    with pytest.raises(ValueError):
        placeholders("{title")


# -- check_template ---------------------------------------------------------------


def test_check_template_accepts_the_blanks_allowed_a_subset_or_none():
    assert check_template("You have joined {title}.", {"title"}) is None
    assert check_template("{count} saved", {"count", "joined"}) is None  # a subset
    assert check_template("Welcome aboard.", {"title"}) is None  # none at all
    assert check_template("{{literal}} braces, {title}", {"title"}) is None
    assert check_template("back towards {from}", {"from"}) is None  # a Python keyword is still a plain name


def test_check_template_names_an_unknown_blank_and_what_can_be_used():
    assert check_template("You have joined {titel}.", {"title"}) == (
        "uses {titel}, which this text cannot fill in; it can use {title}")
    assert "it can use {count} or {joined}" in check_template("{count} of {people}", {"count", "joined"})


def test_check_template_refuses_a_blank_in_a_text_that_has_none():
    problem = check_template("Welcome to {title}", set())
    assert problem.startswith("uses {title}, which this text cannot fill in; it has no blanks")
    assert "{{" in problem  # says how to write a brace itself


@pytest.mark.parametrize("text, brace", [("{title", "'{' without its '}'"), ("Joined {title!}", "'{' without its '}'"),
                                         ("a lone } here", "'}' without its '{'"), ("{", "'{' without its '}'")])
def test_check_template_names_an_unmatched_brace(text, brace):
    problem = check_template(text, {"title"})
    assert problem.startswith(f"has a {brace}")
    assert "write it twice" in problem


@pytest.mark.parametrize("attack", ATTACKS)
def test_check_template_refuses_anything_but_plain_names(attack):
    problem = check_template(f"You have joined {attack}.", {"title"})
    assert problem.startswith(f"uses {attack}: only plain names in braces are allowed")


def test_check_template_keeps_a_message_on_one_short_line():
    problem = check_template("{title.\n" + "x" * 500 + "}", {"title"})
    assert "\n" not in problem and len(problem) < 200


# -- fill ---------------------------------------------------------------------------


def test_fill_puts_values_in_plain_blanks():
    assert fill("You have joined {title}.", title="Spring") == "You have joined Spring."
    assert fill("{count} of {joined}", count=2, joined=5) == "2 of 5"
    assert fill("back towards {from}", **{"from": "Doubting"}) == "back towards Doubting"
    assert fill("Welcome", title="unused") == "Welcome"
    assert fill("{text}", text="a blank may share the argument's name") == "a blank may share the argument's name"


def test_fill_keeps_doubled_braces_as_literal_braces():
    assert fill("{{literal}} and {title}", title="T") == "{literal} and T"
    assert fill("{{title}}", title="T") == "{title}"
    assert fill("}}", title="T") == "}"


def test_fill_never_reads_a_value_twice():
    """A participant's title holding braces is shown as typed, not filled again."""
    assert fill("Saved {title}", title="{count.__class__}", count=3) == "Saved {count.__class__}"


@pytest.mark.parametrize("attack", ATTACKS)
def test_fill_leaves_anything_but_plain_names_as_written(attack):
    class Spy:
        def __getattr__(self, name):
            raise AssertionError(f"fill reached .{name}")

        def __getitem__(self, index):
            raise AssertionError("fill indexed a value")

        def __format__(self, spec):
            raise AssertionError("fill formatted with a spec")

    result = fill(f"You have joined {attack}.", title=Spy())
    assert result == f"You have joined {attack}."


@pytest.mark.parametrize("text", ["{titel}", "{title", "a lone }", "{", "{title!}"])
def test_fill_never_raises_even_on_unchecked_text(text):
    assert fill(text, title="T") == text


def test_fill_leaves_a_blank_without_a_value_visible():
    assert fill("You have joined {title}.") == "You have joined {title}."


# -- loading a pack -------------------------------------------------------------------

COMMON_ATTACKS = [
    ("joined", "You have joined {titel}.", "uses {titel}, which this text cannot fill in; it can use {title}"),
    ("joined", "You have joined {title", "has a '{' without its '}'"),
    ("joined", "You have joined {title.__class__}.", "uses {title.__class__}: only plain names"),
    ("joined", "You have joined {title!r:>99999999}.", "uses {title!r:>99999999}: only plain names"),
    ("submitted", "{0} of {1} saved", "uses {0}: only plain names"),
    ("join_button", "Join {title}", "uses {title}, which this text cannot fill in; it has no blanks"),
    ("save_button", "Save }", "has a '}' without its '{'"),
]


@pytest.mark.parametrize("key, words, problem", COMMON_ATTACKS)
def test_load_ui_refuses_a_bad_blank_naming_file_and_key(tmp_path, key, words, problem):
    settings = folder(tmp_path, common=with_words(built_in("common.yaml"), key, words))
    with pytest.raises(ContentError) as caught:
        load_ui(settings)
    assert caught.value.file.endswith("common.yaml")
    assert caught.value.place == f"ui.{key}"
    assert caught.value.problem.startswith(problem)
    assert f"common.yaml, ui.{key}: {problem}" in caught.value.message


def test_load_ui_reads_the_content_folder_from_the_environment(tmp_path, monkeypatch):
    folder(tmp_path, common=with_words(built_in("common.yaml"), "joined", "Croeso i {titel}."))
    monkeypatch.setenv("RELWORKBOOK_CONTENT", str(tmp_path))
    with pytest.raises(ContentError, match=r"common\.yaml, ui\.joined: uses \{titel\}"):
        load_ui()


STORY_ATTACKS = [
    ("moment_saved", 'Saved "{titel}".', "screen.moment_saved",
     "uses {titel}, which this text cannot fill in; it can use {title}"),
    ("sort_saved", "Saved: {count[0]}", "screen.sort_saved", "uses {count[0]}: only plain names"),
    ("tell_heading", "Tell a moment {k}", "screen.tell_heading", "uses {k}, which this text cannot fill in"),
    ("shift_towards", "towards {to.__class__}", "form.shift_towards", "uses {to.__class__}: only plain names"),
    ("shift_away", "back towards {to}", "form.shift_away",
     "uses {to}, which this text cannot fill in; it can use {from}"),
    ("shift_none", "not {noticed", "form.shift_none", "has a '{' without its '}'"),
]


@pytest.mark.parametrize("key, words, place, problem", STORY_ATTACKS)
def test_load_story_pack_refuses_a_bad_blank_naming_file_and_key(tmp_path, key, words, place, problem):
    settings = folder(tmp_path, story_weaving=with_words(built_in(PACK_FILE), key, words))
    with pytest.raises(ContentError) as caught:
        load_story_pack(settings)
    assert caught.value.file.endswith(PACK_FILE)
    assert caught.value.place == place
    assert caught.value.problem.startswith(problem)
    assert f"{PACK_FILE}, {place}: {problem}" in caught.value.message


def good_common() -> str:
    text = with_words(built_in("common.yaml"), "joined", "Croeso! Rydych chi yn y gweithdy.")  # no blank at all
    text = with_words(text, "submitted", "{count} wedi cadw")  # a subset of {count}, {joined}
    return with_words(text, "welcome_title", "Croeso {{pawb}}")  # a literal brace


def good_story() -> str:
    text = with_words(built_in(PACK_FILE), "sort_saved", "Wedi cadw.")
    text = with_words(text, "shift_towards", "tuag at {to}")
    return with_words(text, "moment_saved", "{{{title}}} wedi cadw")


def test_a_subset_pack_with_literal_braces_loads_and_fills(tmp_path):
    settings = folder(tmp_path, common=good_common(), story_weaving=good_story())
    ui = load_ui(settings)
    assert ui("joined", title="Spring") == "Croeso! Rydych chi yn y gweithdy."
    assert ui("submitted", count=2, joined=5) == "2 wedi cadw"
    assert ui("welcome_title") == "Croeso {pawb}"
    story = load_story_pack(settings)
    assert story.screen("sort_saved", count=4) == "Wedi cadw."
    assert story.screen("moment_saved", title="Street party") == "{Street party} wedi cadw"
    trusting = story.undercurrents[0]
    assert story.shift_words(trusting.id, "towards") == f"tuag at {trusting.to_word}"


def test_the_built_in_words_still_fill_as_before(ui):
    assert ui("joined", title="Spring") == "You have joined Spring."
    assert ui("submitted", count=2, joined=5) == "2 of 5 people who joined have saved answers"
    assert ui("imported", name="a.json", added=3) == "Added answers from a.json: 3."
    story = load_story_pack()
    assert story.shift_words("trusting", "away") == "back towards Doubting"
    assert story.screen("hidden_small", k=3) == "hidden (fewer than 3)"


# -- the real command -------------------------------------------------------------------


def check_content(path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "relworkbook.cli", "check-content", "--content", str(path)],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    "name, text, expected",
    [
        ("common.yaml", with_words(built_in("common.yaml"), "joined", "You have joined {title.__class__}."),
         "common.yaml, ui.joined: uses {title.__class__}: only plain names in braces are allowed"),
        (PACK_FILE, with_words(built_in(PACK_FILE), "moment_saved", 'Saved "{titel}".'),
         f"{PACK_FILE}, screen.moment_saved: uses {{titel}}, which this text cannot fill in; it can use {{title}}"),
    ],
)
def test_check_content_refuses_a_bad_blank_in_one_line(tmp_path, name, text, expected):
    (tmp_path / name).write_text(text, encoding="utf-8")
    done = check_content(tmp_path)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert expected in lines[0]
    assert "Traceback" not in done.stderr and "fine" not in done.stdout


def test_check_content_passes_a_good_custom_folder(tmp_path):
    folder(tmp_path, common=good_common(), story_weaving=good_story())
    done = check_content(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "the content pack is fine" in done.stdout
    assert done.stderr == ""
