"""The storybook and story weaving's exports: printable HTML, tidy CSV, lossless JSON, the feeling curve.

Privacy, as in :mod:`.model` and :mod:`.sharing`: the storybook and the
facilitator's CSV and JSON never hold a private moment, sealed or not (only
known keys are copied), and never put a moment shared without a name beside
its teller's name or group (in the JSON each response is split into a named
and an anonymous part). :func:`facilitator_document` and
:func:`facilitator_rows` are the one source of the facilitator's JSON and
moments CSV, for the downloads and ``relworkbook export`` alike. A
participant's own export keeps their private moments, because they are theirs.
Every piece of typed text passes through :func:`~relworkbook.text.esc`: a story
containing ``<script>`` is printed exactly as typed, as text.

The storybook is one self-contained file: inline CSS, the chart as inline SVG
drawn on the server, no scripts, fonts or images fetched from anywhere, so it
prints and opens offline.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Iterable, Mapping, Sequence

from .. import charts
from ..charts import TableCell, heat_table_html
from ..exchange import responses_document, to_csv, to_json
from ..files import DownloadFile
from ..reports import date_words, report_page, sources_footer
from ..store import Response, Workshop
from ..text import esc
from .model import (
    CHOICES,
    SHARED_CONSENTS,
    WORKBOOK,
    Entry,
    PhaseFeeling,
    SharedMoment,
    SortResult,
    carry_forward,
    feeling_curve,
    moments_by_phase,
    outside_timeline,
    own_moments,
    pinned,
    response_entries,
    shared_moments,
    shift_counts,
    sort_results,
    timeline_from_settings,
    who_counts,
    word_counts,
)
from .pack import Phase, Scale, StoryPack
from .settings import hidden_ids as workshop_hidden_ids
from .settings import pinned_ids as workshop_pinned_ids
from .sharing import share_responses

MOMENT_COLUMNS = ["workshop", "round", "moment_id", "phase_id", "phase", "title", "story", "feeling",
                  "feeling_label", "who", "shifts", "spirit", "consent", "name", "group", "pinned", "hidden"]
SORT_COLUMNS = ["statement_id", "statement", "people", *CHOICES, "leading", "agreement", "split", "hidden"]
TOP_WORDS = 20


# -- small words for typed ids -------------------------------------------------------


def _phase_name(pack: StoryPack, phases: Sequence[Phase], phase_id: str) -> str:
    for p in phases:
        if p.id == phase_id:
            return p.name
    return pack.screen("phase_gone_name", phase=phase_id)


def _tag_name(pack: StoryPack, tag_id: str) -> str:
    try:
        return pack.tag(tag_id).name
    except KeyError:  # the pack was edited after the moment was told
        return tag_id


def _shift_label(pack: StoryPack, undercurrent_id: str, direction: str) -> str:
    try:
        return pack.shift_words(undercurrent_id, direction)
    except KeyError:
        return f"{undercurrent_id} ({direction})"


def _feeling_text(pack: StoryPack, value: int | None) -> str:
    scale = pack.feeling
    return "" if value is None else pack.screen("feeling_value", value=value, max=scale.max, label=scale.label(value))


def _mean_text(scale: Scale, mean: float) -> str:
    return f"{mean:.1f} ({scale.label(int(mean + 0.5))})"


def _byline(pack: StoryPack, moment: SharedMoment) -> str:
    if moment.consent == "private":
        return pack.screen("private_byline")
    if moment.anonymous:
        return pack.screen("anonymous")  # no group either: a small group could give a teller away
    return f"{moment.name}, {moment.group}" if moment.group else moment.name


# -- tidy rows -----------------------------------------------------------------------


def _moment_row(pack: StoryPack, phases: Sequence[Phase], m: SharedMoment, pinned_ids: set[str],
                hidden: set[str]) -> dict[str, Any]:
    return {
        "moment_id": m.id, "phase_id": m.phase, "phase": _phase_name(pack, phases, m.phase), "title": m.title,
        "story": m.story, "feeling": m.feeling, "feeling_label": pack.feeling.label(m.feeling),
        "who": "; ".join(_tag_name(pack, t) for t in m.who),
        "shifts": "; ".join(_shift_label(pack, u, d) for u, d in m.shifts),
        "spirit": m.spirit, "consent": m.consent, "name": m.name, "group": m.group,
        "pinned": int(m.id in pinned_ids), "hidden": int(m.id in hidden),
    }


def moment_rows(
    pack: StoryPack, phases: Sequence[Phase], entries: Iterable[Entry], *, include_private: bool = False,
    hidden: Iterable[str] = (), pinned_ids: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """One row per moment. Private moments only with ``include_private`` (a participant's own export).

    ``entries`` are (display name, group label, payload[, teller key]); the
    name and group columns are filled only for moments shared with a name.
    Shared rows come in :func:`~.model.shared_moments`' order (named first,
    anonymous ones apart), so no anonymous row sits beside its teller's
    named one; a participant's own rows keep their order. Hidden (moderated)
    moments stay in the facilitator's record, flagged.
    """
    pinned_set, hidden_set = set(pinned_ids), set(hidden)
    if include_private:
        moments = [m for entry in entries for m in own_moments(entry[2], entry[0], entry[1])]
    else:
        moments = shared_moments(entries)
    return [_moment_row(pack, phases, m, pinned_set, hidden_set) for m in moments]


def sort_rows(results: Sequence[SortResult]) -> list[dict[str, Any]]:
    """The Dark and Light results, one row per statement; hidden counts stay empty.

    As in the heatmap's summary, a row without results leaves its number of people empty too and is
    marked hidden, so it looks the same whether nobody or a few people sorted the statement.
    """
    rows = []
    for r in results:
        counts = r.counts or {}
        rows.append({"statement_id": r.id, "statement": r.text, "people": None if r.counts is None else r.people,
                     **{c: counts.get(c) for c in CHOICES}, "leading": r.leading, "agreement": r.agreement,
                     "split": int(r.split), "hidden": int(r.counts is None)})
    return rows


# -- the feeling curve ------------------------------------------------------------------


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def feeling_chart(pack: StoryPack, curve: Sequence[PhaseFeeling], title: str):
    """The average feeling per phase as a line, each point labelled with its number."""
    alt = charts.altair()
    scale = pack.feeling
    order = [_short(point.phase.name) for point in curve]
    values = [
        {"phase": _short(point.phase.name), "mean": point.mean,
         "label": f"{point.mean:.1f}" if point.mean is not None else ""}
        for point in curve
    ]
    base = alt.Chart(alt.Data(values=values)).encode(
        x=alt.X("phase:N", sort=order, title=None, axis=alt.Axis(labelAngle=0, labelLimit=160)),
        y=alt.Y("mean:Q", scale=alt.Scale(domain=[scale.min, scale.max]),
                title=pack.screen("feeling_axis", min=scale.min, low=scale.low_word, max=scale.max,
                                  high=scale.high_word),
                axis=alt.Axis(tickMinStep=1)),
    )
    line = base.mark_line(color="#5b4a9e", strokeWidth=2)
    points = base.mark_point(filled=True, size=80, color="#5b4a9e")
    labels = base.mark_text(dy=-12, fontSize=12, color="#1a1a1a").encode(text="label:N")
    return (line + points + labels).properties(width=max(320, 110 * len(curve)), height=240, title=title)


def feeling_table(pack: StoryPack, curve: Sequence[PhaseFeeling], min_group: int) -> str:
    """The feeling curve as words and numbers: the chart's table alternative."""
    rows = []
    for point in curve:
        if point.mean is not None:
            average = _mean_text(pack.feeling, point.mean)
        elif point.hidden:
            average = pack.screen("hidden_few_felt", k=min_group)
        else:
            average = "–"
        rows.append([TableCell(point.phase.name, header=True), TableCell(str(point.count)), TableCell(average)])
    return heat_table_html(pack.screen("feeling_by_phase"),
                           [pack.screen("phase"), pack.screen("moments_shared"), pack.screen("average_feeling")], rows)


