"""Chart labels are drawn in the font they were measured in, so none is cut off in the SVG, the PNG or on screen.

vl-convert lays every chart out in the font shipped with the kit, and ``charts.render_svg`` then draws each
label as shapes cut from the same font files, so no viewer's font can make a label wider than the room made
for it. These tests draw every chart the kit makes from a real store, seeded with the packs' longest labels,
long typed names and a typed title, and measure where each drawn label lies. The browser test shows each
report in Chromium with no internet and a wide fallback font forced on the page, and measures what it drew.
"""

from __future__ import annotations

import math
import re
import struct
import xml.etree.ElementTree as ET

import pytest

from relworkbook import charts, sharing
from relworkbook.registry import spec_for, specs
from relworkbook.store import Response, Store
from relworkbook.workshops import join, start_workshop

SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
#: Typed by a facilitator (80 characters at most): long, and with markup that must stay text.
TITLE = "Riverside <b>Hall</b> & the Western Estate Residents' Association, spring"
#: Typed by participants (40 characters at most each).
LONG_GROUP = "Residents of the western estate, Block C"
HELLO = "שלום 🌻 hello"  # Hebrew and an emoji: letters the shipped font does not have


# -- seeding a real store -------------------------------------------------------------------


def _save(store: Store, workshop, workbook: str, seat, n: int, payload: dict) -> None:
    store.save_response(Response(
        uid=f"u{n}", workshop_id=workshop.id, participant_uid=seat.participant.uid, workbook=workbook,
        round=workshop.current_round, group_label=seat.participant.group_label,
        display_name=seat.participant.display_name, payload=payload, created_at=0, updated_at=0))


def _heatmap(store: Store, pack, groups=(LONG_GROUP, "staff")):
    """Two groups of three, so the chart has a column for each: every statement is a row label."""
    workshop = start_workshop(store, workbook="heatmap", title=TITLE).workshop
    ids = [s.id for s in pack.statements]
    for n in range(6):
        seat = join(store, workshop.code, "heatmap", group_label=groups[n % 2])
        _save(store, workshop, "heatmap", seat, n, {"ratings": {sid: 1 + (n + i) % 5 for i, sid in enumerate(ids)}})
    return workshop


def _story(store: Store, pack):
    """Every phase of the split timeline, and one typed with a long name, each felt by three people."""
    from relworkbook.story.model import timeline, timeline_to_settings
    from relworkbook.story.pack import Phase

    workshop = start_workshop(store, workbook="story-weaving", title=TITLE).workshop
    phases = [*timeline(pack, split=True), Phase("typed", "The long, slow winter after the library closed")]
    workshop = store.update_workshop(workshop.id, settings=timeline_to_settings(phases))
    for n in range(3):
        seat = join(store, workshop.code, "story-weaving", display_name=f"Teller {n}", group_label="staff")
        moments = [{"id": f"m{n}-{i}", "phase": p.id, "title": f"Moment {i}", "story": "What happened.",
                    "feeling": 1 + (n + i) % 5, "who": [], "shifts": {}, "spirit": "", "consent": "named"}
                   for i, p in enumerate(phases)]
        _save(store, workshop, "story-weaving", seat, n, {"moments": moments, "sort": {}})
    return workshop


def _persona(store: Store, pack):
    """Three people, one persona strong for all; the last persona left blank by two, so it is hidden."""
    workshop = start_workshop(store, workbook="persona-mapping", title=TITLE).workshop
    top, last = pack.personas[0].id, pack.personas[-1].id
    for n in range(3):
        seat = join(store, workshop.code, "persona-mapping", group_label=LONG_GROUP)
        ratings = {i.id: (5 if i.persona == top else None if i.persona == last and n else 1 + n) for i in pack.items}
        _save(store, workshop, "persona-mapping", seat, n, {"about": "self", "ratings": ratings, "checkin": {}})
    return workshop


SEEDERS = {"heatmap": _heatmap, "story-weaving": _story, "persona-mapping": _persona}


