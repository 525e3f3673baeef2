"""A participant's kernel stays small: no pandas, Altair or vl-convert on its path."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

HEAVY = ("pandas", "altair", "vl_convert", "numpy", "segno", "jupyter_server", "fontTools")


def modules_after(script: str, tmp_path) -> set[str]:
    code = textwrap.dedent(f"""
        import os, sys, json
        os.environ["RELWORKBOOK_DATA"] = {str(tmp_path / "lean.sqlite3")!r}
        {script}
        print(json.dumps(sorted(sys.modules)))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.strip().splitlines()[-1]))


def test_joining_and_saving_imports_nothing_heavy(tmp_path):
    loaded = modules_after("""
        from relworkbook.store import open_store
        from relworkbook.workshops import start_workshop
        from relworkbook.page import PageContext
        from relworkbook import HeatmapWorkbook
        code = start_workshop(open_store(), workbook="heatmap").workshop.code
        app = HeatmapWorkbook(PageContext.from_query("join=" + code))
        app.view.join_button.click()
        for choice in app.view.form.choices.values():
            choice.value = 3
        app.view.save_button.click()
        assert "Saved." in app.view.status.message, app.view.status.message
    """, tmp_path)
    assert not {m.split(".")[0] for m in loaded} & set(HEAVY)


def test_telling_a_story_imports_nothing_heavy(tmp_path):
    loaded = modules_after("""
        from relworkbook.store import open_store
        from relworkbook.workshops import start_workshop
        from relworkbook.page import PageContext
        from relworkbook import StoryWorkbook
        code = start_workshop(open_store(), workbook="story-weaving").workshop.code
        app = StoryWorkbook(PageContext.from_query("join=" + code))
        app.view.join_button.click()
        form = app.view.editor.form
        form.phase.value = form.phase.options[0][1]
        form.title.value, form.story.value = "A title", "A story"
        app.view.editor.save_button.click()
        assert app.view.editor.status.kind == "success", app.view.editor.status.message
        app.view.prepare_download()
    """, tmp_path)
    assert not {m.split(".")[0] for m in loaded} & set(HEAVY)


def test_mapping_a_profile_imports_nothing_heavy(tmp_path):
    """Persona mapping's whole participant path: join, answer, save, see the profile, download it."""
    loaded = modules_after("""
        from relworkbook.store import open_store
        from relworkbook.workshops import start_workshop
        from relworkbook.page import PageContext
        from relworkbook import PersonaWorkbook
        code = start_workshop(open_store(), workbook="persona-mapping").workshop.code
        app = PersonaWorkbook(PageContext.from_query("join=" + code))
        app.view.join_button.click()
        for n, choice in enumerate(app.view.form.quiz.choices.values()):
            choice.value = 1 + n % 5
        for choice in app.view.form.checkin.choices.values():
            choice.value = 2
        app.view.save_button.click()
        assert app.view.status.kind == "success", app.view.status.message
        assert "rw-persona-profile" in app.view.result.value
        app.view.prepare_download()
        assert app.view.downloads.files, "the participant's own files"
    """, tmp_path)
    assert not {m.split(".")[0] for m in loaded} & set(HEAVY)


def test_the_facilitator_view_does_load_the_chart_stack(tmp_path):
    loaded = modules_after("""
        from relworkbook.store import open_store
        from relworkbook.workshops import start_workshop
        from relworkbook.page import PageContext
        from relworkbook import HeatmapWorkbook
        a = start_workshop(open_store(), workbook="heatmap")
        HeatmapWorkbook(PageContext.from_query(f"facilitate={a.workshop.code}&key={a.key}"))
    """, tmp_path)
    assert {"altair", "vl_convert", "segno"} <= {m.split(".")[0] for m in loaded}


def test_the_notebooks_own_line_stays_light(tmp_path):
    loaded = modules_after("""
        from relworkbook import HeatmapWorkbook, PersonaWorkbook, StoryWorkbook
        HeatmapWorkbook.for_this_page()
        StoryWorkbook.for_this_page()
        PersonaWorkbook.for_this_page()
    """, tmp_path)
    assert not {m.split(".")[0] for m in loaded} & set(HEAVY)
