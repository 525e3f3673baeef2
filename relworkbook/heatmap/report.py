"""The heatmap's exports: tidy CSV, lossless JSON, charts (SVG/PNG) and the HTML report.

Everything pooled (charts, summary CSV, report) applies the workshop's k: a
cell with fewer respondents is hidden. The raw response files (JSON, tidy CSV)
are the facilitator's record and carry no names unless people typed one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from .. import charts
from ..content import HeatmapPack, load_ui
from ..exchange import responses_document, to_csv, to_json
from ..files import DownloadFile
from ..reports import date_words, report_page, sources_footer
from ..store import Note, Response, Workshop
from ..text import esc
from . import views
from .model import WORKBOOK, Change, Summary, compare, split_by, summarise, suppress_complements

TIDY_COLUMNS = ["workshop", "round", "group", "participant", "name", "category", "statement_id",
                "statement", "rating", "dont_know", "updated_at"]
SUMMARY_COLUMNS = ["round", "group", "category", "statement_id", "statement", "respondents", "dont_know",
                   "average", "spread", "hidden"]
EVERYONE = "Everyone"


def tidy_rows(pack: HeatmapPack, workshop_code: str, responses: list[Response]) -> list[dict[str, Any]]:
    """One row per person per statement: the shape spreadsheets and pandas like."""
    rows = []
    for r in responses:
        ratings = r.payload.get("ratings", {})
        for s in pack.statements:
            if s.id not in ratings:
                continue
            value = ratings[s.id]
            rows.append({
                "workshop": workshop_code, "round": r.round, "group": r.group_label,
                "participant": r.participant_uid[:10], "name": r.display_name,
                "category": s.category_id, "statement_id": s.id, "statement": s.text,
                "rating": value, "dont_know": int(value is None),
                "updated_at": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(r.updated_at)),
            })
    return rows


def tidy_frame(pack: HeatmapPack, workshop_code: str, responses: list[Response]):
    """The tidy rows as a pandas DataFrame, for analysis in JupyterLab."""
    import pandas as pd

    return pd.DataFrame(tidy_rows(pack, workshop_code, responses), columns=TIDY_COLUMNS)


@dataclass(frozen=True)
class Analysis:
    """Everything the facilitator's screens and the report show, computed once."""

    round: str
    everyone: Summary
    by_group: dict[str, Summary]
    by_round: dict[str, Summary]
    warming: list[Change]


def analyse(pack: HeatmapPack, workshop: Workshop, responses: list[Response]) -> Analysis:
    k = workshop.min_group
    current = [r for r in responses if r.round == workshop.current_round]
    everyone = summarise(pack, (r.payload.get("ratings", {}) for r in current), k)
    groups = suppress_complements(
        split_by(pack, ((r.group_label, r.payload.get("ratings", {})) for r in current), k)
    )
    rounds = split_by(pack, ((r.round, r.payload.get("ratings", {})) for r in responses), k)
    labels = list(rounds)
    warming = compare(rounds[labels[0]], rounds[labels[-1]]) if len(labels) > 1 else []
    return Analysis(workshop.current_round, everyone, groups, rounds, warming)


def summary_rows(analysis: Analysis) -> list[dict[str, Any]]:
    rows = []
    sets = [(analysis.round, EVERYONE, analysis.everyone)]
    sets += [(analysis.round, g, s) for g, s in analysis.by_group.items()] if len(analysis.by_group) > 1 else []
    sets += [(r, EVERYONE, s) for r, s in analysis.by_round.items() if r != analysis.round]
    for round_name, group, summary in sets:
        for c in summary.statements:
            rows.append({
                "round": round_name, "group": group, "category": c.category, "statement_id": c.key,
                # A hidden cell's counts could tell who rated, skipped or said
                # "don't know": they are left blank, like its average.
                "statement": c.label, "respondents": None if c.mean is None else c.respondents,
                "dont_know": None if c.mean is None else c.dont_know,
                "average": c.mean, "spread": c.spread, "hidden": int(c.mean is None),
            })
    return rows


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def heatmap_chart(pack: HeatmapPack, columns: dict[str, Summary], title: str):
    """Statements down, columns (everyone, groups or rounds) across; numbers in every cell."""
    alt = charts.altair()
    values = []
    for column, summary in columns.items():
        for c in summary.statements:
            # One word for every empty pooled cell: "–" for "nobody rated" would tell a small group apart.
            label = f"{c.mean:.1f}" if c.mean is not None else pack.screen("chart_hidden")
            # Only what is drawn goes into the chart's data: a hidden cell's count of people stays out of it.
            values.append({"column": column, "statement": _short(c.label), "mean": c.mean, "label": label})
    order = [_short(s.text) for s in pack.statements]
    low, high = pack.scale.min, pack.scale.max
    base = alt.Chart(alt.Data(values=values)).encode(
        x=alt.X("column:N", sort=list(columns), title=None, axis=alt.Axis(orient="top", labelAngle=0, labelLimit=140)),
        y=alt.Y("statement:N", sort=order, title=None, axis=alt.Axis(labelLimit=420)),
    )
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.condition(
            "datum.mean == null",
            alt.value("#eeeeee"),
            alt.Color("mean:Q", scale=alt.Scale(domain=[low, high], **charts.VEGA_SCHEME),
                      legend=alt.Legend(title=pack.screen("chart_legend", low=low, high=high), orient="bottom")),
        ),
    )
    numbers = base.mark_text(fontSize=12).encode(
        text="label:N",
        color=alt.condition(
            f"datum.mean != null && (datum.mean < {low + 0.8 * (high - low) / 4}"
            f" || datum.mean > {high - 0.8 * (high - low) / 4})",
            alt.value("white"), alt.value("black"),
        ),
    )
    return (cells + numbers).properties(
        width=max(110, 100 * len(columns)), height=24 * len(pack.statements), title=title
    )