@pytest.fixture(params=[s.name for s in specs()])
def exports(request, store):
    """A workbook's real downloads (name -> bytes) from a seeded store, and its pack."""
    spec = spec_for(request.param)
    assert spec.name in SEEDERS, f"add a seeder for the '{spec.name}' workbook to tests/test_chart_fonts.py"
    pack = spec.load_pack()
    workshop = store.workshop(SEEDERS[spec.name](store, pack).id)
    files = spec.export_files(pack, workshop, sharing.shared(store, workshop, pack), store.notes(workshop.id))
    return spec.name, pack, {f.filename: f.data for f in files}


def _of_kind(files: dict[str, bytes], ending: str) -> dict[str, bytes]:
    return {name: data for name, data in files.items() if name.endswith(ending)}


# -- measuring a drawn SVG ---------------------------------------------------------------------


Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1, 0, 0, 1, 0, 0)


def _times(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (a * a2 + c * b2, b * a2 + d * b2, a * c2 + c * d2, b * c2 + d * d2,
            a * e2 + c * f2 + e, b * e2 + d * f2 + f)


def _transform(text: str | None) -> Matrix:
    """An SVG transform attribute (translate, scale, rotate, matrix) as one matrix."""
    m = IDENTITY
    for name, args in re.findall(r"(\w+)\(([^)]*)\)", text or ""):
        v = [float(x) for x in re.split(r"[\s,]+", args.strip())]
        if name == "translate":
            step: Matrix = (1, 0, 0, 1, v[0], v[1] if len(v) > 1 else 0)
        elif name == "scale":
            step = (v[0], 0, 0, v[1] if len(v) > 1 else v[0], 0, 0)
        elif name == "rotate":
            assert len(v) == 1, "rotate about a point is not written by Vega"
            r = math.radians(v[0])
            step = (math.cos(r), math.sin(r), -math.sin(r), math.cos(r), 0, 0)
        elif name == "matrix":
            step = (v[0], v[1], v[2], v[3], v[4], v[5])
        else:
            raise AssertionError(f"unexpected transform {name}")
        m = _times(m, step)
    return m


def _path_box(d: str) -> tuple[float, float, float, float]:
    """The box round every point of a glyph outline, control points included (a curve lies inside them)."""
    xs, ys = [], []
    x = y = 0.0
    for command, numbers in re.findall(r"([MLHVQCZmlhvqcz])([^MLHVQCZmlhvqcz]*)", d):
        values = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", numbers)]
        assert command.isupper() or command in "zZ", "glyph outlines are written with absolute commands"
        if command == "H":
            xs += values
            x = values[-1]
            ys.append(y)
        elif command == "V":
            ys += values
            y = values[-1]
            xs.append(x)
        elif values:
            xs += values[0::2]
            ys += values[1::2]
            x, y = values[-2], values[-1]
    return min(xs), min(ys), max(xs), max(ys)


def _apply(m: Matrix, box: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
    x0, y0, x1, y1 = box
    corners = [(m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]) for x in (x0, x1) for y in (y0, y1)]
    return (min(c[0] for c in corners), min(c[1] for c in corners),
            max(c[0] for c in corners), max(c[1] for c in corners))


def drawn_labels(svg: str) -> dict[str, list[tuple[float, float, float, float]]]:
    """Each drawn label's words -> the boxes of its glyphs, in the picture's own coordinates."""
    root = ET.fromstring(svg)
    outlines = {p.get("id"): p.get("d", "") for p in root.iter(f"{SVG}path") if p.get("id")}
    labels: dict[str, list[tuple[float, float, float, float]]] = {}

    def visit(element: ET.Element, m: Matrix, label: str | None) -> None:
        if element.tag == f"{SVG}defs":
            return
        m = _times(m, _transform(element.get("transform")))
        title = element.find(f"{SVG}title")
        if element.tag == f"{SVG}g" and title is not None:
            label = title.text or ""
            labels.setdefault(label, [])
        if element.tag == f"{SVG}use":
            assert label is not None, "a glyph outside any label"
            ref = element.get(XLINK_HREF, "")
            assert ref.startswith("#") and ref[1:] in outlines, f"a glyph drawn from nothing: {ref}"
            at = _times(m, (1, 0, 0, 1, float(element.get("x", 0)), float(element.get("y", 0))))
            labels[label].append(_apply(at, _path_box(outlines[ref[1:]])))
        for child in element:
            visit(child, m, label)

    visit(root, IDENTITY, None)
    return labels


def view_box(svg: str) -> tuple[float, float, float, float]:
    x, y, w, h = (float(v) for v in ET.fromstring(svg).get("viewBox", "").split())
    return x, y, x + w, y + h


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _inside(box, frame, slack: float = 0.01) -> bool:
    return (box[0] >= frame[0] - slack and box[1] >= frame[1] - slack
            and box[2] <= frame[2] + slack and box[3] <= frame[3] + slack)


# -- the unit part: real vl-convert, no browser --------------------------------------------------


def test_every_chart_draws_every_label_as_shapes_inside_its_picture(exports):
    name, pack, files = exports
    svgs = _of_kind(files, ".svg")
    assert svgs, f"{name} makes no chart to check"
    for filename, data in svgs.items():
        svg = data.decode()
        # No label is left for a viewer's font to draw: nothing can come out wider than measured.
        assert "<text" not in svg and "font-family" not in svg, filename
        labels = drawn_labels(svg)
        frame = view_box(svg)
        for label, boxes in labels.items():
            assert boxes or not label.strip(), f"{filename}: '{label}' has no shapes"
            for box in boxes:
                assert _inside(box, frame), f"{filename}: '{label}' reaches {box}, outside {frame}"
        # What was typed stays text (the <title> of its label): escaped, never markup.
        assert "<b>" not in svg and "&lt;b&gt;" in svg, filename
        # The charts' longest words are among the drawn labels.
        words = " ".join(labels)
        if name == "heatmap":
            longest = max((s.text for s in pack.statements), key=len)
            assert longest[:40] in words and LONG_GROUP[:20] in words
        elif name == "story-weaving":
            from relworkbook.story.model import timeline

            assert "The long, slow winter" in words and all(p.name[:20] in words for p in timeline(pack, split=True))
        elif name == "persona-mapping":
            assert all(p.name in words for p in pack.personas[:-1]) and pack.personas[-1].name in words


def test_every_png_is_the_svgs_picture_at_twice_the_size(exports):
    name, _pack, files = exports
    for filename, png in _of_kind(files, ".png").items():
        svg = files[filename.removesuffix(".png") + ".svg"].decode()
        x0, y0, x1, y1 = view_box(svg)
        assert png_size(png) == (round((x1 - x0) * 2), round((y1 - y0) * 2)), filename


def test_the_story_curve_png_matches_its_svg(store):
    """Story weaving offers no PNG download, but its chart draws to one like the others."""
    from relworkbook.story.model import feeling_curve, shared_moments
    from relworkbook.story.pack import load_story_pack
    from relworkbook.story.settings import workshop_timeline
    from relworkbook.story.storybook import feeling_chart

    pack = load_story_pack()
    workshop = store.workshop(_story(store, pack).id)
    shared = sharing.shared(store, workshop, pack)
    moments = shared_moments((r.display_name, r.group_label, r.payload) for r in shared)
    chart = feeling_chart(pack, feeling_curve(moments, workshop_timeline(pack, workshop), 3), TITLE)
    x0, y0, x1, y1 = view_box(charts.render_svg(chart))
    assert png_size(charts.render_png(chart)) == (round((x1 - x0) * 2), round((y1 - y0) * 2))


@pytest.mark.parametrize("weight", ["normal", "bold"])
def test_a_label_is_drawn_exactly_as_wide_as_vl_convert_measured_it(weight):
    """A lone left-aligned label in a picture with no padding: the picture is the measured width, rounded up.

    Drawn wider, the label would be cut off; drawn narrower, it would leave a gap (and crowd nothing). Its last
    letter's ink ends within 2 px of the width (rounded up by vl-convert, and the letter's own margin).
    """
    alt = charts.altair()
    label = "Building good relationships is one of the things that matters, says Tom"
    chart = alt.Chart(alt.Data(values=[{"t": label}])).mark_text(
        align="left", baseline="middle", fontSize=13, fontWeight=weight
    ).encode(x=alt.value(0), y=alt.value(0), text="t:N").properties(width=1, height=1, padding=0)
    svg = charts.render_svg(chart)
    boxes = drawn_labels(svg)[label]
    width = view_box(svg)[2]
    assert 0 <= min(b[0] for b in boxes) < 2
    assert width - 2 < max(b[2] for b in boxes) <= width


def test_a_label_the_font_cannot_draw_stays_text(store):
    """Hebrew and emoji are not in the shipped font: that one label is left to the viewer, never dropped."""
    from relworkbook.content import load_heatmap
    from relworkbook.heatmap.report import analyse, chart_columns, heatmap_chart

    pack = load_heatmap()
    workshop = store.workshop(_heatmap(store, pack, groups=(HELLO, "staff")).id)
    analysis = analyse(pack, workshop, sharing.shared(store, workshop, pack))
    svg = charts.render_svg(heatmap_chart(pack, chart_columns(analysis), "Round one"))
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert texts == [HELLO]
    assert "staff" in drawn_labels(svg) and "Round one" in drawn_labels(svg)


# -- the browser: what Chromium draws, offline ---------------------------------------------------------


MEASURE = """() => [...document.querySelectorAll('figure svg')].map(svg => {
  const box = svg.viewBox.baseVal;
  const drawn = [...svg.children].filter(e => e.tagName === 'g').map(g => {
    const b = g.getBBox();
    const m = g.transform.baseVal.consolidate();
    const p = (x, y) => m ? new DOMPoint(x, y).matrixTransform(m.matrix) : new DOMPoint(x, y);
    const corners = [p(b.x, b.y), p(b.x + b.width, b.y), p(b.x, b.y + b.height), p(b.x + b.width, b.y + b.height)];
    return [Math.min(...corners.map(c => c.x)), Math.min(...corners.map(c => c.y)),
            Math.max(...corners.map(c => c.x)), Math.max(...corners.map(c => c.y))];
  });
  const labels = [...svg.querySelectorAll('g > title')].map(t => {
    const b = t.parentNode.getBBox();
    return [t.textContent, b.width, b.height];
  });
  return {frame: [box.x, box.y, box.x + box.width, box.y + box.height], drawn, labels,
          texts: svg.querySelectorAll('text').length,
          description: svg.closest('figure').getAttribute('aria-label')};
})"""


@pytest.mark.browser
def test_every_report_draws_its_charts_inside_their_boxes_in_a_real_browser(exports, offline):
    name, _pack, files = exports
    reports = [data.decode() for filename, data in _of_kind(files, ".html").items() if b"<figure" in data]
    assert reports, f"{name}: no report shows a chart"
    ctx = offline(viewport={"width": 360, "height": 740})  # a phone
    page = ctx.new_page()
    for html in reports:
        page.set_content(html)
        # Any label left as text would now be drawn in a much wider font than vl-convert measured.
        page.add_style_tag(content="svg, svg * { font-family: 'DejaVu Sans Mono', monospace !important }")
        figures = page.evaluate(MEASURE)
        assert figures, f"{name}: the report's chart is missing"
        for figure in figures:
            assert figure["texts"] == 0
            assert figure["description"], "the figure says what the chart shows"
            for box in figure["drawn"]:
                assert _inside(box, figure["frame"], slack=0.5), f"{name}: drawn to {box}, box {figure['frame']}"
            assert figure["labels"]
            for label, width, height in figure["labels"]:
                # Every glyph's shape was found and drawn: a label with words has a size on screen.
                assert not label.strip() or (width > 0 and height > 0), f"{name}: '{label}' drew nothing"
        assert page.locator("table").count(), f"{name}: the report has no table of the chart's results"
    assert ctx.refused == [], "the report asked the internet for something"
