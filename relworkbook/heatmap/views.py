"""Heatmaps as HTML tables: light enough for a participant's phone.

Each cell shows its number and a word (warm / mixed / cool) as well as its
colour, and hidden cells say why they are hidden.
"""

from __future__ import annotations

from ..charts import TableCell, heat_table_html, legend_html
from ..content import HeatmapPack
from ..text import esc
from .model import Cell, Summary, temperature


def _value_cell(pack: HeatmapPack, cell: Cell, min_group: int) -> TableCell:
    if cell.mean is None:
        # Pooled (k > 1): one wording whether the few people rated, skipped or
        # said "don't know", so a hidden cell gives nothing away. One person's
        # own view (k = 1) can say plainly that nothing was rated.
        text = pack.screen("hidden_small", k=min_group) if min_group > 1 else pack.screen("no_ratings")
        return TableCell(text, muted=True)
    return TableCell(f"{cell.mean:.1f} {temperature(pack.scale, cell.mean)}", heat=cell.mean)


#: Where "mostly agree" ends and "views differ a lot" begins, as standard deviations of the ratings
#: (the kit's own bands: on a 1-5 scale 0.6 is most people within a point, 1.2 is a room split in two).
AGREE_BELOW, SPLIT_FROM = 0.6, 1.2


def agreement(pack: HeatmapPack, spread: float) -> str:
    """How far apart people's ratings are, in words a participant reads at a glance (never "spread 1.7")."""
    if spread < AGREE_BELOW:
        return pack.screen("agree_close")
    return pack.screen("agree_mixed") if spread < SPLIT_FROM else pack.screen("agree_split")


def _count(cell: Cell, value: int) -> TableCell:
    """Counts are shown only beside a visible result: a hidden cell's counts could tell who answered."""
    return TableCell("" if cell.mean is None else str(value))


def legend(pack: HeatmapPack) -> str:
    s = pack.scale
    return legend_html(s.min, s.max, dict(s.labels), s.high_word, s.low_word)


def category_table(pack: HeatmapPack, summary: Summary, caption: str) -> str:
    rows = [
        [TableCell(c.label, header=True), _value_cell(pack, c, summary.min_group), _count(c, c.respondents)]
        for c in summary.categories
    ]
    columns = [pack.screen("area"), pack.screen("average"), pack.screen("people")]
    return heat_table_html(caption, columns, rows, pack.scale.min, pack.scale.max)


def statement_table(pack: HeatmapPack, summary: Summary, caption: str, show_spread: bool = True) -> str:
    columns = [pack.screen("area"), pack.screen("statement"), pack.screen("average")]
    if show_spread:
        columns += [pack.screen("spread"), pack.screen("people"), pack.screen("dont_know_column")]
    rows = []
    for c in summary.statements:
        row = [TableCell(c.category), TableCell(c.label, header=True), _value_cell(pack, c, summary.min_group)]
        if show_spread:
            row += [
                TableCell("" if c.spread is None or c.mean is None else agreement(pack, c.spread)),
                _count(c, c.respondents),
                _count(c, c.dont_know),
            ]
        rows.append(row)
    return heat_table_html(caption, columns, rows, pack.scale.min, pack.scale.max)


def grid_table(pack: HeatmapPack, columns: dict[str, Summary], caption: str) -> str:
    """The live heatmap: statements down, everyone/groups/rounds across.

    Plain HTML on purpose: it redraws in a few milliseconds for any number of
    participants, wraps long statements, and carries numbers and words as well
    as colour. (Drawing the same grid with Vega costs ~0.3 s, almost all of it
    measuring the long statement labels, so that chart is made on request.)
    """
    names = list(columns)
    rows = []
    for index, statement in enumerate(pack.statements):
        row = [TableCell(statement.text, header=True)]
        for name in names:
            cell = columns[name].statements[index]
            row.append(_value_cell(pack, cell, columns[name].min_group))
        rows.append(row)
    return heat_table_html(caption, [pack.screen("statement"), *names], rows, pack.scale.min, pack.scale.max)


def personal_table(pack: HeatmapPack, summary: Summary) -> str:
    """One person's heatmap: their category averages, then each statement."""
    rows = []
    for c in summary.statements:
        value = (
            TableCell(f"{int(c.mean)} {temperature(pack.scale, c.mean)}", heat=c.mean)
            if c.mean is not None
            else TableCell(pack.scale.dont_know if c.dont_know else pack.screen("not_answered"), muted=True)
        )
        rows.append([TableCell(c.category), TableCell(c.label, header=True), value])
    return (
        category_table(pack, summary, pack.screen("mine_by_area"))
        + "<br>"
        + heat_table_html(pack.screen("my_answers"),
                          [pack.screen("area"), pack.screen("statement"), pack.screen("your_rating")], rows,
                          pack.scale.min, pack.scale.max)
    )


def highlights_html(pack: HeatmapPack, summary: Summary) -> str:
    """Warmest, coolest and most divided statements, as short lists."""

    def number(c: Cell, show: str) -> str:
        mean = format(c.mean, ".1f")
        if show == "spread" and c.spread is not None:
            return pack.screen("mean_spread", mean=mean, agreement=agreement(pack, c.spread))
        return mean

    def items(cells: list[Cell], show: str) -> str:
        if not cells:
            return f"<li>{esc(pack.screen('not_enough'))}</li>"
        return "".join(f"<li>{esc(c.label)} <b>({esc(number(c, show))})</b></li>" for c in cells)

    def column(heading: str, body: str) -> str:
        return f'<div style="flex:1;min-width:240px"><h4>{esc(heading)}</h4>{body}</div>'

    return (
        '<div class="rw-highlights" style="display:flex;flex-wrap:wrap;gap:16px">'
        + column(pack.screen("warmest"), f"<ol>{items(summary.warmest(), 'mean')}</ol>")
        + column(pack.screen("coolest"), f"<ol>{items(summary.coolest(), 'mean')}</ol>")
        + column(pack.screen("most_divided"), f'<p style="font-size:0.9em">{esc(pack.screen("most_divided_hint"))}</p>'
                 f"<ol>{items(summary.most_divided(), 'spread')}</ol>")
        + "</div>"
    )
