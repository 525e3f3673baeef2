"""The workbooks the kit serves, for the landing page and the CLI."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WorkbookEntry:
    notebook: str
    title: str
    line: str
    ready: bool


WORKBOOKS: tuple[WorkbookEntry, ...] = (
    WorkbookEntry("story-weaving.ipynb", "Story Weaving",
                  "Tell the story of a hard year moment by moment, weave it with others' stories, and find "
                  "the spirit worth bottling and carrying forward.", True),
    WorkbookEntry("heatmap.ipynb", "Relationships Heatmap",
                  "Rate where relationships are warm and cool in your work and place, then pool the results "
                  "and choose one cool area to warm up together.", True),
)