# -- the storybook's sections -----------------------------------------------------------


_CSS = """
.phase{border-left:4px solid #8a7fc0;padding-left:14px;margin:24px 0}.phase>p{color:#444}
article.moment{border:1px solid #ccc;border-radius:8px;padding:10px 14px;margin:12px 0;background:#fafafa}
article.moment h4{margin:0 0 4px 0}.story{white-space:pre-wrap;overflow-wrap:anywhere}
.facts{color:#444;font-size:0.92em;margin:4px 0}.byline{font-weight:600}
.spirit{font-style:italic;border-left:3px solid #c9a227;padding-left:8px;margin:8px 0}
table{border-collapse:collapse}th[scope=row]{text-align:left;font-weight:600}
figure svg{max-width:100%;height:auto}ul.words{columns:2}
@media print{body{margin:0;max-width:none}a{color:inherit}h2,h3{break-after:avoid;page-break-after:avoid}
article.moment,tr,figure{break-inside:avoid;page-break-inside:avoid}}
"""


def moment_html(pack: StoryPack, m: SharedMoment) -> str:
    facts = []
    if m.feeling is not None:
        facts.append(esc(pack.screen("feeling_fact", feeling=_feeling_text(pack, m.feeling))))
    if m.who:
        facts.append(esc(pack.screen("who_fact", who=", ".join(_tag_name(pack, t) for t in m.who))))
    if m.shifts:
        facts.append(esc(pack.screen("shifts_fact", shifts="; ".join(_shift_label(pack, u, d) for u, d in m.shifts))))
    parts = [
        '<article class="moment">',
        f'<h4 dir="auto">{esc(m.title)}</h4>',
        f'<p class="byline" dir="auto">{esc(_byline(pack, m))}</p>',
        f'<p class="story" dir="auto">{esc(m.story)}</p>',
    ]
    if m.spirit:
        parts.append(f'<p class="spirit" dir="auto">{esc(pack.screen("spirit_line", spirit=m.spirit))}</p>')
    if facts:
        parts.append('<p class="facts">' + " &middot; ".join(facts) + "</p>")
    parts.append("</article>")
    return "".join(parts)


