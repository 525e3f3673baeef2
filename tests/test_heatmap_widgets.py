"""The heatmap driven through its widgets, as participants and a facilitator would.

No browser: values are set and buttons clicked on the real ipywidgets; the
store is a real SQLite file.
"""

from __future__ import annotations

import datetime
import json
from html import unescape

from relworkbook.heatmap import HeatmapWorkbook
from relworkbook.page import PageContext

XSS = "<img src=x onerror=alert(1)>"


def uploaded(name: str, data: bytes) -> tuple[dict, ...]:
    """The value ipywidgets' FileUpload holds after a browser upload."""
    return ({"name": name, "type": "application/json", "size": len(data), "content": memoryview(data),
             "last_modified": datetime.datetime.now(datetime.timezone.utc)},)


def page(store, query: str = "") -> HeatmapWorkbook:
    return HeatmapWorkbook(PageContext.from_query(query), store=store)


def start(store, title="Town hall") -> HeatmapWorkbook:
    facilitator = page(store)
    assert facilitator.screen == "join"
    facilitator.view.title.value = title
    facilitator.view.start_button.click()
    assert facilitator.screen == "facilitator", facilitator.status.message
    return facilitator


def join(store, facilitator, name="", group="") -> HeatmapWorkbook:
    participant = page(store, f"join={facilitator.access.workshop.code}")
    participant.view.name.value = name
    participant.view.group.value = group
    participant.view.join_button.click()
    assert participant.screen == "participant", participant.status.message
    return participant


def rate(participant, value_for) -> None:
    for index, choice in enumerate(participant.view.form.choices.values()):
        choice.value = value_for(index)
    participant.view.save_button.click()


def test_two_participants_give_the_right_collective_result(store):
    facilitator = start(store)
    facilitator.view.session.min_group.value = 2
    one, two = join(store, facilitator), join(store, facilitator)
    rate(one, lambda i: 2)
    rate(two, lambda i: 4)
    assert "Saved." in one.view.status.message and "Saved." in two.view.status.message
    facilitator.refresh()
    analysis = facilitator.view.analysis
    assert analysis.everyone.respondents == 2
    assert {c.mean for c in analysis.everyone.statements} == {3.0}
    assert "2 of 2 people who joined have saved answers" in facilitator.view.session.counts.value
    assert "3.0 mixed" in facilitator.view.chart.value and "3.0 mixed" in facilitator.view.table.value
    assert facilitator.view.figure.value == ""  # the Altair chart waits until it is asked for
    facilitator.view.figure_box.selected_index = 0
    assert "<svg" in facilitator.view.figure.value


def test_cells_under_k_are_hidden_in_the_view(store):
    facilitator = start(store)  # k = 3 by default
    rate(join(store, facilitator), lambda i: 5)
    rate(join(store, facilitator), lambda i: 5)
    facilitator.refresh()
    assert all(c.mean is None for c in facilitator.view.analysis.everyone.statements)
    assert "hidden (fewer than 3)" in facilitator.view.table.value
    rate(join(store, facilitator), lambda i: 5)
    facilitator.refresh()
    assert "5.0 warm" in facilitator.view.table.value


def test_dont_know_and_partial_answers(store):
    facilitator = start(store)
    p = join(store, facilitator)
    choices = list(p.view.form.choices.values())
    choices[0].value = 0  # "don't know"
    choices[1].value = 3
    p.view.save_button.click()
    assert "Still unanswered: 17 of the statements" in p.view.status.message
    saved = store.responses(facilitator.access.workshop.id)[0].payload["ratings"]
    assert saved == {p.view.form.pack.statements[0].id: None, p.view.form.pack.statements[1].id: 3}


def test_saving_nothing_gets_a_friendly_message(store):
    p = join(store, start(store))
    p.view.save_button.click()
    assert p.view.status.kind == "error" and "rate at least one statement" in p.view.status.message


def test_lock_stops_revisions_and_unlock_allows_them(store):
    facilitator = start(store)
    p = join(store, facilitator)
    rate(p, lambda i: 1)
    facilitator.view.session.lock_button.click()
    p.refresh()
    assert p.view.save_button.disabled and "closed this round" in p.view.status.message
    # even a stale page that still has the button enabled cannot write
    p.view.save_button.disabled = False
    rate(p, lambda i: 5)
    assert p.view.status.kind == "error"
    assert store.responses(facilitator.access.workshop.id)[0].payload["ratings"][p.view.form.pack.statements[0].id] == 1
    facilitator.view.session.lock_button.click()
    p.refresh()
    rate(p, lambda i: 5)
    assert p.view.status.kind == "success"


