"""Persona mapping's outputs: HTML pieces for the screens, the report, tidy CSV, JSON and charts.

Every HTML piece here escapes every text it shows (pack words included: a
council's pack is not the kit's to trust), and carries its styles inline so
it looks the same in a widget, a report and a printout. Pooled numbers come
from :mod:`.model` with k already applied; nothing here pools on its own.

Altair is imported only by :func:`profile_chart` (through
:mod:`relworkbook.charts`): a participant's own downloads are plain HTML and
JSON, so their kernel never loads it.
"""

from __future__ import annotations

import textwrap
import time
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from .. import charts
from ..exchange import responses_document, to_csv, to_json
from ..files import DownloadFile
from ..reports import date_words, report_page, sources_footer
from ..store import Note, Response, Workshop
from ..text import esc
from .model import (
    WORKBOOK,
    Comparison,
    Mix,
    Plan,
    Profile,
    RiskFlags,
    about_of,
    check_in_risks,
    compare_rounds,
    group_mix,
    group_pathways,
    headline,
    lead,
    profile,
    read_plans,
    strength,
    suggested_pathways,
)
from .pack import Pathway, Persona, PersonaPack

TIDY_COLUMNS = ["workshop", "round", "group", "participant", "name", "about", "kind", "persona", "item_id", "item",
                "rating", "dont_know", "updated_at"]
BAR_COLOUR = "#1f5f8b"  # dark enough for white text and for a printout; length and number carry the meaning too


# -- tidy rows --------------------------------------------------------------------------


def tidy_rows(
    pack: PersonaPack, workshop: Workshop | None, responses: Iterable[Response]
) -> tuple[list[dict[str, Any]], list[str]]:
    """One row per person per answered statement and check-in question: the shape spreadsheets like."""
    code = workshop.code if workshop else ""
    rows = []
    for r in responses:
        about = about_of(r.payload)
        base = {
            "workshop": code, "round": r.round, "group": r.group_label, "participant": r.participant_uid[:10],
            "name": r.display_name, "about": about,
            "updated_at": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(r.updated_at)),
        }
        ratings = _mapping(r.payload.get("ratings"))
        for item in pack.items:
            if item.id in ratings:
                rows.append({**base, "kind": "quiz", "persona": item.persona, "item_id": item.id,
                             "item": pack.item_text(item, about), **_rating(ratings[item.id])})
        checkin = _mapping(r.payload.get("checkin"))
        for question in pack.checkin:
            if question.id in checkin:
                rows.append({**base, "kind": "checkin", "persona": "", "item_id": question.id,
                             "item": pack.item_text(question, about), **_rating(checkin[question.id])})
    return rows, list(TIDY_COLUMNS)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _rating(value: Any) -> dict[str, Any]:
    return {"rating": value, "dont_know": int(value is None)}


# -- the analysis a report shows ----------------------------------------------------------


def rounds_in_order(responses: Iterable[Response]) -> list[str]:
    """Round names in the order they first appear (the store lists answers oldest first)."""
    seen: list[str] = []
    for r in responses:
        if r.round not in seen:
            seen.append(r.round)
    return seen


@dataclass(frozen=True)
class Analysis:
    """What the report shows, computed once."""

    round: str  # the round the mix is from
    mix: Mix
    first_round: str  # the follow-up's two rounds ("" when there is only one round)
    later_round: str
    comparison: Comparison | None


def analyse(pack: PersonaPack, workshop: Workshop, responses: Sequence[Response]) -> Analysis:
    """The mix of the current round (or of the latest round with profiles, when a follow-up
    round holds only check-ins), and the first round against the current one."""
    k = workshop.min_group
    names = rounds_in_order(responses)
    by_round = {name: [r for r in responses if r.round == name] for name in names}
    mix_round = workshop.current_round
    mix = group_mix(pack, (r.payload for r in by_round.get(mix_round, [])), k)
    if not mix.respondents:
        for name in reversed(names):
            candidate = group_mix(pack, (r.payload for r in by_round[name]), k)
            if candidate.respondents:
                mix_round, mix = name, candidate
                break
    later = workshop.current_round if workshop.current_round in by_round else (names[-1] if names else "")
    first = names[0] if names else ""
    if not first or first == later:
        return Analysis(mix_round, mix, "", "", None)
    comparison = compare_rounds(pack, ((r.participant_uid, r.payload) for r in by_round[first]),
                                ((r.participant_uid, r.payload) for r in by_round[later]), k)
    return Analysis(mix_round, mix, first, later, comparison)