def _phase_html(pack: StoryPack, phase: Phase, moments: Sequence[SharedMoment], empty: str) -> str:
    body = "".join(moment_html(pack, m) for m in moments) or f'<p class="meta">{esc(empty)}</p>'
    description = f"<p>{esc(phase.description)}</p>" if phase.description else ""
    return f'<div class="phase"><h3 dir="auto">{esc(phase.name)}</h3>{description}{body}</div>'


def timeline_html(pack: StoryPack, phases: Sequence[Phase], moments: Sequence[SharedMoment], empty: str) -> str:
    """The timeline, phase by phase, with the given moments under their phase."""
    placed = moments_by_phase(moments, phases)
    parts = [_phase_html(pack, p, placed[p.id], empty) for p in phases]
    elsewhere = outside_timeline(moments, phases)
    if elsewhere:
        other = Phase("", pack.screen("other_moments"), pack.screen("other_moments_note"))
        parts.append(_phase_html(pack, other, elsewhere, empty))
    return "".join(parts)


def undercurrents_html(pack: StoryPack, phases: Sequence[Phase], moments: Sequence[SharedMoment]) -> str:
    counts = shift_counts(moments, phases, [u.id for u in pack.undercurrents])
    if not any(c.towards or c.away for c in counts):
        return f"<p>{esc(pack.screen('no_shifts'))}</p>"
    by_key = {(c.phase, c.undercurrent): c for c in counts}

    def cell(towards: int, away: int) -> TableCell:
        return TableCell(pack.screen("shift_count", towards=towards, away=away) if towards or away else "–")

    rows = []
    for u in pack.undercurrents:
        row = [TableCell(pack.shift_name(u.id), header=True)]
        row += [cell(by_key[(p.id, u.id)].towards, by_key[(p.id, u.id)].away) for p in phases]
        row.append(cell(sum(by_key[(p.id, u.id)].towards for p in phases),
                        sum(by_key[(p.id, u.id)].away for p in phases)))
        rows.append(row)
    columns = [pack.screen("undercurrent"), *[p.name for p in phases], pack.screen("all_phases")]
    return heat_table_html(pack.screen("shifts_caption"), columns, rows)


