"""The workbook contract, checked for every workbook in the registry.

Each workbook is seeded with the data that has broken promises before: a
private moment, a person who shares one thing with their name and another
without, a one-person group, and typed HTML. Then every path out of the server
is read (the facilitator's screen, every download, ``relworkbook export`` as
JSON and CSV, a re-import) and checked for leaks.

A new workbook must add a seeder to ``SEEDERS``: the test fails until it does.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from relworkbook import sharing
from relworkbook.exchange import import_responses, to_json
from relworkbook.page import PageContext
from relworkbook.registry import check_packs, spec_for, specs
from relworkbook.store import Response, Store
from relworkbook.workshops import join, start_workshop

PRIVATE = "PRIVATE-MARK"  # only ever in a private moment
NAMED = "NAMED-PERSON"  # a name typed by someone who also shared without a name
ANON = "ANON-MARK"  # only ever in something shared without a name
SMALL = "LONE-GROUP"  # a group of one
XSS = "<img src=x onerror=alert(1)>"


def _heatmap(store: Store, pack) -> tuple:
    access = start_workshop(store, workbook="heatmap")
    statements = [s.id for s in pack.statements]
    people = [("", "staff"), ("", "staff"), ("", "staff"), (NAMED, SMALL), (XSS, "staff"), ("", "staff")]
    for n, (name, group) in enumerate(people):
        seat = join(store, access.workshop.code, "heatmap", display_name=name, group_label=group)
        store.save_response(Response(
            uid=f"u{n}", workshop_id=access.workshop.id, participant_uid=seat.participant.uid, workbook="heatmap",
            round="baseline", group_label=seat.participant.group_label, display_name=seat.participant.display_name,
            payload={"ratings": {sid: 1 + (n + i) % 5 for i, sid in enumerate(statements)}},
            created_at=0, updated_at=0))
    # What a lone group member said must not be traceable to the lone group.
    return access, {"private": [], "unlinked": [], "lone_group": SMALL}


def _story(store: Store, pack) -> tuple:
    from test_story_privacy import participant, tell

    access = start_workshop(store, workbook="story-weaving")
    teller = participant(store, pack, access, name=NAMED, group="GROUP-TWO")
    tell(teller, title="Named one", story="told with my name", consent="named")
    tell(teller, title=ANON, story=f"{ANON} story", consent="anonymous")
    tell(teller, title="Kept to myself", story=f"{PRIVATE} story", consent="private")
    for n in range(4):
        other = participant(store, pack, access, name=XSS if n == 0 else "", group=SMALL if n == 1 else "staff")
        tell(other, title=f"Other {n}", story=f"story {n}", consent="named" if n == 0 else "anonymous")
    return access, {"private": [PRIVATE], "unlinked": [(ANON, NAMED), (ANON, "GROUP-TWO")], "lone_group": SMALL}


def _persona(store: Store, pack) -> tuple:
    from relworkbook.persona.model import PLAN_KIND, plan_note_text

    access = start_workshop(store, workbook="persona-mapping")
    items = [i.id for i in pack.items]
    checkin = [c.id for c in pack.checkin]
    people = [("", "staff"), ("", "staff"), ("", "staff"), (NAMED, SMALL), (XSS, "staff"), ("", "staff")]
    for n, (name, group) in enumerate(people):
        seat = join(store, access.workshop.code, "persona-mapping", display_name=name, group_label=group)
        store.save_response(Response(
            uid=f"u{n}", workshop_id=access.workshop.id, participant_uid=seat.participant.uid,
            workbook="persona-mapping", round="baseline", group_label=seat.participant.group_label,
            display_name=seat.participant.display_name,
            payload={"about": "someone" if n == 2 else "self",
                     "ratings": {iid: 1 + (n + i) % 5 for i, iid in enumerate(items)},
                     "checkin": {cid: 1 + (n * 2 + i) % 5 for i, cid in enumerate(checkin)}},
            created_at=0, updated_at=0))
    # What the group typed into its support plan is shown as text everywhere.
    store.add_note(access.workshop.id, PLAN_KIND, plan_note_text(pack, pack.personas[0].id, XSS, XSS, "May"))
    return access, {"private": [], "unlinked": [], "lone_group": SMALL}


SEEDERS = {"heatmap": _heatmap, "story-weaving": _story, "persona-mapping": _persona}


@pytest.fixture(params=[s.name for s in specs()])
def seeded(request, tmp_path):
    spec = spec_for(request.param)
    assert spec.name in SEEDERS, f"add a seeder for the '{spec.name}' workbook to tests/test_contract.py"
    store = Store(tmp_path / "contract.sqlite3")
    pack = spec.load_pack()
    access, rules = SEEDERS[spec.name](store, pack)
    rules["key"] = access.key
    yield spec, store, pack, access.workshop, rules, tmp_path
    store.close()


def _outputs(spec, store, pack, workshop, key: str) -> dict[str, str]:
    """Every way answers leave the server, as text, by name."""
    shared = sharing.shared(store, workshop, pack)
    files = spec.export_files(pack, workshop, shared, store.notes(workshop.id))
    out = {f.filename: f.data.decode("utf-8", errors="replace") for f in files if not f.mime.startswith("image/png")}
    out["export_document"] = to_json(sharing.export_document(store, workshop, pack))
    rows, _columns = sharing.export_table(store, workshop, pack)
    out["export_table"] = json.dumps(rows, ensure_ascii=False)
    app = spec.app_class()(PageContext.from_query(f"facilitate={workshop.code}&key={key}"), store=store)
    assert app.screen == "facilitator", app.status.message
    out["facilitator_screen"] = _widget_text(app)
    return out


def _widget_text(widget) -> str:
    parts = []
    for name in ("value", "description", "placeholder"):
        value = getattr(widget, name, None)
        if isinstance(value, str):
            parts.append(value)
    for child in getattr(widget, "children", ()):
        parts.append(_widget_text(child))
    return "\n".join(parts)


def test_every_pack_loads_and_checks():
    assert check_packs() == ["common.yaml", *(s.pack_file for s in specs())]
    for spec in specs():
        title, line = spec.landing_words()
        assert title and line


def test_nothing_private_or_linkable_leaves_the_server(seeded):
    spec, store, pack, workshop, rules, _tmp = seeded
    outputs = _outputs(spec, store, pack, workshop, rules["key"])
    # The checks below mean something only if what may be shared is there.
    assert NAMED in outputs["export_document"] and "&lt;img src=x" in outputs["facilitator_screen"]
    for a, _b in rules["unlinked"]:
        assert a in outputs["export_document"]
    for name, text in outputs.items():
        for secret in rules["private"]:
            assert secret not in text, f"a private moment leaks through {name}"
        assert XSS not in text or name.endswith((".json", ".csv")) or name in ("export_document", "export_table"), \
            f"typed HTML is not escaped in {name}"
    for name, text in outputs.items():
        for a, b in rules["unlinked"]:
            for unit in _units(name, text):
                assert not (a in unit and b in unit), f"{a} is linked to {b} in {name}"
    lone = rules["lone_group"]
    for name in ("export_document", "export_table"):
        assert lone not in outputs[name], f"a one-person group's label leaves the server in {name}"
    # The database file itself never holds a private moment in plain text.
    store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    for secret in rules["private"]:
        assert secret.encode() not in Path(store.path).read_bytes()


def _units(name: str, text: str) -> list[str]:
    """The pieces that tie things together: JSON objects, CSV rows, HTML cards; else the whole text."""
    if name == "export_document" or name.endswith(".json"):
        return [json.dumps(r, ensure_ascii=False) for r in json.loads(text)["responses"]]
    if name == "export_table":
        return [json.dumps(r, ensure_ascii=False) for r in json.loads(text)]
    if name.endswith(".csv"):
        return text.splitlines()
    return [part for part in text.split("<article") if part] if "<article" in text else [text]


def test_cli_exports_equal_the_in_app_exports(seeded):
    spec, store, pack, workshop, _rules, tmp = seeded
    env = {**os.environ, "RELWORKBOOK_DATA": str(store.path)}
    cli = [sys.executable, "-m", "relworkbook.cli"]
    in_app = sharing.export_document(store, workshop, pack)
    done = subprocess.run([*cli, "export", workshop.code], env=env, capture_output=True, text=True, check=True)
    from_cli = json.loads(done.stdout)
    for document in (in_app, from_cli):
        document.pop("exported_at")
    assert from_cli == in_app and in_app["workbook"] == spec.name and in_app["responses"]
    download = next(f for f in spec.export_files(pack, workshop, sharing.shared(store, workshop, pack),
                                                 store.notes(workshop.id)) if f.filename.endswith(".json"))
    from_download = json.loads(download.data)
    from_download.pop("exported_at")
    assert from_download == in_app
    csv_text = subprocess.run([*cli, "export", workshop.code, "--format", "csv"], env=env, capture_output=True,
                              text=True, check=True).stdout
    rows, columns = sharing.export_table(store, workshop, pack)
    assert csv_text.splitlines()[0] == ",".join(columns) and len(rows) >= 1


def test_the_export_reimports_into_a_fresh_workshop(seeded):
    spec, store, pack, workshop, _rules, _tmp = seeded
    document = sharing.export_document(store, workshop, pack)
    target = start_workshop(store, workbook=spec.name, min_group=1).workshop
    data = to_json(document).encode()
    check = spec.payload_check(pack)
    added = import_responses(store, target, spec.name, data, "export.json", check, allow_other_workshop=True)
    assert added == len(document["responses"])
    again = sharing.export_document(store, store.workshop(target.id), pack)
    assert sorted(json.dumps(r["answers"], sort_keys=True) for r in again["responses"]) == \
        sorted(json.dumps(r["answers"], sort_keys=True) for r in document["responses"])
