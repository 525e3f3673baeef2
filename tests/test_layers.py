"""The layers the README's map promises: pure models, reports and the privacy
boundary import no widgets; the registry imports no workbook code until asked."""

from __future__ import annotations

import subprocess
import sys

PURE = [
    "relworkbook.registry", "relworkbook.sharing", "relworkbook.files", "relworkbook.exchange",
    "relworkbook.store", "relworkbook.content", "relworkbook.heatmap", "relworkbook.heatmap.model",
    "relworkbook.heatmap.report", "relworkbook.story", "relworkbook.story.model", "relworkbook.story.pack",
    "relworkbook.story.sharing", "relworkbook.story.storybook", "relworkbook.persona", "relworkbook.persona.model",
    "relworkbook.persona.pack", "relworkbook.persona.report", "relworkbook.persona.spec", "relworkbook.reports",
    "relworkbook.content.scales",
]


def loaded_after(code: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", code + "\nimport sys; print(' '.join(sys.modules))"],
                          capture_output=True, text=True, check=True)
    return set(done.stdout.split())


def test_models_reports_and_the_boundary_import_no_widgets():
    modules = loaded_after("\n".join(f"import {m}" for m in PURE))
    assert "ipywidgets" not in modules and "anywidget" not in modules
    assert "pandas" not in modules and "altair" not in modules


def test_the_registry_loads_no_workbook_code_until_asked():
    modules = loaded_after("from relworkbook.registry import specs; specs()")
    assert not {"relworkbook.heatmap.model", "relworkbook.story.model", "ipywidgets"} & modules


def test_the_notebooks_import_still_works():
    modules = loaded_after(
        "from relworkbook.heatmap import HeatmapWorkbook; from relworkbook.story import StoryWorkbook"
    )
    assert "ipywidgets" in modules and "relworkbook.heatmap.app" in modules