def who_html(pack: StoryPack, phases: Sequence[Phase], moments: Sequence[SharedMoment]) -> str:
    counts = who_counts(moments, phases, [t.id for t in pack.who])
    if not any(c.count for c in counts):
        return f"<p>{esc(pack.screen('no_who'))}</p>"
    by_key = {(c.phase, c.tag): c.count for c in counts}
    rows = [
        [TableCell(t.name, header=True), *[TableCell(str(by_key[(p.id, t.id)])) for p in phases],
         TableCell(str(sum(by_key[(p.id, t.id)] for p in phases)))]
        for t in pack.who
    ]
    return heat_table_html(pack.screen("who_caption"),
                           [pack.screen("who_heading"), *[p.name for p in phases], pack.screen("all_phases")], rows)


def dark_light_html(pack: StoryPack, results: Sequence[SortResult], min_group: int) -> str:
    if not any(r.people for r in results):
        return f"<p>{esc(pack.screen('no_sorting'))}</p>"
    labels = dict(pack.choices)
    rows = []
    for r in results:
        row = [TableCell(r.text, header=True)]
        if r.counts is None:
            # One wording whatever the reason (nobody, too few, or hidden with a smaller group's, see
            # model.suppress_sort_complements), so a hidden row tells nothing about its few people.
            note = pack.screen("hidden_few_sorted", k=min_group) if min_group > 1 else pack.screen("not_sorted")
            row += [TableCell("–") for _ in CHOICES] + [TableCell(note)]
        else:
            verdict = f"{labels[r.leading]} ({r.agreement:.0%})" if r.leading else pack.screen("no_single_choice")
            verdict += ": " + pack.screen("split") if r.split else ""
            row += [TableCell(str(r.counts[c])) for c in CHOICES] + [TableCell(verdict)]
        rows.append(row)
    columns = [pack.screen("statement"), *[labels[c] for c in CHOICES], pack.screen("most_chose")]
    note = (f'<p style="color:#555">{esc(pack.screen("sort_hidden_note", k=min_group))}</p>'
            if min_group > 1 and any(r.counts is None for r in results) else "")
    return heat_table_html(pack.screen("sort_caption"), columns, rows) + note


def words_html(pack: StoryPack, moments: Sequence[SharedMoment]) -> str:
    words = word_counts((f"{m.title}\n{m.story}" for m in moments), pack.stop_words, top=TOP_WORDS)
    if not words:
        return f"<p>{esc(pack.screen('no_words'))}</p>"
    items = "".join(f'<li dir="auto">{esc(word)} ({count})</li>' for word, count in words)
    return f'<ul class="words">{items}</ul>'


def carry_forward_html(pack: StoryPack, moments: Sequence[SharedMoment]) -> str:
    truths = carry_forward(moments)
    if not truths:
        return f"<p>{esc(pack.screen('no_spirit'))}</p>"
    return "<ul>" + "".join(f'<li dir="auto">{esc(t)}</li>' for t in truths) + "</ul>"


def _sources_html(pack: StoryPack) -> str:
    return sources_footer(pack.sources, pack.note)


def _section(heading: str, *body: str) -> str:
    """A storybook section under its pack heading (escaped: a translated heading is pack text)."""
    return f"<section><h2>{esc(heading)}</h2>" + "".join(body) + "</section>"


def _page(title: str, body: Iterable[str]) -> str:
    return report_page(title, body, css=_CSS)


