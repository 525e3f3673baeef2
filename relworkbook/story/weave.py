"""The weave: the group's shared moments read together, as one HTML page part.

Built from the storybook's own sections, so the screens and the printed
storybook always agree. Pure HTML (no chart library): a participant's phone
can show it when the facilitator reveals the weave.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from ..text import esc
from .model import SharedMoment, SortResult, feeling_curve, pinned
from .pack import Phase, StoryPack
from .storybook import (
    carry_forward_html,
    dark_light_html,
    feeling_table,
    timeline_html,
    undercurrents_html,
    who_html,
    words_html,
)


def weave_sections(pack: StoryPack, phases: Sequence[Phase], moments: Sequence[SharedMoment],
                   min_group: int) -> str:
    """Feeling by phase, undercurrents, who mattered, words used most, carry-forward."""
    curve = feeling_curve(moments, phases, min_group)
    return (feeling_table(pack, curve, min_group) + undercurrents_html(pack, phases, moments)
            + who_html(pack, phases, moments)
            + f"<h4>{esc(pack.screen('words_heading'))}</h4>" + words_html(pack, moments)
            + f"<h4>{esc(pack.screen('carry_heading'))}</h4>" + carry_forward_html(pack, moments))


def weave_html(pack: StoryPack, phases: Sequence[Phase], moments: Sequence[SharedMoment],
               results: Sequence[SortResult], min_group: int, pinned_ids: Iterable[str] = ()) -> str:
    """What participants see when the facilitator reveals the weave."""
    chosen = pinned(moments, pinned_ids)
    return (
        f"<h3>{esc(pack.screen('weave_heading'))}</h3>"
        + weave_sections(pack, phases, moments, min_group)
        + dark_light_html(pack, results, min_group)
        + f"<h3>{esc(pack.screen('pinned_heading'))}</h3>"
        + timeline_html(pack, phases, chosen, pack.screen("no_stories_yet"))
    )
