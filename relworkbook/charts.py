"""Charts that need no internet, and their table alternatives.

Two kinds:

* :func:`heat_table_html` — a plain HTML table with coloured cells *and*
  numbers and words in them (colour is never the only signal). Used on phones
  and anywhere a chart library would be too heavy; costs no imports.
* :func:`render_svg` / :func:`render_png` — Altair charts drawn to SVG or PNG
  on the server by vl-convert. The browser receives a finished picture, so no
  JavaScript library is fetched from a CDN, and a facilitator's laptop on a
  hall's patchy wifi shows the chart as soon as the page does. Altair and
  vl-convert are imported only when the first chart is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

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
        'style="overflow-x:auto;max-width:100%">',
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


def _vl_convert() -> Any:
    try:
        import vl_convert
    except ImportError as exc:  # pragma: no cover
        raise ImportError(
            "Offline charts need 'vl-convert-python': reinstall the kit with `pip install relworkbook`."
        ) from exc
    return vl_convert


def render_svg(chart: Any) -> str:
    """An Altair chart as an SVG document (text in it is escaped by Vega)."""
    return _vl_convert().vegalite_to_svg(chart.to_dict())


def render_png(chart: Any, scale: float = 2.0) -> bytes:
    return _vl_convert().vegalite_to_png(chart.to_dict(), scale=scale)


def warm_up() -> None:
    """Draw a tiny chart once: vl-convert's first drawing takes ~0.6 s, later ones ~0.05 s."""
    alt = altair()
    render_svg(alt.Chart(alt.Data(values=[{"a": 1}])).mark_point().encode(x="a:Q"))


def svg_figure_html(svg: str, description: str) -> str:
    """Wrap a server-drawn SVG for an HTML widget or report, with a text description."""
    return (
        f'<figure role="img" aria-label="{esc(description)}" style="margin:0;max-width:100%;overflow-x:auto">'
        f"{svg}</figure>"
    )