def test_reveal_shows_the_group_to_participants(store):
    facilitator = start(store)
    people = [join(store, facilitator) for _ in range(3)]
    for n, p in enumerate(people):
        rate(p, lambda i, n=n: 1 + n)
    assert people[0].view.group.value == ""
    facilitator.view.session.reveal_button.click()
    people[0].refresh()
    assert "The group's heatmap (3 people)" in unescape(people[0].view.group.value)  # pack words are escaped
    assert "2.0" in people[0].view.group.value
    facilitator.view.session.reveal_button.click()
    people[0].refresh()
    assert people[0].view.group.value == ""


def test_names_and_groups_are_shown_as_text(store):
    facilitator = start(store, title=XSS)
    for _ in range(3):
        rate(join(store, facilitator, name=XSS, group=XSS), lambda i: 3)
    facilitator.refresh()
    screens = [facilitator.view.session.counts.value, facilitator.view.session.heading.value,
               facilitator.view.table.value, facilitator.view.chart.value, facilitator.view.figure.value]
    for html in screens:
        assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in facilitator.view.session.counts.value
    facilitator.view.prepare_exports()
    report = facilitator.view.downloads.files[0].data.decode()
    assert "<img src=x" not in report and "&lt;img src=x onerror=alert(1)&gt;" in report


def test_group_and_round_comparison(store):
    facilitator = start(store)
    for group, value in [("staff", 2)] * 3 + [("residents", 4)] * 3:
        rate(join(store, facilitator, group=group), lambda i, v=value: v)
    facilitator.refresh()
    assert set(facilitator.view.analysis.by_group) == {"staff", "residents"}
    facilitator.view.session.round_name.value = "follow-up"
    facilitator.view.session.round_button.click()
    workshop_id = facilitator.access.workshop.id
    assert workshop_id and store.workshop(workshop_id).current_round == "follow-up"
    for _ in range(3):
        rate(join(store, facilitator), lambda i: 5)
    facilitator.refresh()
    assert "Where did it warm up?" in facilitator.view.rounds.value
    assert "warmer +2.0" in facilitator.view.rounds.value
    assert "Rounds side by side" in facilitator.view.round_chart.value


def test_next_steps_go_into_the_report(store):
    facilitator = start(store)
    for _ in range(3):
        rate(join(store, facilitator), lambda i: 1 + i % 5)
    facilitator.refresh()
    view = facilitator.view
    view.focus.value = view.focus.options[0][1]
    view.focus_button.click()
    view.next_step.value = "Monthly open <b>lunch</b> with residents"
    view.step_button.click()
    assert view.next_step.value == ""
    view.prepare_exports()
    files = {f.filename.rsplit("-", 1)[-1]: f for f in view.downloads.files}
    report = files["report.html"].data.decode()
    assert "Monthly open &lt;b&gt;lunch&lt;/b&gt; with residents" in report
    assert "Focus:" in report
    document = json.loads(files["responses.json"].data)
    assert len(document["responses"]) == 3
    assert files[f"{facilitator.access.workshop.code}.png"].data[:4] == b"\x89PNG"
    assert "download=" in view.downloads.value and "data:text/html;base64," in view.downloads.value


def test_resume_by_personal_link_brings_answers_back(store):
    facilitator = start(store)
    p = join(store, facilitator)
    rate(p, lambda i: 4)
    query = p.bridge.replace_query
    assert "me=" in query
    back = page(store, query)
    assert back.screen == "participant" and "Welcome back" in back.status.message
    assert set(back.view.form.ratings.values()) == {4}


def test_reload_with_plain_join_link_resumes_from_browser_memory(store):
    facilitator = start(store)
    p = join(store, facilitator)
    rate(p, lambda i: 2)
    remembered = dict(p.bridge.remember)
    again = page(store, f"join={facilitator.access.workshop.code}")
    assert again.screen == "join"
    again.bridge.recalled = remembered  # what the browser sends from localStorage
    assert again.screen == "participant"
    assert set(again.view.form.ratings.values()) == {2}