def storybook_html(
    pack: StoryPack, workshop_title: str, phases: Sequence[Phase], moments: Sequence[SharedMoment],
    pinned_ids: Iterable[str], results: Sequence[SortResult], *, min_group: int, curve_svg: str = "",
) -> str:
    """The group's printable storybook.

    ``moments`` are the shared moments (:func:`~.model.shared_moments`): the
    pinned ones are printed in full; all of them feed the curve, the
    undercurrents, the words and the truths to carry forward. ``curve_svg`` is
    the drawn feeling curve; without it the table stands alone.
    """
    moments = [m for m in moments if m.consent in SHARED_CONSENTS]  # a private moment is never printed here
    title = workshop_title or pack.title
    curve = feeling_curve(moments, phases, min_group)
    figure = charts.svg_figure_html(curve_svg, pack.screen("curve_figure")) if curve_svg else ""
    made = date_words()
    return _page(title, [
        f"<h1 dir='auto'>{esc(title)}</h1>",
        f"<p class='meta'>{esc(pack.screen('storybook_meta', title=pack.title, count=len(moments), made=made))}</p>",
        f"<p class='meta'>{esc(pack.screen('averages_hidden', k=min_group))}</p>",
        _section(pack.screen("our_timeline"), timeline_html(pack, phases, pinned(moments, pinned_ids),
                                                            pack.screen("no_pinned"))),
        _section(pack.screen("feeling_heading"), figure, feeling_table(pack, curve, min_group)),
        _section(pack.screen("shifts_heading"), undercurrents_html(pack, phases, moments)),
        _section(pack.screen("who_heading"), who_html(pack, phases, moments)),
        _section(pack.screen("sort_heading"), dark_light_html(pack, results, min_group)),
        _section(pack.screen("words_heading"), words_html(pack, moments)),
        _section(pack.screen("carry_heading"), carry_forward_html(pack, moments)),
        _sources_html(pack),
    ])


def my_sort_html(pack: StoryPack, sort: Mapping[str, str]) -> str:
    labels = dict(pack.choices)
    rows = [[TableCell(s.text, header=True), TableCell(labels[sort[s.id]] if sort.get(s.id) in labels else "–")]
            for s in pack.statements]
    return heat_table_html(pack.screen("my_sort_caption"), [pack.screen("statement"), pack.screen("my_choice")], rows)


def my_story_html(
    pack: StoryPack, phases: Sequence[Phase], moments: Sequence[SharedMoment], sort: Mapping[str, str] | None = None,
    title: str = "",
) -> str:
    """A participant's own printable story: every moment, private ones included (titled "My story" unless given)."""
    title = title or pack.screen("my_story")
    parts = [
        f"<h1 dir='auto'>{esc(title)}</h1>",
        f"<p class='meta'>{esc(pack.screen('my_story_meta', title=pack.title, made=date_words()))}</p>",
        _section(pack.screen("my_timeline"), timeline_html(pack, phases, moments, pack.screen("nothing_yet"))),
    ]
    if sort:
        parts.append(_section(pack.screen("sort_heading"), my_sort_html(pack, sort)))
    parts.append(_section(pack.screen("my_carry_heading"), carry_forward_html(pack, moments)))
    parts.append(_sources_html(pack))
    return _page(title, parts)


# -- downloads -----------------------------------------------------------------------


def _entries(responses: Iterable[Response]) -> Sequence[Entry]:
    return response_entries(responses)


def _with_workshop(rows: list[dict[str, Any]], code: str, round_name: str) -> list[dict[str, Any]]:
    return [{"workshop": code, "round": round_name, **row} for row in rows]


def facilitator_document(pack: StoryPack, workshop: Workshop, responses: Iterable[Response]) -> dict[str, Any]:
    """The facilitator's re-importable JSON record (every round given), with the sharing rule applied.

    Each response becomes a named part and an anonymous part
    (:func:`~.sharing.share_responses`); no private moment, sealed or plain,
    is in it. The "Responses (JSON)" download and ``relworkbook export
    --format json`` both write exactly this (through :func:`~relworkbook.exchange.to_json`).
    """
    return responses_document(WORKBOOK, share_responses(pack, workshop, responses), workshop)


def facilitator_rows(pack: StoryPack, workshop: Workshop, responses: Iterable[Response]
                     ) -> tuple[list[dict[str, Any]], list[str]]:
    """The facilitator's moments CSV: (rows, columns), the workshop's current round only.

    Shared moments only; name and group only where the teller shared with
    their name; anonymous rows apart from named ones; pinned and hidden
    flags from the workshop's settings. The "Moments (CSV)" download and
    ``relworkbook export --format csv`` both write exactly this (through
    :func:`~relworkbook.exchange.to_csv`). Already-shared responses give the
    same rows.
    """
    phases = timeline_from_settings(pack, workshop.settings)
    current = [r for r in responses if r.round == workshop.current_round]
    rows = moment_rows(pack, phases, _entries(current), hidden=workshop_hidden_ids(workshop),
                       pinned_ids=workshop_pinned_ids(workshop))
    return _with_workshop(rows, workshop.code, workshop.current_round), list(MOMENT_COLUMNS)


