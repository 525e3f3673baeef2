"""The heatmap's page: the shell with the heatmap's three views (imports ipywidgets)."""

from __future__ import annotations

from ..components.shell import WorkbookShell
from ..content import HeatmapPack, load_heatmap
from ..workshops import FacilitatorAccess, Membership
from .model import WORKBOOK


class HeatmapWorkbook(WorkbookShell):
    workbook = WORKBOOK

    @classmethod
    def prepare(cls, settings) -> None:
        super().prepare(settings)
        load_heatmap(settings)
        from . import participant  # noqa: F401 - warm the participant's path, not the facilitator's

    @property
    def pack(self) -> HeatmapPack:
        return load_heatmap(self.settings)

    def participant_view(self, membership: Membership, resumed: bool):
        from .participant import ParticipantView

        return ParticipantView(pack=self.pack, ui=self.ui, store=self.require_store(), membership=membership)

    def facilitator_view(self, access: FacilitatorAccess):
        from .facilitator import FacilitatorView

        return FacilitatorView(pack=self.pack, ui=self.ui, store=self.require_store(), access=access)

    def solo_view(self):
        from .participant import SoloView

        return SoloView(pack=self.pack, ui=self.ui)