def chart_columns(analysis: Analysis, everyone: str = EVERYONE) -> dict[str, Summary]:
    """Everyone, then each group when there is more than one; ``everyone`` is the first column's name on screen."""
    columns = {everyone: analysis.everyone}
    if len(analysis.by_group) > 1:  # one group is just "everyone" again
        columns.update(analysis.by_group)
    return columns


def warming_html(pack: HeatmapPack, changes: list[Change]) -> str:
    moved = [(c, c.delta) for c in changes if c.delta is not None]
    if not moved:
        return f"<p>{esc(pack.screen('compare_later'))}</p>"

    def way(delta: float) -> str:
        return pack.screen("warmer" if delta > 0 else "cooler" if delta < 0 else "no_change")

    items = "".join(
        f"<li>{esc(c.cell.label)}: {c.before:.1f} &rarr; {c.after:.1f} <b>({esc(way(delta))} {delta:+.1f})</b></li>"
        for c, delta in moved
    )
    return (f"<h4>{esc(pack.screen('warming_heading'))}</h4><p>{esc(pack.screen('warming_between'))}</p>"
            f"<ol>{items}</ol>")


def report_html(pack: HeatmapPack, workshop: Workshop, analysis: Analysis, notes: list[Note], chart_svg: str) -> str:
    title = workshop.title or pack.title
    focus = [n for n in notes if n.kind == "focus"]
    steps = [n for n in notes if n.kind == "next_step"]
    say = pack.screen
    meta = say("report_meta", title=pack.title, code=workshop.code, round=analysis.round,
               count=analysis.everyone.respondents, made=date_words(with_time=True))
    parts = [
        f"<h1>{esc(title)}</h1>",
        f"<p class='meta'>{esc(meta)}</p>",
        f"<p class='meta'>{esc(say('results_hidden', k=workshop.min_group))}</p>",
        f"<section><h2>{esc(say('collective_heading'))}</h2>",
        charts.svg_figure_html(chart_svg, say("chart_figure")),
        views.legend(pack),
        f"<details><summary>{esc(load_ui()('table_caption'))}</summary>",
        views.category_table(pack, analysis.everyone, say("by_area")),
        views.statement_table(pack, analysis.everyone, say("by_statement")),
    ]
    if len(analysis.by_group) > 1:  # one group is just "everyone" again
        for group, summary in analysis.by_group.items():
            parts.append(views.statement_table(pack, summary, say("group_table", group=group)))
    parts += [
        "</details></section>",
        f"<section><h2>{esc(say('highlights_heading'))}</h2>{views.highlights_html(pack, analysis.everyone)}</section>",
        f"<section><h2>{esc(say('rounds_tab'))}</h2>{warming_html(pack, analysis.warming)}</section>",
        f"<section><h2>{esc(say('work_on_heading'))}</h2>",
    ]
    if focus or steps:
        parts += [f"<h3>{esc(say('focus_heading', focus=n.text))}</h3>" for n in focus]
        parts.append("<ul>" + "".join(f"<li>{esc(n.text)}</li>" for n in steps) + "</ul>")
    else:
        parts.append(f"<p>{esc(say('no_steps'))}</p>")
    parts += ["</section>", sources_footer(pack.sources)]
    return report_page(title, parts)


def export_files(
    pack: HeatmapPack, workshop: Workshop, responses: list[Response], notes: list[Note]
) -> list[DownloadFile]:
    analysis = analyse(pack, workshop, responses)
    columns = chart_columns(analysis, pack.screen("everyone"))
    chart = heatmap_chart(pack, columns, f"{workshop.title or pack.title}: {analysis.round}")
    svg = charts.render_svg(chart)
    stem = f"heatmap-{workshop.code}"
    return [
        DownloadFile.text(pack.screen("report_file"), f"{stem}-report.html",
                          report_html(pack, workshop, analysis, notes, svg), "text/html"),
        DownloadFile.text(pack.screen("responses_csv_file"), f"{stem}-responses.csv",
                          to_csv(tidy_rows(pack, workshop.code, responses), TIDY_COLUMNS), "text/csv"),
        DownloadFile.text(pack.screen("summary_file"), f"{stem}-summary.csv",
                          to_csv(summary_rows(analysis), SUMMARY_COLUMNS), "text/csv"),
        DownloadFile.text(pack.screen("responses_json_file"), f"{stem}-responses.json",
                          to_json(responses_document(WORKBOOK, responses, workshop)), "application/json"),
        DownloadFile.text(pack.screen("svg_file"), f"{stem}.svg", svg, "image/svg+xml"),
        DownloadFile(pack.screen("png_file"), f"{stem}.png", charts.render_png(chart), "image/png"),
    ]