def export_files(
    pack: StoryPack, workshop: Workshop, responses: list[Response], *, phases: Sequence[Phase] | None = None,
    pinned_ids: Iterable[str] | None = None, hidden_ids: Iterable[str] | None = None,
) -> list[DownloadFile]:
    """The facilitator's downloads for the current round (JSON: every round given).

    Pins and hides come from the workshop's settings unless given; the
    moments CSV and the JSON are :func:`facilitator_rows` and
    :func:`facilitator_document`, nothing else.
    """
    settings = dict(workshop.settings)
    if pinned_ids is not None:
        settings["pinned"] = list(pinned_ids)
    if hidden_ids is not None:
        settings["hidden"] = list(hidden_ids)
    workshop = dataclasses.replace(workshop, settings=settings)
    phases = phases if phases is not None else timeline_from_settings(pack, workshop.settings)
    pinned_list, hidden_list = workshop_pinned_ids(workshop), workshop_hidden_ids(workshop)
    current = [r for r in responses if r.round == workshop.current_round]
    moments = shared_moments(_entries(current), hidden_list)
    results = sort_results([r.payload.get("sort") or {} for r in current], pack, workshop.min_group)
    title = workshop.title or pack.title
    curve = feeling_curve(moments, phases, workshop.min_group)
    chart = feeling_chart(pack, curve, pack.screen("curve_file_title", title=title))
    svg = charts.render_svg(chart)
    rows, columns = facilitator_rows(pack, workshop, responses)
    stem = f"story-weaving-{workshop.code}"
    return [
        DownloadFile.text(pack.screen("storybook_file"), f"{stem}-storybook.html",
                          storybook_html(pack, title, phases, moments, pinned_list, results,
                                         min_group=workshop.min_group, curve_svg=svg), "text/html"),
        DownloadFile.text(pack.screen("moments_file"), f"{stem}-moments.csv", to_csv(rows, columns), "text/csv"),
        DownloadFile.text(pack.screen("sort_file"), f"{stem}-dark-and-light.csv",
                          to_csv(sort_rows(results), SORT_COLUMNS), "text/csv"),
        DownloadFile.text(pack.screen("responses_file"), f"{stem}-responses.json",
                          to_json(facilitator_document(pack, workshop, responses)), "application/json"),
        DownloadFile.text(pack.screen("curve_file"), f"{stem}-feeling.svg", svg, "image/svg+xml"),
    ]


def my_export_files(
    pack: StoryPack, phases: Sequence[Phase], mine: Sequence[Response], workshop: Workshop | None = None,
) -> list[DownloadFile]:
    """A participant's own downloads: their story, their moments and their answers, private ones kept.

    ``mine`` must hold the *opened* payloads (:func:`~.sealed.open_payload`):
    only moments and sorting are written, never the sealed field. The story
    shows the latest of ``mine``; the CSV and JSON hold all of them. The JSON
    re-imports into a workshop (the facilitator's import keeps private moments
    out of everything shared).
    """
    mine = [dataclasses.replace(r, payload={"moments": list(r.payload.get("moments") or []),
                                            "sort": dict(r.payload.get("sort") or {})}) for r in mine]
    if not mine:
        return []
    latest = max(mine, key=lambda r: r.updated_at)
    stem = f"story-weaving-{workshop.code}-my" if workshop else "story-weaving-my"
    story = my_story_html(pack, phases, own_moments(latest.payload, latest.display_name, latest.group_label),
                          latest.payload.get("sort") or {})
    rows = [
        row
        for r in mine
        for row in _with_workshop(moment_rows(pack, phases, _entries([r]), include_private=True),
                                  workshop.code if workshop else "", r.round)
    ]
    return [
        DownloadFile.text(pack.screen("download_story"), f"{stem}-story.html", story, "text/html"),
        DownloadFile.text(pack.screen("download_moments"), f"{stem}-moments.csv", to_csv(rows, MOMENT_COLUMNS),
                          "text/csv"),
        DownloadFile.text(pack.screen("download_file"), f"{stem}-answers.json",
                          to_json(responses_document(WORKBOOK, mine, workshop)), "application/json"),
    ]