# -- HTML pieces ----------------------------------------------------------------------------

_TABLE = "border-collapse:collapse;width:100%;max-width:640px;font-size:0.95em;margin:6px 0"
# Long typed words break rather than push a table wider than a phone.
_CELL = "text-align:left;padding:4px 6px;border-bottom:1px solid #ddd;vertical-align:middle;overflow-wrap:anywhere"
_CAPTION = "text-align:left;font-weight:600;padding:4px 0"
_MUTED = "color:#555"


def _hidden(pack: PersonaPack, k: int) -> str:
    return pack.screen("hidden_small", k=k)


def _bar(score: float) -> str:
    """A bar drawn by length; decorative (the number beside it says the same), so hidden from screen readers.

    At most 100 px wide, so a row fits a 360 px phone screen with the persona's name beside it.
    """
    width = max(0.0, min(100.0, score))
    return (f'<span aria-hidden="true" style="display:inline-block;vertical-align:middle;height:0.9em;'
            f'width:{width:.0f}px;background:{BAR_COLOUR};margin-right:6px;border-radius:2px"></span>')


def bars_table(pack: PersonaPack, scores: Profile, caption: str, empty_words: str) -> str:
    """The sorted bars as an accessible table: each persona, a bar, its number and a word for its strength.

    ``empty_words`` stands in a row without a score ("not answered", or "hidden (fewer than k)" for a group).
    """
    rows = []
    for s in scores:
        name = f'<th scope="row" style="{_CELL};font-weight:600">{esc(s.name)}</th>'
        if s.score is None:
            rows.append(f'<tr>{name}<td style="{_CELL};{_MUTED}">{esc(empty_words)}</td></tr>')
            continue
        rows.append(f'<tr>{name}<td style="{_CELL};white-space:nowrap">{_bar(s.score)}{s.score:.0f} '
                    f"{esc(strength(pack, s.score))}</td></tr>")
    head = "".join(f'<th scope="col" style="{_CELL}">{esc(pack.screen(key))}</th>'
                   for key in ("persona_col", "score_col"))
    return (f'<table class="rw-persona-bars" style="{_TABLE}"><caption style="{_CAPTION}">{esc(caption)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")


def card_html(pack: PersonaPack, persona: Persona, heading_level: int = 4) -> str:
    """A persona's card in the pack's words."""
    h = f"h{heading_level}"
    parts = "".join(
        f'<dt style="font-weight:600;margin-top:6px">{esc(pack.screen("card_" + field))}</dt>'
        f'<dd style="margin:0 0 0 0">{esc(words)}</dd>'
        for field, words in persona.card.parts()
    )
    heading = esc(pack.screen("card_heading", name=persona.name))
    return (f'<article class="rw-persona-card" style="border:1px solid #ccc;border-radius:6px;padding:8px 12px;'
            f'margin:8px 0;max-width:640px"><{h} style="margin:4px 0">{heading}'
            f"</{h}><p style=\"margin:4px 0\">{esc(persona.summary)}</p><dl style=\"margin:0\">{parts}</dl></article>")


def pathways_html(pack: PersonaPack, pathways: Sequence[Pathway], heading: str, heading_level: int = 4) -> str:
    h = f"h{heading_level}"
    if not pathways:
        return f"<{h}>{esc(heading)}</{h}><p>{esc(pack.screen('pathways_empty'))}</p>"
    items = "".join(
        f'<li style="margin:4px 0"><strong>{esc(p.name)}</strong>: {esc(p.description)} '
        f'<span style="{_MUTED};font-size:0.9em">({esc(pack.source_words(p))})</span></li>'
        for p in pathways
    )
    return f"<{h}>{esc(heading)}</{h}><p>{esc(pack.screen('pathways_intro'))}</p><ul>{items}</ul>"


def _about_key(about: str) -> str:
    return "someone" if about == "someone" else "self"


def profile_html(pack: PersonaPack, result: Profile, about: str = "self") -> str:
    """A participant's own result: the headline, the sorted bars, the top persona's card and pathways to try."""
    who = _about_key(about)
    parts = [
        '<section class="rw-persona-profile">',
        f'<h3 style="margin-bottom:4px">{esc(pack.screen("profile_heading_" + who))}</h3>',
        f'<p class="rw-persona-headline" style="font-size:1.2em;font-weight:700;margin:4px 0">'
        f"{esc(headline(pack, result))}</p>",
    ]
    if not result.shown:
        return "".join([*parts, "</section>"])
    parts += [
        f'<p style="margin:4px 0">{esc(pack.screen("profile_intro_" + who))}</p>',
        bars_table(pack, result, pack.screen("bars_caption_" + who), pack.screen("not_answered")),
        card_html(pack, pack.persona(result.shown[0].persona)),
    ]
    if lead(pack, result) is None and len(result.shown) > 1:
        second = pack.persona(result.shown[1].persona)
        parts.append(f'<p><strong>{esc(pack.screen("also_heading", name=second.name))}</strong>: '
                     f"{esc(second.summary)}</p>")
    parts.append(pathways_html(pack, suggested_pathways(pack, result), pack.screen("pathways_heading")))
    parts.append("</section>")
    return "".join(parts)


def checkin_html(pack: PersonaPack, flags: RiskFlags, about: str = "self") -> str:
    """A person's own check-in, in words: which warning signs it shows, if any."""
    who = _about_key(about)
    if flags.drift is None and flags.burnout is None:
        messages = [pack.screen("risk_unknown")]
    elif not flags.warnings:
        messages = [pack.screen("risk_none")]
    else:
        messages = [pack.screen(f"risk_{risk}_{who}") for risk in flags.warnings]
    items = "".join(f"<li>{esc(m)}</li>" for m in messages)
    return (f'<section class="rw-persona-checkin" role="status"><h4>{esc(pack.screen("checkin_heading"))}</h4>'
            f"<ul>{items}</ul></section>")


def _count_text(pack: PersonaPack, count: int | None, k: int) -> str:
    return _hidden(pack, k) if count is None else str(count)


def _persona_list(pack: PersonaPack, ids: Sequence[str], heading: str, empty: str) -> str:
    body = ("<ul>" + "".join(f"<li>{esc(pack.persona(p).name)}</li>" for p in ids) + "</ul>") if ids \
        else f"<p>{esc(empty)}</p>"
    return f"<h4>{esc(heading)}</h4>{body}"


def mix_html(pack: PersonaPack, mix: Mix) -> str:
    """The facilitator's live view of the group: average profile, who leads with what, present and thin."""
    k = mix.min_group
    parts = [
        '<section class="rw-persona-mix">',
        f"<h3>{esc(pack.screen('mix_heading'))}</h3>",
        f"<p>{esc(pack.screen('mix_intro'))}</p>",
        f"<p><strong>{esc(pack.screen('mix_people', count=mix.respondents))}</strong></p>",
    ]
    if not mix.respondents:
        return "".join([*parts, f"<p>{esc(pack.screen('mix_empty'))}</p>", "</section>"])
    lead_rows = [(pack.persona(pid).name, count) for pid, count in mix.leads]
    lead_rows.append((pack.screen("blend_row"), mix.blend))
    leads = "".join(
        f'<tr><th scope="row" style="{_CELL}">{esc(name)}</th>'
        f'<td style="{_CELL}{";" + _MUTED if count is None else ""}">{esc(_count_text(pack, count, k))}</td></tr>'
        for name, count in lead_rows
    )
    parts += [
        f"<h4>{esc(pack.screen('average_heading'))}</h4>",
        bars_table(pack, mix.profile, pack.screen("average_caption"), _hidden(pack, k)),
        f"<h4>{esc(pack.screen('leads_heading'))}</h4>",
        f'<table class="rw-persona-leads" style="{_TABLE}"><caption style="{_CAPTION}">'
        f"{esc(pack.screen('leads_caption'))}</caption><thead><tr>"
        f'<th scope="col" style="{_CELL}">{esc(pack.screen("persona_col"))}</th>'
        f'<th scope="col" style="{_CELL}">{esc(pack.screen("people_col"))}</th></tr></thead>'
        f"<tbody>{leads}</tbody></table>",
        f'<p style="{_MUTED}">{esc(pack.screen("hidden_note", k=k))}</p>',
        _persona_list(pack, mix.present, pack.screen("present_heading"), pack.screen("present_empty")),
        _persona_list(pack, mix.thin, pack.screen("thin_heading"), pack.screen("thin_empty")),
        pathways_html(pack, group_pathways(pack, mix), pack.screen("group_pathways_heading")),
        "</section>",
    ]
    return "".join(parts)


def _mean_text(pack: PersonaPack, value: float | None, k: int) -> str:
    return _hidden(pack, k) if value is None else f"{value:.1f}"


def compare_html(pack: PersonaPack, comparison: Comparison | None) -> str:
    """The follow-up against the first round: each check-in question's average, and people showing warning signs."""
    parts = ['<section class="rw-persona-compare">', f"<h3>{esc(pack.screen('compare_heading'))}</h3>"]
    if comparison is None or not comparison.later_people:
        return "".join([*parts, f"<p>{esc(pack.screen('compare_empty'))}</p>", "</section>"])
    k = comparison.min_group
    rows = []
    for change in comparison.items:
        if change.delta is None:  # a round hidden: nothing to compare
            word = ""
        elif change.better is None:
            word = pack.screen("change_same")
        else:
            word = pack.screen("change_better" if change.better else "change_worse")
        question = pack.item_text(pack.checkin_item(change.checkin), "self")
        rows.append(
            f'<tr><th scope="row" style="{_CELL}">{esc(question)}</th>'
            f'<td style="{_CELL}">{esc(_mean_text(pack, change.first, k))}</td>'
            f'<td style="{_CELL}">{esc(_mean_text(pack, change.later, k))}</td>'
            f'<td style="{_CELL}">{esc(word)}</td></tr>'
        )
    head = "".join(f'<th scope="col" style="{_CELL}">{esc(pack.screen(key))}</th>' for key in (
        "compare_question_col", "compare_first_col", "compare_later_col", "compare_change_col"))
    risk_rows = "".join(
        f'<tr><th scope="row" style="{_CELL}">{esc(pack.screen("risk_" + r.risk))}</th>'
        f'<td style="{_CELL}">{esc(_count_text(pack, r.first, k))}</td>'
        f'<td style="{_CELL}">{esc(_count_text(pack, r.later, k))}</td></tr>'
        for r in comparison.risks
    )
    risk_head = "".join(f'<th scope="col" style="{_CELL}">{esc(pack.screen(key))}</th>' for key in (
        "compare_risk_col", "compare_risk_first_col", "compare_risk_later_col"))
    parts += [
        f"<p>{esc(pack.screen('compare_intro'))}</p>",
        f'<table class="rw-persona-compare-items" style="{_TABLE}"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>",
        f"<p><strong>{esc(pack.screen('compare_both', count=comparison.both))}</strong></p>",
        f'<table class="rw-persona-compare-risks" style="{_TABLE}"><thead><tr>{risk_head}</tr></thead>'
        f"<tbody>{risk_rows}</tbody></table>",
        f'<p style="{_MUTED}">{esc(pack.screen("hidden_note", k=k))}</p>',
        "</section>",
    ]
    return "".join(parts)


def plans_html(pack: PersonaPack, plans: Sequence[Plan]) -> str:
    """The group's support plan, persona by persona (everything typed is escaped)."""
    parts = [f"<h3>{esc(pack.screen('plan_heading'))}</h3>"]
    if not plans:
        return "".join([*parts, f"<p>{esc(pack.screen('plan_empty'))}</p>"])
    head = "".join(f'<th scope="col" style="{_CELL}">{esc(pack.screen(key))}</th>'
                   for key in ("plan_offer", "plan_who", "plan_by_when"))
    for persona in pack.personas:
        mine = [p for p in plans if p.persona == persona.id]
        parts.append(f"<h4>{esc(persona.name)}</h4>")
        if not mine:
            parts.append(f'<p style="{_MUTED}">{esc(pack.screen("plan_nothing_for"))}</p>')
            continue
        rows = "".join(f'<tr><td style="{_CELL}" dir="auto">{esc(p.offer)}</td>'
                       f'<td style="{_CELL}" dir="auto">{esc(p.who)}</td>'
                       f'<td style="{_CELL}" dir="auto">{esc(p.by_when)}</td></tr>' for p in mine)
        parts.append(f'<table class="rw-persona-plan" style="{_TABLE}"><thead><tr>{head}</tr></thead>'
                     f"<tbody>{rows}</tbody></table>")
    return "".join(parts)


def figures_html(pack: PersonaPack) -> str:
    items = "".join(f"<li>{esc(f.text)} ({esc(pack.screen('source_word'))}: "
                    f"<a href='{esc(f.source)}'>{esc(f.source)}</a>)</li>" for f in pack.figures)
    return f"<ul>{items}</ul>"


# -- charts ------------------------------------------------------------------------------------


#: The chart's plot width, and how many characters a title line may hold in it. Labels are drawn as shapes
#: in the font they were measured in (charts.py), so no viewer's font can widen them; titles still wrap
#: well short of the width, so a long workshop title or note reads as short lines on a phone.
CHART_WIDTH = 420
TITLE_CHARS = 44
ROW_HEIGHT = 42


def _lines(text: str, width: int = TITLE_CHARS) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=True) or [""]


