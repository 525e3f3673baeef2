"""The ``relworkbook`` command.

    relworkbook serve            serve every workbook with Voila (http://127.0.0.1:8866)
    relworkbook check-content    check a content pack and say exactly what is wrong
    relworkbook export CODE      write a workshop's responses as JSON or CSV
    relworkbook import FILE      add a response file to a workshop
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import NoReturn

from .config import SETTINGS_HELP, WEBSOCKET_MAX_MESSAGE_BYTES

_EPILOG = "settings (environment variables):\n" + "\n".join(
    f"  {name:<24}{help_} (default: {default})" for name, (default, help_) in SETTINGS_HELP.items()
)


def _installed_workbooks() -> Path | None:
    """The notebooks a wheel installed under <prefix>/share/relworkbook/workbooks."""
    from importlib import metadata

    try:
        dist = metadata.distribution("relworkbook")
    except metadata.PackageNotFoundError:
        return None
    for file in dist.files or ():
        if str(file).replace("\\", "/").endswith("share/relworkbook/workbooks/index.ipynb"):
            return Path(str(dist.locate_file(file))).resolve().parent
    return None


def find_workbooks(explicit: str | None) -> Path:
    """The notebooks to serve: given, beside the package (a checkout), or installed with it."""
    candidates: list[Path | None]
    if explicit:
        candidates = [Path(explicit)]
    else:
        candidates = [Path(__file__).resolve().parent.parent / "workbooks", _installed_workbooks()]
    for path in candidates:
        if path is not None and (path / "index.ipynb").exists():
            return path.resolve()
    raise SystemExit(
        "relworkbook: cannot find the workbook notebooks (index.ipynb). Reinstall the kit, or pass "
        "--workbooks PATH."
    )


def network_address() -> str | None:
    """This machine's address on its network (the one phones in the room would use), or None.

    Asks the operating system which address it would send from (a UDP
    "connect" sends nothing); the host name's address comes second, because on
    Debian it is often 127.0.1.1, which no phone can reach.
    """
    import socket

    candidates: list[str] = []
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never routed anywhere, nothing is sent
            candidates.append(probe.getsockname()[0])
    except OSError:
        pass
    try:
        candidates.append(socket.gethostbyname(socket.gethostname()))
    except OSError:
        pass
    for address in candidates:
        if not address.startswith(("127.", "0.")):
            return address
    return None


def voila_config(args: argparse.Namespace, workbooks: Path):
    """All Voila settings the kit relies on, with the reason for each."""
    from traitlets.config import Config

    c = Config()
    c.Voila.ip = args.host  # 127.0.0.1 unless a council opens it up on purpose
    c.Voila.port = args.port
    c.Voila.open_browser = False
    c.Voila.root_dir = str(workbooks)
    # Uploads travel in one websocket message: allow big ones so an oversized
    # file reaches the kit and gets a polite refusal instead of a dropped page.
    c.Voila.tornado_settings = {"websocket_max_message_size": WEBSOCKET_MAX_MESSAGE_BYTES}
    c.VoilaConfiguration.strip_sources = True  # participants see widgets, not code
    # The kit's templates (nothing fetched from other hosts) always apply: a
    # visitor's ?template=... must not bring the CDN links back.
    c.VoilaConfiguration.allow_template_override = "NO"
    c.VoilaConfiguration.show_tracebacks = args.show_tracebacks  # errors go to this log, not to visitors
    # Preheated kernels: each notebook keeps ready-started kernels, so a council's
    # staff get their page at once. Each idle kernel costs about 55 MB.
    c.VoilaConfiguration.preheat_kernel = args.pool_size > 0
    c.VoilaConfiguration.default_pool_size = max(args.pool_size, 0)
    # A facilitator who says how many people to expect gets that many pages
    # readied before they come, up to this many over all workbooks (server.py,
    # readiness.py: about 60 MB each, within the machine's free memory).
    c.KitVoila.ready_max = max(getattr(args, "ready_max", 40), 0)
    # No empty pages under load. After a cell's reply, Voila waits only 4 s
    # (nbclient's iopub_timeout) for the rest of the cell's output; on a busy
    # server that output (the widgets) is read later than that, the page is
    # sent without its widgets and the log says "Timeout waiting for IOPub
    # output" (1 page in 10 with ten phones at once on 2 cores, 3 in 30 left
    # empty). The wait ends as soon as the output arrives, so a long limit costs
    # nothing on a quiet server; tests/test_herd_config.py shows a page whose
    # output is 6 s late losing its widgets at 4 s and keeping them now.
    c.VoilaExecutor.iopub_timeout = 120
    # Thirty kernels starting at once on 2 cores can take longer than
    # Voila's 60 s to answer; a slow start is still a page, a timeout is not.
    c.VoilaExecutor.startup_timeout = 180
    # Kernels of pages closed without saying goodbye are stopped after a while
    # (pages that close normally stop theirs at once: see server.py). A page
    # still connected is never culled (cull_connected = False).
    c.MappingKernelManager.cull_idle_timeout = args.cull_minutes * 60
    c.MappingKernelManager.cull_interval = 60
    c.MappingKernelManager.cull_connected = False
    return c


def cmd_serve(args: argparse.Namespace) -> int:
    workbooks = find_workbooks(args.workbooks)
    if args.data:
        os.environ["RELWORKBOOK_DATA"] = str(Path(args.data).expanduser().resolve())
    if args.content:
        os.environ["RELWORKBOOK_CONTENT"] = str(Path(args.content).expanduser().resolve())
    # Kernels inherit this: it says the kit's own server (which refuses code
    # from pages) is in charge, so live joining by code is safe to offer.
    os.environ["RELWORKBOOK_STANDALONE"] = "1"
    from .config import Settings
    from .registry import check_packs
    from .store import open_store
    from .workshops import this_computer_only

    if args.host in ("0.0.0.0", "::") and not os.environ.get("RELWORKBOOK_PUBLIC_URL"):
        # The facilitator may browse at 127.0.0.1, but phones need the
        # machine's network address in the links and QR codes they are given.
        address = network_address()
        if address:
            os.environ["RELWORKBOOK_PUBLIC_URL"] = f"http://{address}:{args.port}/"
            print(f"relworkbook: participants on your network join at http://{address}:{args.port}/", flush=True)
    settings = Settings.from_env()
    check_packs(settings)  # a broken pack stops here with its message, not in every kernel
    store = open_store(settings.data_url)  # creates the database before any kernel needs it
    print(f"relworkbook: workshops are stored in {store.path}", flush=True)
    print(f"relworkbook: open http://{args.host}:{args.port}/ in a browser (Ctrl+C stops the server)", flush=True)
    listens_everywhere = args.host in ("0.0.0.0", "::")  # (as a link's host, these would open nothing)
    if not listens_everywhere and this_computer_only(f"http://{args.host}/"):
        # The facilitator's screen says so too, over the link and QR code (components/session.py).
        print("relworkbook: only this computer can open these pages. For a workshop with phones, stop it and "
              f"start it with: relworkbook serve --host 0.0.0.0 --port {args.port}", flush=True)
    from .server import KitVoila

    KitVoila.launch_instance(argv=[], config=voila_config(args, workbooks))
    return 0


def cmd_check_content(args: argparse.Namespace) -> int:
    if args.content:
        os.environ["RELWORKBOOK_CONTENT"] = str(Path(args.content).expanduser().resolve())
    from .config import Settings
    from .registry import check_packs

    names = check_packs(Settings.from_env())
    print("relworkbook: the content pack is fine (" + ", ".join(names) + ")")
    return 0


def _workshop(code: str):
    from .errors import FriendlyError
    from .store import open_store
    from .workshops import format_code, normalise_code

    store = open_store()
    workshop = store.workshop_by_code(normalise_code(code))
    if workshop is None:
        shown = format_code(normalise_code(code)) or code
        # A refusal like any other (main prints it): worded by the pack in force, as the screens are.
        raise FriendlyError.of("cli_no_workshop", code=repr(shown), path=store.path)
    return store, workshop


def cmd_export(args: argparse.Namespace) -> int:
    """Export what may be shared, exactly as the facilitator's downloads do (see sharing.py)."""
    from . import sharing
    from .exchange import to_csv, to_json

    store, workshop = _workshop(args.code)
    if args.format == "json":
        document = sharing.export_document(store, workshop)
        text, count = to_json(document), len(document["responses"])
    else:
        rows, columns = sharing.export_table(store, workshop)
        text, count = to_csv(rows, columns), len(rows)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"relworkbook: wrote {count} {'responses' if args.format == 'json' else 'rows'} to {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from .exchange import import_responses
    from .registry import spec_for

    store, workshop = _workshop(args.code)
    spec = spec_for(workshop.workbook)
    path = Path(args.file)
    added = import_responses(store, workshop, workshop.workbook, path.read_bytes(), path.name,
                             spec.payload_check(spec.load_pack()),
                             allow_other_workshop=args.from_other_workshop)
    print(f"relworkbook: added {added} responses from {path.name} to workshop {workshop.code}")
    return 0


