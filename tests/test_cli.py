"""The relworkbook command: help for every command, and the Voila settings it uses."""

from __future__ import annotations

import subprocess
import sys

import pytest

from relworkbook.cli import build_parser, voila_config
from relworkbook.config import WEBSOCKET_MAX_MESSAGE_BYTES


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "relworkbook.cli", *args], capture_output=True, text=True)


def test_help_lists_every_command_and_setting():
    out = run("--help").stdout
    for word in ("serve", "check-content", "export", "import", "RELWORKBOOK_DATA", "RELWORKBOOK_CONTENT"):
        assert word in out
    for command in ("serve", "check-content", "export", "import"):
        done = run(command, "--help")
        assert done.returncode == 0 and "usage: relworkbook " + command in done.stdout


def test_serve_options_are_documented():
    out = run("serve", "--help").stdout
    for option in ("--host", "--port", "--data", "--content", "--pool-size", "--cull-minutes"):
        assert option in out


def test_voila_configuration(tmp_path):
    args = build_parser().parse_args(["serve"])
    config = voila_config(args, tmp_path)
    assert config.Voila.ip == "127.0.0.1" and config.Voila.port == 8866
    assert config.VoilaConfiguration.strip_sources is True
    assert config.VoilaConfiguration.show_tracebacks is False
    assert config.VoilaConfiguration.preheat_kernel is True
    assert config.MappingKernelManager.cull_idle_timeout == 30 * 60
    assert config.Voila.tornado_settings["websocket_max_message_size"] == WEBSOCKET_MAX_MESSAGE_BYTES
    assert voila_config(build_parser().parse_args(["serve", "--pool-size", "0"]), tmp_path) \
        .VoilaConfiguration.preheat_kernel is False


def test_export_and_import_round_trip_from_the_command_line(tmp_path, monkeypatch):
    import os

    from relworkbook.store import Store
    from relworkbook.workshops import join, start_workshop

    db = tmp_path / "cli.sqlite3"
    env = {**os.environ, "RELWORKBOOK_DATA": str(db)}
    store = Store(db)
    source = start_workshop(store, workbook="heatmap")
    target = start_workshop(store, workbook="heatmap")
    from relworkbook.store import Response

    for n in range(3):  # k = 3: answers are exported once three people have saved
        seat = join(store, source.workshop.code, "heatmap")
        store.save_response(Response(uid=f"u{n}", workshop_id=source.workshop.id,
                                     participant_uid=seat.participant.uid, workbook="heatmap", round="baseline",
                                     group_label="", display_name="", payload={"ratings": {"you-matters": 4}},
                                     created_at=0, updated_at=0))
    out = tmp_path / "out.json"
    cli = [sys.executable, "-m", "relworkbook.cli"]
    subprocess.run([*cli, "export", source.workshop.code, "--out", str(out)], env=env, check=True)
    asked = subprocess.run([*cli, "import", str(out), "--code", target.workshop.code], env=env,
                           capture_output=True, text=True)
    assert asked.returncode == 2 and len(asked.stderr.strip().splitlines()) == 1  # "from another workshop: sure?"
    done = subprocess.run([*cli, "import", str(out), "--code", target.workshop.code, "--from-other-workshop"],
                          env=env, capture_output=True, text=True, check=True)
    assert "added 3 responses" in done.stdout
    csv = subprocess.run([*cli, "export", source.workshop.code, "--format", "csv"], env=env,
                         capture_output=True, text=True, check=True).stdout
    assert csv.splitlines()[0].startswith("workshop,round,group")
    missing = subprocess.run([*cli, "export", "ZZZZZZ"], env=env, capture_output=True, text=True)
    assert missing.returncode != 0 and "no workshop with the code" in missing.stderr


@pytest.mark.parametrize("bad", [["serve", "--port", "abc"], ["nonsense"]])
def test_bad_arguments_get_one_line_not_tracebacks(bad):
    done = run(*bad)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "--help" in done.stderr


def test_a_missing_file_is_one_line(tmp_path):
    import os

    env = {**os.environ, "RELWORKBOOK_DATA": str(tmp_path / "w.sqlite3")}
    from relworkbook.store import Store
    from relworkbook.workshops import start_workshop

    code = start_workshop(Store(tmp_path / "w.sqlite3"), workbook="heatmap").workshop.code
    done = subprocess.run([sys.executable, "-m", "relworkbook.cli", "import", str(tmp_path / "nope.json"),
                           "--code", code], capture_output=True, text=True, env=env)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "nope.json" in done.stderr