def profile_chart(pack: PersonaPack, scores: Iterable[Any], title: str, k: int | None = None) -> Any:
    """Horizontal bars, highest first, 0 to 100, each persona's name above its bar and its number and word
    just past the bar's end.

    Each name sits above its bar rather than on a y axis beside it, so the
    bars keep the whole width when the chart is shrunk to a phone. Personas
    without a score are left out and named in the subtitle: "not answered"
    for a person (``k`` None), "fewer than k people" for a group.
    """
    alt = charts.altair()
    scores = list(scores)
    shown = [s for s in scores if s.score is not None]
    hidden = [s.name for s in scores if s.score is None]
    values = [{"persona": s.name, "score": s.score, "label": f"{s.score:.0f} {strength(pack, s.score)}"}
              for s in shown]
    order = [s.name for s in sorted(shown, key=lambda s: -s.score)]
    base = alt.Chart(alt.Data(values=values)).encode(
        y=alt.Y("persona:N", sort=order, title=None, axis=None,
                scale=alt.Scale(paddingInner=0, paddingOuter=0)),
    )
    x = alt.X("score:Q", scale=alt.Scale(domain=[0, 100]), title=pack.screen("chart_axis"),
              axis=alt.Axis(values=list(range(0, 101, 20))))
    # Each row: the name on top (from the left edge), the bar below it.
    bars = base.mark_bar(color=BAR_COLOUR, size=14, yOffset=8).encode(x=x)
    names = base.mark_text(align="left", baseline="bottom", dy=-1, fontSize=13, fontWeight="bold",
                           color="#1a1a1a").encode(x=alt.datum(0), text="persona:N")
    numbers = base.mark_text(align="left", baseline="middle", dx=4, dy=8, fontSize=12, color="#1a1a1a").encode(
        x="score:Q", text="label:N")
    subtitle: list[str] = []
    if hidden:
        names_text = ", ".join(hidden)
        note = (pack.screen("chart_hidden_note", k=k, names=names_text) if k is not None
                else f"{names_text}: {pack.screen('not_answered')}")
        subtitle = _lines(note, TITLE_CHARS + 8)
    return (bars + names + numbers).properties(
        width=CHART_WIDTH, height=max(ROW_HEIGHT, ROW_HEIGHT * len(shown)),
        title=alt.TitleParams(text=_lines(title), subtitle=subtitle, anchor="start"),
        # Vega makes room for "100 strong" past a full bar itself: its width was measured in the drawn font.
        padding=8,
    )


