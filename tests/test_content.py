"""Content packs: the built-in pack loads; broken packs say where and what."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest

from relworkbook.config import Settings
from relworkbook.content import BUILT_IN, ContentError, check_pack, load_heatmap, load_ui


def custom(tmp_path, name: str, text: str) -> Settings:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return Settings(content_dir=tmp_path)


def heatmap_yaml() -> str:
    return (BUILT_IN / "heatmap.yaml").read_text(encoding="utf-8")


def test_built_in_pack_has_the_five_categories_and_sources(pack):
    names = [c.name for c in pack.categories]
    assert names == ["You", "Your group, team or organisation", "Your place", "Your strategy", "Your influence"]
    assert all(3 <= len(c.statements) <= 5 for c in pack.categories)
    assert any("relationshipsproject.org" in url for url in pack.sources)
    assert pack.scale.min == 1 and pack.scale.max == 5 and pack.scale.dont_know


def test_every_ui_word_is_defined(ui):
    assert ui("join_button") == "Join the workshop"
    assert "ABC" in ui("join_instructions", code="ABC-DEF")


def test_custom_pack_replaces_only_its_own_files(tmp_path):
    welsh = heatmap_yaml().replace("title: Relationships Heatmap", "title: Map Gwres Perthnasoedd")
    settings = custom(tmp_path, "heatmap.yaml", welsh)
    assert load_heatmap(settings).title == "Map Gwres Perthnasoedd"
    assert load_ui(settings)("join_button") == "Join the workshop"  # common.yaml still built in


@pytest.mark.parametrize(
    "change, place, problem",
    [
        (lambda t: t.replace("      - id: you-time\n", "      - id: you-matters\n"),
         "categories[0].statements[1].id", "used twice"),
        (lambda t: t.replace("title: Relationships Heatmap", "title: 42"), "title", "must be text, not a number"),
        (lambda t: t.replace("    5: Completely true\n", ""), "labels.5", "every point of the scale needs a label"),
        (lambda t: t.replace("  dont_know: Don't know\n", ""), "scale.dont_know", "is missing"),
        (lambda t: t.replace("categories:", "categories: oops\nold:"), "categories", "must be a list"),
    ],
)
def test_broken_pack_names_file_place_and_problem(tmp_path, change, place, problem):
    settings = custom(tmp_path, "heatmap.yaml", change(heatmap_yaml()))
    with pytest.raises(ContentError) as caught:
        load_heatmap(settings)
    assert caught.value.file.endswith("heatmap.yaml")
    assert place in caught.value.place
    assert problem in caught.value.problem
    assert "heatmap.yaml" in caught.value.message


def test_too_few_statements_in_a_category(tmp_path):
    text = heatmap_yaml()
    start = text.index("      - id: influence-shape")
    end = text.index("      - id: influence-voice")
    text = text[:start] + text[end:]
    text = text.replace("      - id: influence-voice\n        text: When a key relationship is going wrong, "
                        "I can get it talked about and put right.\n", "")
    with pytest.raises(ContentError, match=r"categories\[4\]\.statements: needs at least 3 entries"):
        load_heatmap(custom(tmp_path, "heatmap.yaml", text))


def test_yaml_syntax_error_gives_line_and_column(tmp_path):
    with pytest.raises(ContentError) as caught:
        load_heatmap(custom(tmp_path, "heatmap.yaml", "workbook: heatmap\ntitle: [unclosed\n"))
    assert "line " in caught.value.place and "column" in caught.value.place


def test_translation_missing_a_word_is_refused(tmp_path):
    common = (BUILT_IN / "common.yaml").read_text(encoding="utf-8").replace("  save_button: Save my answers\n", "")
    with pytest.raises(ContentError, match=r"ui\.save_button: is missing"):
        load_ui(custom(tmp_path, "common.yaml", common))


def test_missing_content_folder(tmp_path):
    with pytest.raises(ContentError, match="does not exist"):
        check_pack(Settings(content_dir=tmp_path / "nowhere"))


def test_cli_check_content_reports_the_problem_without_a_traceback(tmp_path):
    shutil.copy(BUILT_IN / "common.yaml", tmp_path / "common.yaml")
    (tmp_path / "heatmap.yaml").write_text(heatmap_yaml().replace("min: 1", "min: one"), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "relworkbook.cli", "check-content", "--content", str(tmp_path)],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "heatmap.yaml, scale.min: must be a whole number, not text" in done.stderr
    assert "Traceback" not in done.stderr


def test_check_content_covers_the_story_pack(tmp_path):
    from relworkbook.story.pack import PACK_FILE

    text = (BUILT_IN / PACK_FILE).read_text(encoding="utf-8").replace("title: Story Weaving", "title: [broken", 1)
    (tmp_path / PACK_FILE).write_text(text, encoding="utf-8")
    with pytest.raises(ContentError, match="story-weaving.yaml"):
        check_pack(Settings(content_dir=tmp_path))