def test_bad_links_land_on_a_usable_page(store):
    facilitator = start(store)
    code = facilitator.access.workshop.code
    wrong_key = page(store, f"facilitate={code}&key=wrong")
    assert wrong_key.screen == "join" and "facilitator link is not complete" in wrong_key.status.message
    no_such = page(store, "join=ZZZZZZ&me=abc")
    assert no_such.screen == "join" and "no workshop with the code ZZZ-ZZZ" in no_such.status.message
    p = page(store, "join=ZZZZZZ")
    p.view.join_button.click()
    assert p.view.status.kind == "error"


def test_participant_join_link_hides_the_start_section(store):
    facilitator = start(store)
    p = page(store, f"join={facilitator.access.workshop.code}")
    assert p.view.code.value == f"{facilitator.access.workshop.code[:3]}-{facilitator.access.workshop.code[3:]}"
    assert p.view.start_button not in p.view.children


def test_links_follow_the_address_the_browser_reports(store):
    facilitator = start(store)
    facilitator.page = PageContext.from_query("token=abc")
    facilitator.bridge.href = "https://hub.example/user/x/voila/render/heatmap.ipynb?token=abc"
    html = facilitator.view.session.links.value
    assert "https://hub.example/user/x/voila/render/heatmap.ipynb?join=" in html
    assert "token" not in html  # a Jupyter token lets its holder run code: never in a link
    assert "<svg" in html  # the QR code


def test_solo_use_needs_no_workshop(store):
    solo = page(store, "solo=1")
    assert solo.screen == "solo"
    for choice in solo.view.form.choices.values():
        choice.value = 3
    solo.view.show_button.click()
    assert "Your heatmap by area" in solo.view.mine.value
    document = json.loads(solo.view.downloads.files[0].data)
    assert document["workshop"] is None and len(document["responses"]) == 1
    assert store.responses(1) == []


def test_facilitator_uploads_a_solo_file(store, pack):
    facilitator = start(store)
    solo = page(store, "solo=1")
    for choice in solo.view.form.choices.values():
        choice.value = 4
    solo.view.show_button.click()
    data = solo.view.downloads.files[0].data
    upload = facilitator.view.importer.upload
    upload.value = uploaded("mine.json", data)
    assert "Added answers from mine.json: 1." in facilitator.view.importer.status.message
    assert upload.value == ()
    upload.value = uploaded("mine.json", data)
    assert "holds no answers that are not already here" in facilitator.view.importer.status.message
    junk = b"not json at all"
    upload.value = uploaded("junk.txt", junk)
    assert facilitator.view.importer.status.kind == "error"
    assert len(store.responses(facilitator.access.workshop.id)) == 1


def test_twenty_megabyte_upload_is_refused(store):
    facilitator = start(store)
    big = b"{" + b" " * (20 * 1024 * 1024)
    facilitator.view.importer.upload.value = uploaded("huge.json", big)
    assert "huge.json is 20.0 MB; the limit is 5 MB" in facilitator.view.importer.status.message
    assert store.responses(facilitator.access.workshop.id) == []


def test_a_failing_callback_shows_a_friendly_message_and_logs(store, caplog, monkeypatch):
    facilitator = start(store)
    p = join(store, facilitator)

    def broken(*_a, **_k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(p.view.store, "save_response", broken)
    rate(p, lambda i: 3)
    assert "something went wrong on our side" in p.view.status.message
    assert "disk on fire" not in p.view.status.message
    assert any("disk on fire" in (r.exc_text or "") or "disk on fire" in str(r.exc_info) for r in caplog.records)


def test_participant_download_is_reimportable(store, pack):
    facilitator = start(store)
    p = join(store, facilitator, group="staff")
    rate(p, lambda i: 3)
    p.view.download_button.click()
    document = json.loads(p.view.downloads.files[0].data)
    assert document["workshop"]["code"] == facilitator.access.workshop.code
    assert document["responses"][0]["group"] == "staff"
    # Re-import it into another workshop: the same answers arrive, once.
    from relworkbook.exchange import import_responses
    from relworkbook.heatmap.model import payload_check
    from relworkbook.workshops import start_workshop

    target = start_workshop(store, workbook="heatmap").workshop
    data = p.view.downloads.files[0].data
    assert import_responses(store, target, "heatmap", data, "mine.json", payload_check(pack),
                            allow_other_workshop=True) == 1
    assert import_responses(store, target, "heatmap", data, "mine.json", payload_check(pack),
                            allow_other_workshop=True) == 0
    [imported] = store.responses(target.id)
    assert imported.payload == document["responses"][0]["answers"] and imported.group_label == "staff"