# -- the report and the downloads ----------------------------------------------------------------

# Long web addresses (the sources) wrap instead of widening a phone's page.
_REPORT_CSS = "dl dt{font-weight:600}.rw-persona-card{break-inside:avoid}a{overflow-wrap:anywhere}"


def report_html(
    pack: PersonaPack, workshop: Workshop, responses: Sequence[Response], notes: Sequence[Note], *,
    chart_svg: str | None = None, analysis: Analysis | None = None,
) -> str:
    """The facilitator's printable report: the mix, the pathways, the support plan, the follow-up, the cards."""
    analysis = analysis or analyse(pack, workshop, responses)
    title = workshop.title or pack.title
    k = workshop.min_group
    if chart_svg is None:
        chart_svg = charts.render_svg(profile_chart(pack, analysis.mix.profile,
                                                    pack.screen("chart_title", title=title), k))
    meta = pack.screen("report_meta", code=workshop.code, round=analysis.round, date=date_words())
    body = [
        f"<h1 dir='auto'>{esc(title)}</h1>",
        f"<p class='meta'>{esc(pack.title)} &middot; {esc(meta)}</p>",
        f"<p class='meta'>{esc(pack.screen('hidden_note', k=k))}</p>",
        "<section>",
        charts.svg_figure_html(chart_svg, pack.screen("chart_description")) if analysis.mix.respondents else "",
        mix_html(pack, analysis.mix),
        "</section>",
        f"<section>{plans_html(pack, read_plans(pack, notes))}</section>",
        f"<section>{compare_html(pack, analysis.comparison)}</section>",
        f"<section><h2>{esc(pack.screen('report_cards_heading'))}</h2>",
        f"<p class='meta'>{esc(pack.screen('kit_design'))}</p>",
        *(card_html(pack, p, heading_level=3) for p in pack.personas),
        "</section>",
        f"<section><h2>{esc(pack.screen('report_figures_heading'))}</h2>{figures_html(pack)}</section>",
        sources_footer(pack.sources, pack.note),
    ]
    return report_page(title, body, css=_REPORT_CSS)


