"""A story-weaving workshop's own settings, kept in ``Workshop.settings``.

``phases``/``split_out_turn``: the timeline; ``pinned``: stories chosen for the
storybook; ``hidden``: stories the facilitator took out of every shared view.
Only the facilitator's kernel writes them; participants' pages read them.
"""

from __future__ import annotations

from ..store import Store, Workshop
from .model import timeline_from_settings
from .pack import Phase, StoryPack


def workshop_timeline(pack: StoryPack, workshop: Workshop) -> tuple[Phase, ...]:
    return tuple(timeline_from_settings(pack, workshop.settings))


def pinned_ids(workshop: Workshop) -> list[str]:
    return list(workshop.settings.get("pinned", []))


def hidden_ids(workshop: Workshop) -> set[str]:
    return set(workshop.settings.get("hidden", []))


def toggle(store: Store, workshop: Workshop, key: str, moment_id: str) -> Workshop:
    """Add ``moment_id`` to the ``key`` list (pinned/hidden), or take it out if there."""
    fresh = store.workshop(workshop.id)  # the latest settings, not the page's possibly stale copy
    current = list(fresh.settings.get(key, []))
    current = [i for i in current if i != moment_id] if moment_id in current else current + [moment_id]
    return store.update_workshop(workshop.id, settings={**fresh.settings, key: current})


def change(store: Store, workshop: Workshop, **values) -> Workshop:
    fresh = store.workshop(workshop.id)
    return store.update_workshop(workshop.id, settings={**fresh.settings, **values})
