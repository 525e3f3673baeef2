"""Charts draw offline, escape what people typed, and never rely on colour alone."""

from __future__ import annotations

from relworkbook.charts import TableCell, heat_colour, heat_table_html, render_png, render_svg
from relworkbook.heatmap.model import split_by, summarise
from relworkbook.heatmap.report import heatmap_chart

XSS = "<img src=x onerror=alert(1)>"


def test_tables_escape_text_and_print_numbers():
    html = heat_table_html(XSS, [XSS], [[TableCell(XSS, header=True), TableCell("4.2 warm", heat=4.2)]])
    assert "<img" not in html and "&lt;img" in html
    assert "4.2 warm" in html


def test_heat_colours_run_cool_to_warm():
    assert heat_colour(1, 1, 5)[0] == "#4575b4"
    assert heat_colour(5, 1, 5)[0] == "#d73027"
    assert heat_colour(None, 1, 5)[0] == "#f0f0f0"


def test_chart_with_typed_group_names_is_safe_svg_and_png(pack):
    rows = [(XSS, {s.id: 4 for s in pack.statements})] * 3
    columns = {"Everyone": summarise(pack, [r for _, r in rows], 3), **split_by(pack, rows, 3)}
    chart = heatmap_chart(pack, columns, XSS)
    svg = render_svg(chart)
    assert svg.startswith("<svg") and "<img" not in svg and "&lt;img" in svg
    assert ">4.0<" in svg  # the number is written in the cell, not only its colour
    assert render_png(chart)[:4] == b"\x89PNG"