class _Parser(argparse.ArgumentParser):
    """Refusals in one line saying what is wrong (argparse prints the usage block as well)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"relworkbook: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="relworkbook", description="The Relationships Project's workshop tools as Voila widget notebooks.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve every workbook with Voila", epilog=_EPILOG,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1: this computer only; 0.0.0.0 for a network)")
    serve.add_argument("--port", type=int, default=8866, help="port to listen on (default 8866)")
    serve.add_argument("--data", help="SQLite file for workshops (default $RELWORKBOOK_DATA or "
                                      "~/.relworkbook/workshops.sqlite3)")
    serve.add_argument("--content", help="folder with a custom content pack (default: the built-in English pack)")
    serve.add_argument("--workbooks", help="folder of workbook notebooks (default ./workbooks)")
    serve.add_argument("--pool-size", type=int, default=1,
                       help="preheated kernels kept ready per notebook; 0 turns preheating off (default 1)")
    serve.add_argument("--ready-max", type=int, default=40,
                       help="most pages kept ready for the people a facilitator expects, over all workbooks; "
                            "each takes about 60 MB (default 40; 0 turns it off)")
    serve.add_argument("--cull-minutes", type=int, default=30,
                       help="stop kernels of abandoned pages after this many idle minutes (default 30)")
    serve.add_argument("--show-tracebacks", action="store_true",
                       help="show Python errors to visitors (for testing; the log always has them)")
    serve.set_defaults(run=cmd_serve)

    check = commands.add_parser("check-content", help="check a content pack and report any problem")
    check.add_argument("--content", help="folder with the pack to check (default: the pack in force)")
    check.set_defaults(run=cmd_check_content)

    export = commands.add_parser("export", help="write a workshop's responses as JSON (re-importable) or CSV")
    export.add_argument("code", help="the workshop's join code")
    export.add_argument("--format", choices=["json", "csv"], default="json")
    export.add_argument("--out", help="file to write (default: standard output)")
    export.set_defaults(run=cmd_export)

    imp = commands.add_parser("import", help="add a response file to a workshop (duplicates are skipped)")
    imp.add_argument("file", help="a .json response file")
    imp.add_argument("--code", required=True, help="the workshop's join code")
    imp.add_argument("--from-other-workshop", action="store_true",
                     help="add the answers even though the file was exported from a different workshop")
    imp.set_defaults(run=cmd_import)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from .errors import FriendlyError

    try:
        return args.run(args)
    except FriendlyError as exc:
        print(f"relworkbook: {exc.message}", file=sys.stderr)
        return 2
    except OSError as exc:  # a file that cannot be read or written: one line, no traceback
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        print(f"relworkbook: {exc.strerror or exc}{where}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
