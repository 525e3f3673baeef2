"""Charts that need no internet, and their table alternatives.

Two kinds:

* :func:`heat_table_html` — a plain HTML table with coloured cells *and*
  numbers and words in them (colour is never the only signal). Used on phones
  and anywhere a chart library would be too heavy; costs no imports.
* :func:`render_svg` / :func:`render_png` — Altair charts drawn to SVG or PNG
  on the server by vl-convert. The browser receives a finished picture, so no
  JavaScript library is fetched from a CDN, and a facilitator's laptop on a
  hall's patchy wifi shows the chart as soon as the page does. Every label is
  drawn as shapes in the one font the chart was laid out in (see "One font,
  measured and drawn"), so no viewer's font can cut a label off. Altair,
  vl-convert and fontTools are imported only when the first chart is drawn.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import re
import string
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

from .text import esc

#: Cool (weak) to warm (strong), ColorBrewer RdYlBu reversed: readable for the
#: common colour-vision deficiencies, and every cell also carries its number.
PALETTE = ("#4575b4", "#abd9e9", "#ffffbf", "#fdae61", "#d73027")
DARK_CELLS = {"#4575b4", "#d73027"}
VEGA_SCHEME = {"scheme": "redyellowblue", "reverse": True}


def heat_colour(value: float | None, low: float, high: float) -> tuple[str, str]:
    """Background and text colour for ``value`` on a low..high scale."""
    if value is None:
        return "#f0f0f0", "#333333"
    position = 0.0 if high == low else (value - low) / (high - low)
    index = min(len(PALETTE) - 1, max(0, int(round(position * (len(PALETTE) - 1)))))
    background = PALETTE[index]
    return background, ("#ffffff" if background in DARK_CELLS else "#1a1a1a")


@dataclass(frozen=True)
class TableCell:
    text: str
    heat: float | None = None  # colour the cell by this value when given
    header: bool = False
    muted: bool = False  # a hidden or empty result: grey, never a heat colour


def heat_table_html(
    caption: str, columns: Sequence[str], rows: Sequence[Sequence[TableCell]], low: float = 1, high: float = 5
) -> str:
    """An accessible table; every text is escaped here, callers pass plain text."""
    # A wide table may scroll sideways on a phone (WCAG lets two-dimensional content do so), but
    # only in a box the keyboard can reach and a screen reader can name.
    out = [
        f'<div class="rw-table-scroll" role="region" tabindex="0" aria-label="{esc(caption)}" '
        'style="overflow-x:auto;width:0;min-width:100%">',  # width 0: its table never widens the page
        '<table class="rw-table" style="border-collapse:collapse;width:100%;font-size:0.95em">',
        f'<caption style="text-align:left;font-weight:600;padding:4px 0">{esc(caption)}</caption>',
        "<thead><tr>",
    ]
    out += [f'<th scope="col" style="text-align:left;padding:4px 6px">{esc(c)}</th>' for c in columns]
    out.append("</tr></thead><tbody>")
    for row in rows:
        out.append("<tr>")
        for cell in row:
            style = "padding:4px 6px;border-bottom:1px solid #ddd;vertical-align:top"
            if cell.heat is not None or cell.muted:
                background, colour = heat_colour(cell.heat, low, high)
                style += f";background:{background};color:{colour};text-align:center;white-space:nowrap"
            tag = 'th scope="row"' if cell.header else "td"
            out.append(f'<{tag} style="{style}">{esc(cell.text)}</{tag.split()[0]}>')
        out.append("</tr>")
    out.append("</tbody></table></div>")
    return "".join(out)


def legend_html(low: int, high: int, labels: dict[int, str], warm: str, cool: str) -> str:
    parts = []
    for value in range(low, high + 1):
        background, colour = heat_colour(value, low, high)
        parts.append(
            f'<span style="background:{background};color:{colour};padding:2px 6px;margin-right:2px;'
            f'display:inline-block">{value} {esc(labels.get(value, ""))}</span>'
        )
    return (
        f'<div class="rw-legend" style="font-size:0.85em;margin:4px 0">{esc(cool)} &larr; '
        + "".join(parts)
        + f" &rarr; {esc(warm)}</div>"
    )


# -- Altair, drawn on the server --------------------------------------------------


def altair() -> Any:
    """The altair module, imported on first use (never on a participant's path)."""
    try:
        import altair as alt
    except ImportError as exc:  # pragma: no cover - a broken install, not a user error
        raise ImportError(
            "Charts need the 'altair' package: reinstall the kit with `pip install relworkbook`."
        ) from exc
    return alt


@functools.lru_cache(maxsize=None)
def _vl_convert() -> Any:
    try:
        import vl_convert
    except ImportError as exc:  # pragma: no cover
        raise ImportError(
            "Offline charts need 'vl-convert-python': reinstall the kit with `pip install relworkbook`."
        ) from exc
    # vl-convert builds these very files in; handing it the shipped ones too means it still measures in the
    # drawn font if a later version stops doing so.
    vl_convert.register_font_directory(str(FONT_DIR))
    return vl_convert


# -- One font, measured and drawn -------------------------------------------------
#
# vl-convert lays a chart out by measuring each label in a font it has. A browser would then draw the SVG's
# <text> in whatever font *it* has (a phone has neither DejaVu nor Liberation), so labels came out wider
# or narrower than the room made for them: cut off at the picture's edge, or overlapping. Serving a font
# to the page with @font-face would mend the kit's own pages only, not a downloaded SVG opened on another
# computer. So every chart is laid out in one font shipped with the kit (Liberation Sans: the very files
# vl-convert builds in, under the SIL Open Font License, see fonts/README.md), declared once in
# CHART_CONFIG, and then every label is drawn as shapes cut from those same files. What was measured is
# what is drawn, in every browser, file viewer and printout, and no page loads a font. People still get
# the words: each drawn label keeps its text as a <title>, the figure round a chart says what it shows
# (svg_figure_html), and every chart has a table of the same results beside it.

FONT_FAMILY = "Liberation Sans"
FONT_DIR = Path(__file__).with_name("fonts")
_FACE_FILES = {"regular": "LiberationSans-Regular.ttf", "bold": "LiberationSans-Bold.ttf"}

#: The shared chart config, applied to every chart by render_svg and render_png (it wins over a chart's own).
# aria off: Vega would write its own English descriptions ("X-axis for a discrete scale...") into the
# SVG for screen readers; every chart is a figure with the pack's description and a table beside it.
CHART_CONFIG: dict[str, Any] = {"font": FONT_FAMILY, "aria": False}

_SVG = "http://www.w3.org/2000/svg"
_XLINK = "http://www.w3.org/1999/xlink"
#: Glyph outlines are stored on a grid of this many steps to the em: small numbers, and a 13 px label's
#: points still land within 0.03 px of the font's.
_GRID = 256
#: What a <text> may carry and still be drawn exactly. Anything else (letter spacing, rotated glyphs,
#: per-glyph positions) is left as text.
_TEXT_ATTRIBUTES = {"text-anchor", "font-family", "font-size", "font-weight", "font-style", "font-variant",
                    "transform", "fill", "fill-opacity", "opacity", "stroke", "stroke-width", "stroke-opacity",
                    "role", "class", "pointer-events", "cursor"}
_ANCHOR = {"start": 0.0, "middle": 0.5, "end": 1.0}


def chart_spec(chart: Any) -> dict[str, Any]:
    """An Altair chart's Vega-Lite spec with the shared chart config."""
    spec = chart.to_dict()
    config = spec.get("config", {})
    # Titles are guides Vega describes on its own too ("Title text ..."): their aria goes with the rest.
    spec["config"] = {**config, **CHART_CONFIG, "title": {**config.get("title", {}), "aria": False}}
    return spec


@dataclass(frozen=True, eq=False)
class _Face:
    """One shipped font file: what is needed to place glyphs just as vl-convert measured them."""

    key: str  # a letter for the glyph ids
    glyphs: Any  # fontTools glyph set: outlines, read when first drawn
    cmap: Mapping[int, str]
    numbers: Mapping[str, int]  # glyph name -> its number in the font: short ids
    advances: Mapping[str, int]
    # Pairs such as "To" sit closer. vl-convert's shaper applies the font's GPOS kerning, which for Latin,
    # Greek and Cyrillic holds exactly the pairs of its old-style kern table (right-to-left text is not drawn).
    kerning: Mapping[tuple[str, str], int]
    units_per_em: int


@functools.lru_cache(maxsize=None)
def _faces() -> dict[str, _Face]:
    """The shipped font files, read once (glyph outlines only when first drawn)."""
    try:
        from fontTools.ttLib import TTFont
    except ImportError as exc:  # pragma: no cover - a broken install, not a user error
        raise ImportError("Charts need the 'fonttools' package: reinstall the kit with `pip install relworkbook`.") \
            from exc
    faces = {}
    for weight, name in _FACE_FILES.items():
        font = TTFont(str(FONT_DIR / name), lazy=True)
        faces[weight] = _Face(
            weight[0], font.getGlyphSet(), font.getBestCmap(), {g: n for n, g in enumerate(font.getGlyphOrder())},
            {glyph: metrics[0] for glyph, metrics in font["hmtx"].metrics.items()},
            dict(font["kern"].kernTables[0].kernTable), font["head"].unitsPerEm,
        )
    return faces


@functools.lru_cache(maxsize=2048)
def _outline(weight: str, glyph: str) -> str:
    """A glyph's outline as SVG path data on the _GRID, y pointing down; "" for a blank such as a space."""
    from fontTools.pens.svgPathPen import SVGPathPen
    from fontTools.pens.transformPen import TransformPen

    face = _faces()[weight]
    scale = _GRID / face.units_per_em
    pen = SVGPathPen(face.glyphs, ntos=lambda v: str(round(v)))
    face.glyphs[glyph].draw(TransformPen(pen, (scale, 0, 0, -scale, 0, 0)))
    return pen.getCommands()


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _px(value: str | None) -> float | None:
    try:
        return float((value or "").removesuffix("px"))
    except ValueError:
        return None


def _weight(value: str | None) -> str | None:
    """The shipped face for a CSS font weight, chosen as CSS (and vl-convert's font matching) would."""
    value = (value or "normal").strip()
    if value in ("bold", "bolder"):
        return "bold"
    if value in ("normal", "lighter"):
        return "regular"
    return ("bold" if int(value) >= 600 else "regular") if value.isdigit() else None


def _drawable(line: str, face: _Face) -> bool:
    return all(
        ord(c) in face.cmap and not unicodedata.combining(c) and unicodedata.category(c) != "Cf"
        and unicodedata.bidirectional(c) not in ("R", "AL", "AN")
        for c in line
    )


def _lines(text: ET.Element) -> list[tuple[float | None, float, str]] | None:
    """(x where the line starts or None, y step, words) per line, as Vega writes them; None if unusual."""
    if not len(text):
        return [(None, 0.0, text.text or "")]
    if (text.text or "").strip():
        return None
    lines: list[tuple[float | None, float, str]] = []
    for span in text:
        if span.tag != f"{{{_SVG}}}tspan" or len(span) or (span.tail or "").strip() \
                or set(span.attrib) - {"x", "dy"} or (lines and "x" not in span.attrib):
            return None
        x, dy = _px(span.get("x", "0")), _px(span.get("dy", "0"))
        if x is None or dy is None:
            return None
        lines.append((x, dy, span.text or ""))
    return lines


def _shape(text: ET.Element, prefix: str, used: dict[str, tuple[str, str]]) -> ET.Element | None:
    """The label drawn as glyph shapes in a group that keeps its other attributes; None to leave it as text."""
    attrs = text.attrib
    family = attrs.get("font-family", "").split(",")[0].strip().strip("'\"")
    size, weight, lines = _px(attrs.get("font-size")), _weight(attrs.get("font-weight")), _lines(text)
    if (family != FONT_FAMILY or size is None or size <= 0 or weight is None or lines is None
            or attrs.get("font-style", "normal") != "normal" or attrs.get("font-variant", "normal") != "normal"
            or attrs.get("text-anchor", "start") not in _ANCHOR
            or any(a not in _TEXT_ATTRIBUTES and not a.startswith("aria-") for a in attrs)):
        return None
    face = _faces()[weight]
    # SVG's own white-space rule (no xml:space): drop newlines, tabs as spaces, runs of spaces as one, trimmed.
    words = [" ".join(line.replace("\n", "").replace("\t", " ").split()) for _, _, line in lines]
    if not all(_drawable(w, face) for w in words):
        return None
    group = ET.Element(f"{{{_SVG}}}g", {k: v for k, v in attrs.items() if not k.startswith(("font-", "text-"))})
    ET.SubElement(group, f"{{{_SVG}}}title").text = " ".join(w for w in words if w)
    anchor, to_grid, y = _ANCHOR[attrs.get("text-anchor", "start")], _GRID / face.units_per_em, 0.0
    for (x, dy, _), line in zip(lines, words, strict=True):
        y += dy
        glyphs = [face.cmap[ord(c)] for c in line]
        placed, advance = [], 0
        for glyph, after in itertools.zip_longest(glyphs, glyphs[1:]):  # after: the next glyph, None at the end
            placed.append((glyph, advance))
            advance += face.advances[glyph] + (face.kerning.get((glyph, after), 0) if after else 0)
        start = (x or 0.0) - anchor * advance * size / face.units_per_em
        row = ET.SubElement(group, f"{{{_SVG}}}g",
                            {"transform": f"translate({_num(start)},{_num(y)}) scale({size / _GRID:.6g})"})
        for glyph, at in placed:
            if not _outline(weight, glyph):
                continue  # a space: nothing to draw
            ref = f"{prefix}{face.key}{face.numbers[glyph]}"
            used[ref] = (weight, glyph)
            ET.SubElement(row, f"{{{_SVG}}}use", {f"{{{_XLINK}}}href": f"#{ref}", "x": str(round(at * to_grid))})
    return group


def text_to_paths(svg: str) -> str:
    """A Vega SVG with every label in the chart font drawn as shapes from the shipped files (see above).

    Each glyph is drawn once in a <defs> and placed with <use>, which keeps a chart of long statements small.
    Its ids start with a digest of the chart, so two charts on one page do not share them. A label the files
    cannot draw exactly (another font, italics, a character they lack, right-to-left script) stays text:
    better a label in a near font than none.
    """
    root = ET.fromstring(svg)
    prefix = "rw" + hashlib.sha1(svg.encode()).hexdigest()[:8]
    used: dict[str, tuple[str, str]] = {}
    parents = {child: parent for parent in root.iter() for child in parent}
    for text in list(root.iter(f"{{{_SVG}}}text")):
        group = _shape(text, prefix, used)
        if group is not None:
            parent = parents[text]
            parent.insert(list(parent).index(text), group)
            parent.remove(text)
    if used:
        defs = ET.Element(f"{{{_SVG}}}defs")
        for ref, (weight, glyph) in sorted(used.items()):
            ET.SubElement(defs, f"{{{_SVG}}}path", {"id": ref, "d": _outline(weight, glyph)})
        root.insert(0, defs)
    # The names Vega's SVG has always had (ElementTree would write ns0: and ns1:); the same for any caller.
    ET.register_namespace("", _SVG)
    ET.register_namespace("xlink", _XLINK)
    return ET.tostring(root, encoding="unicode")


def render_svg(chart: Any) -> str:
    """An Altair chart as an SVG document, its labels drawn as shapes (text in it is escaped)."""
    return _without_vega_descriptions(text_to_paths(_vl_convert().vegalite_to_svg(chart_spec(chart))))


_VEGA_ARIA = re.compile(r' (?:aria-(?:label|roledescription)="[^"]*"|role="graphics-[a-z-]*")')


def _without_vega_descriptions(svg: str) -> str:
    """Vega keeps its own English descriptions on titles even with aria off (inside a group it hides):
    drop them, and the roles that would then want them, since the figure around every chart carries
    the pack's description and a table of the same results sits beside it."""
    return _VEGA_ARIA.sub("", svg)


def render_png(chart: Any, scale: float = 2.0) -> bytes:
    """The same chart as a PNG, laid out and drawn by vl-convert in the same shipped font."""
    return _vl_convert().vegalite_to_png(chart_spec(chart), scale=scale)


def warm_up() -> None:
    """Draw a tiny chart once, and read the shapes of the letters charts use most: vl-convert's first drawing
    takes ~0.6 s and reading the font files ~0.2 s, later charts ~0.05 s."""
    alt = altair()
    render_svg(alt.Chart(alt.Data(values=[{"a": 1}])).mark_point().encode(x="a:Q"))
    for weight, face in _faces().items():
        for c in string.ascii_letters + string.digits + string.punctuation:
            _outline(weight, face.cmap[ord(c)])


def svg_figure_html(svg: str, description: str) -> str:
    """Wrap a server-drawn SVG for an HTML widget or report, with a text description."""
    return (
        f'<figure role="img" aria-label="{esc(description)}" style="margin:0;max-width:100%;overflow-x:auto">'
        f"{svg}</figure>"
    )
