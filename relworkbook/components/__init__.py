"""Widgets shared by every workbook: one component per module."""