def export_files(
    pack: PersonaPack, workshop: Workshop, responses: list[Response], notes: list[Note]
) -> list[DownloadFile]:
    """The facilitator's downloads, from the shared responses (:func:`.model.share` applied)."""
    analysis = analyse(pack, workshop, responses)
    title = workshop.title or pack.title
    chart = profile_chart(pack, analysis.mix.profile, pack.screen("chart_title", title=title), workshop.min_group)
    svg = charts.render_svg(chart)
    rows, columns = tidy_rows(pack, workshop, responses)
    stem = f"{WORKBOOK}-{workshop.code}"
    return [
        DownloadFile.text(pack.screen("download_report"), f"{stem}-report.html",
                          report_html(pack, workshop, responses, notes, chart_svg=svg, analysis=analysis),
                          "text/html"),
        DownloadFile.text(pack.screen("download_csv"), f"{stem}-responses.csv", to_csv(rows, columns), "text/csv"),
        DownloadFile.text(pack.screen("download_json"), f"{stem}-responses.json",
                          to_json(responses_document(WORKBOOK, responses, workshop)), "application/json"),
        DownloadFile.text(pack.screen("download_svg"), f"{stem}-mix.svg", svg, "image/svg+xml"),
        DownloadFile(pack.screen("download_png"), f"{stem}-mix.png", charts.render_png(chart), "image/png"),
    ]


