"""Persona mapping's page: the kit's shell, told which workbook it shows (imports ipywidgets)."""

from __future__ import annotations

from ..components.shell import WorkbookShell
from .spec import WORKBOOK


class PersonaWorkbook(WorkbookShell):
    workbook = WORKBOOK