def _latest_with(responses: Sequence[Response], key: str) -> Response | None:
    holding = [r for r in responses if _mapping(r.payload.get(key))]
    return max(holding, key=lambda r: r.updated_at) if holding else None


def my_profile_page(pack: PersonaPack, responses: Sequence[Response]) -> str:
    """A participant's own printable profile (plain HTML: no chart library on their kernel).

    The profile comes from their latest answer with ratings and the check-in
    from their latest answer with a check-in: a follow-up round may hold only
    the check-in.
    """
    rated, checked = _latest_with(responses, "ratings"), _latest_with(responses, "checkin")
    title = pack.screen("my_report_title")
    body = [f"<h1>{esc(title)}</h1>",
            f"<p class='meta'>{esc(pack.title)} &middot; {esc(date_words())}</p>"]
    if rated is not None:
        body.append(profile_html(pack, profile(pack, _mapping(rated.payload.get("ratings"))), about_of(rated.payload)))
    if checked is not None:
        body.append(checkin_html(pack, check_in_risks(pack, _mapping(checked.payload.get("checkin"))),
                                 about_of(checked.payload)))
    body.append(sources_footer(pack.sources, pack.note))
    return report_page(title, body, css=_REPORT_CSS)


def my_export_files(
    pack: PersonaPack, responses: Sequence[Response], workshop: Workshop | None = None
) -> list[DownloadFile]:
    """A participant's own downloads: their answers (JSON, re-importable) and their latest profile (HTML)."""
    mine = list(responses)
    if not mine:
        return []
    stem = f"{WORKBOOK}-{workshop.code}-my" if workshop else f"{WORKBOOK}-my"
    return [
        DownloadFile.text(pack.screen("download_my_profile"), f"{stem}-profile.html",
                          my_profile_page(pack, mine), "text/html"),
        DownloadFile.text(pack.screen("download_my_answers"), f"{stem}-answers.json",
                          to_json(responses_document(WORKBOOK, mine, workshop)), "application/json"),
    ]
