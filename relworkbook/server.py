"""The kit's Voila application: Voila, plus what a room full of phones needs.

- The landing page at ``/``: plain Voila shows a file listing there; people
  arriving at a workshop address should see the list of workbooks instead
  (the listing stays at ``/voila/tree``).
- Nothing fetched from another host: Voila's page links Font Awesome (and
  nbconvert a diagram library) from a CDN. On a network that drops outside
  traffic the page waits for them, and every visit tells a third party who
  is in the workshop. The kit's templates (``relworkbook/templates``) leave
  them out; Voila's own bundle already carries Font Awesome.
- Light pages: responses are gzipped (a participant's first visit goes from
  about 5.4 MB to about 1.5 MB), static files say how long they may be kept
  (files whose name or address carries a content hash: a year; the rest are
  checked with an ETag, so a repeat visit gets 304s, not the files again),
  Voila's own bundle is served under an address that names its version (so
  it too can be kept for a year), and the kernel websocket may be compressed.
- Kernels of closed pages stop at once: the page posts a goodbye with the
  ``_xsrf`` value from its cookie, but Voila never sets that cookie, so the
  goodbye was refused (403) and the kernel (about 55 MB) lived until the idle
  cull. The page now gets the cookie; XSRF checks stay on for everything.
- Pages readied before the room arrives (``ReadyPages``, rules in
  readiness.py): a facilitator's request file makes the workbook's pool of
  preheated kernels grow to the number of people expected, a few at a time;
  a pool kernel handed out during a rush is replaced after the rush, not
  while people are still waiting for theirs.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import gzip
import hashlib
import os
import re
import time
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import tornado.ioloop
import tornado.web
from jupyter_core.utils import ensure_async
from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.base.handlers import FileFindHandler
from jupyter_server.utils import url_path_join
from traitlets import Integer
from voila._version import __version__ as VOILA_VERSION
from voila.app import Voila
from voila.request_info_handler import RequestInfoSocketHandler
from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
from voila.static_file_handler import MultiStaticFileHandler, TemplateStaticFileHandler
from voila.tornado.handler import TornadoVoilaHandler

from . import readiness

LANDING = "voila/render/index.ipynb"
TEMPLATES = Path(__file__).resolve().parent / "templates"

#: For files that never change under the same address.
IMMUTABLE = "public, max-age=31536000, immutable"
#: For the rest: keep a copy, but ask first (an ETag makes the answer a tiny 304).
REVALIDATE = "no-cache"

# A run of at least 8 hex digits with a letter in it, between dots or dashes:
# webpack's content hashes (remoteEntry.48b9f2a07f035ce4c1aa.js,
# 9834b82ad26e2a37583d.woff2), but not chunk numbers (1807.voila.js) or dates.
_HASH_PART = re.compile(r"(?=[0-9]*[a-f])[0-9a-f]{8,}")

#: Tornado's settings for the kit (see ``KitVoila.init_settings``).
KIT_TORNADO_SETTINGS = {
    # gzip every text response (pages, JavaScript, CSS, JSON): JupyterLab's
    # bundles shrink to about a quarter. Read when the application is made,
    # so it must be here and not in Voila.tornado_settings (applied later).
    "compress_response": True,
    # permessage-deflate on the kernel websocket (widget state is JSON).
    "websocket_compression_options": {},
}


def has_content_hash(path: str) -> bool:
    """True if the file name carries a content hash, so its content can never change under it."""
    name = PurePosixPath(path.split("?", 1)[0]).name
    return any(_HASH_PART.fullmatch(part) for part in re.split(r"[.\-_]", name))


def cache_control(path: str, versioned: bool) -> str:
    """How long a browser may keep a static file.

    A year, without asking, when the address pins the content (a hash in the
    name, or a ``?v=`` hash Voila adds); otherwise keep it but ask each time,
    because Voila's chunk names (``1807.voila.js``) stay the same across
    upgrades and a stale chunk would break the page.
    """
    return IMMUTABLE if versioned or has_content_hash(path) else REVALIDATE


#: Static files already gzipped, by (path, modification time, size): a page
#: takes about 5.4 MB of JavaScript before compression, and gzipping it again
#: for every phone cost the server about 0.2 CPU-seconds per page (0.9 s for
#: Voila's 24 MB of bundles on this 2-core machine), half of what the server
#: process spent per page while a room arrived (benchmarks/herd.py).
_GZIPPED: dict[tuple[str, int, int], bytes] = {}
#: Enough for every bundle a page can ask for; beyond it the oldest are dropped.
GZIP_CACHE_BYTES = 64 * 1024 * 1024


def gzipped(path: str) -> bytes:
    """The file at ``path``, gzipped at tornado's level, once per version of the file."""
    stat = os.stat(path)
    key = (path, stat.st_mtime_ns, stat.st_size)
    found = _GZIPPED.get(key)
    if found is None:
        with open(path, "rb") as file:
            found = gzip.compress(file.read(), tornado.web.GZipContentEncoding.GZIP_LEVEL, mtime=0)
        while _GZIPPED and sum(map(len, _GZIPPED.values())) + len(found) > GZIP_CACHE_BYTES:
            del _GZIPPED[next(iter(_GZIPPED))]
        _GZIPPED[key] = found
    return found


class _CachedStatic(tornado.web.StaticFileHandler):
    """Mixin for Voila's static file handlers: an ETag, an honest Cache-Control, and gzip done once per file."""

    _gzip: bool = False  # this response is the cached gzip of the file

    def cache_control(self) -> str:
        return cache_control(self.request.path, "v" in self.request.arguments)

    def compute_etag(self):
        # jupyter_server's FileFindHandler turns ETags off. Tornado's is a
        # SHA-512 of the file (computed once per file and cached), 130
        # characters in every response and every 304; 32 hex digits (128
        # bits) tell versions apart just as well. The gzipped body is another
        # representation, so it gets its own tag.
        etag = tornado.web.StaticFileHandler.compute_etag(self)
        return None if etag is None else etag[:33] + ('-gz"' if self._gzip else '"')

    def _may_send_gzipped(self) -> bool:
        """Would tornado gzip this response? Then send the cached gzip instead (never for a byte range)."""
        headers = self.request.headers
        if self.absolute_path is None or not self.settings.get("compress_response") or headers.get("Range"):
            return False
        if "gzip" not in headers.get("Accept-Encoding", ""):
            return False
        kind = (self.get_content_type() or "").split(";")[0]
        if not (kind.startswith("text/") or kind in tornado.web.GZipContentEncoding.CONTENT_TYPES):
            return False
        return os.path.getsize(self.absolute_path) >= tornado.web.GZipContentEncoding.MIN_LENGTH

    async def prepare(self, *args, **kwargs):
        ready: ReadyPages | None = self.settings.get("relworkbook_ready_pages")
        if ready is not None:
            ready.file_asked()  # a phone still loading its page: no pool refill yet
        result = super().prepare(*args, **kwargs)
        if result is not None:  # jupyter_server's handlers check who is asking here
            await result

    def set_headers(self):
        self._gzip = self._may_send_gzipped()
        super().set_headers()
        self.clear_header("Expires")
        self.set_header("Cache-Control", self.cache_control())
        if self._gzip:
            self.set_header("Content-Encoding", "gzip")  # tornado's own gzip then leaves the body alone

    def get_content_size(self) -> int:
        return len(gzipped(str(self.absolute_path))) if self._gzip else super().get_content_size()

    @classmethod
    def get_content_version(cls, abspath: str) -> str:
        # The version (ETag) is the file's, read plainly: get_content below
        # answers per response, so it cannot serve tornado's class-level call.
        return tornado.web.StaticFileHandler.get_content_version(abspath)

    def get_content(self, abspath, start=None, end=None):  # type: ignore[override]
        if self._gzip:
            return [gzipped(abspath)]
        return tornado.web.StaticFileHandler.get_content(abspath, start, end)


class KitTemplateStaticHandler(_CachedStatic, TemplateStaticFileHandler):
    """``/voila/templates/<name>/static/``: styles, fonts, voila-style.js."""


class KitStaticHandler(_CachedStatic, MultiStaticFileHandler):
    """``/voila/static/``: Voila's JavaScript bundle."""


class KitVersionedStaticHandler(KitStaticHandler):
    """``/voila/static/v-<version>/``: the same files, under an address that changes with Voila's bundle."""

    def cache_control(self) -> str:
        return IMMUTABLE


class KitLabextensionHandler(_CachedStatic, FileFindHandler):
    """``/voila/labextensions/``: the widget extensions' JavaScript and CSS."""

    @allow_unauthenticated
    def get(self, path, include_body=True):
        return super().get(path, include_body)

    @allow_unauthenticated
    def head(self, path):
        return super().head(path)


class KitPageHandler(TornadoVoilaHandler):
    """A notebook page that hands the browser an ``_xsrf`` cookie.

    The page's goodbye (a beacon when it closes or reloads) sends that
    cookie's value back, which is what tornado's XSRF check asks for. Reading
    ``xsrf_token`` is what sets the cookie.
    """

    async def prepare(self, *args, **kwargs):
        await super().prepare(*args, **kwargs)
        self.xsrf_token  # noqa: B018 - the property sets the cookie

    @tornado.web.authenticated
    async def get(self, path=None):
        # The ready pages need to know when people arrive (to refill after the
        # rush) and how many pages are still being drawn.
        ready: ReadyPages | None = self.settings.get("relworkbook_ready_pages")
        if ready is None:
            return await super().get(path)
        ready.page_opened(self.notebook_path or path or "")
        try:
            return await super().get(path)
        finally:
            ready.page_done()


class KitShutdownHandler(VoilaShutdownKernelHandler):
    """A closing page's goodbye: stop its kernel now instead of at the idle cull.

    The request passes the usual checks first (same origin, XSRF cookie and
    form value match). A page may say goodbye twice (``beforeunload`` from
    Voila, then ``pagehide`` from the kit's template); the second finds the
    kernel gone, which is the wanted outcome, not an error.
    """

    #: Kernels being stopped now, so a second goodbye does not stop one twice.
    stopping: set[str] = set()

    @tornado.web.authenticated
    async def post(self, kernel_id):
        if kernel_id in self.kernel_manager and kernel_id not in self.stopping:
            self.stopping.add(kernel_id)
            try:
                await ensure_async(self.kernel_manager.shutdown_kernel(kernel_id))
            finally:
                self.stopping.discard(kernel_id)
        self.set_status(204)
        self.finish()


#: Voila's handler classes and the kit's replacement for each.
REPLACEMENTS = {
    TemplateStaticFileHandler: KitTemplateStaticHandler,
    MultiStaticFileHandler: KitStaticHandler,
    FileFindHandler: KitLabextensionHandler,
    TornadoVoilaHandler: KitPageHandler,
    VoilaShutdownKernelHandler: KitShutdownHandler,
}


def static_version(static_paths: list[str]) -> str | None:
    """A short name for this Voila's bundle: its version and its entry script, or None if it cannot be found.

    Voila's chunk names (``1807.voila.js``) stay the same from one version to
    the next; putting this in their address lets browsers keep them for a
    year, and a new Voila is new addresses, never an old chunk with a new page.
    """
    for folder in static_paths:
        entry = Path(folder) / "voila.js"
        if entry.is_file():
            return hashlib.sha256(VOILA_VERSION.encode() + b"\0" + entry.read_bytes()).hexdigest()[:16]
    return None


def versioned_static_hook(version: str, chained=None):
    """A Voila ``page_config_hook`` that points the page's bundle (script and chunks) at ``v-<version>``."""

    def hook(page_config, **kwargs):
        if chained is not None:
            page_config = chained(page_config, **kwargs)
        page_config["fullStaticUrl"] = url_path_join(kwargs["base_url"], "voila/static", f"v-{version}")
        return page_config

    return hook


def replace_handlers(handlers: list, replacements: dict) -> list:
    """The same routes, with each handler class swapped for its replacement (if it has one)."""
    return [(rule[0], replacements.get(rule[1], rule[1]), *rule[2:]) for rule in handlers]


class ReadyPages:
    """Voila's preheated pools, sized for the people a facilitator expects and refilled after the rush.

    Voila keeps ``default_pool_size`` started kernels per notebook and starts a
    replacement one second after it hands one out. Two changes, both made
    here on Voila's own kernel manager (no copy of its code):

    - a request file (readiness.py) raises one notebook's pool to the number
      of people expected, within the memory budget and the cap, starting a
      few kernels at a time; when the request ends (or memory runs short) the
      idle surplus is stopped;
    - Voila's refill after a hand-out is held until the rush is over
      (``readiness.may_start``): under a burst every refill kernel competes
      for the CPU with the pages people are waiting for.

    Everything runs on the server's event loop (a ``PeriodicCallback``), so it
    never races Voila's handlers between two ``await``s.
    """

    #: How often the request folder and the pools are looked at (a folder listing and a few small files).
    POLL_SECONDS = 1.0
    #: How long a ready page that is no longer needed may take to finish drawing before its kernel stops.
    FINISH_SECONDS = 30.0

    def __init__(self, kernel_manager: Any, folder: Path, *, default: int, cap: int, log: Any,
                 step: int | None = None, clock: Callable[[], float] = time.time):
        self.km = kernel_manager
        self.folder = folder
        self.default = max(0, default)
        self.cap = max(0, cap)
        self.log = log
        self.step = step or os.cpu_count() or 1  # one kernel starting per core
        self.clock = clock
        self.arrivals: dict[str, collections.deque[float]] = {}
        self.last_request: float | None = None  # a page, or a file a page loads
        self.last_page: float | None = None
        self.in_rush = False  # pages opened close together, and the server not yet quiet since
        self.pages_in_flight = 0
        self.waiting_since: dict[str, float] = {}  # a notebook's pool is short since then
        self.targets: dict[str, int] = {}  # the sizes last planned, to log only changes
        self.original_fill = kernel_manager.fill_if_needed
        # Voila calls fill_if_needed(delay=None, ...) right after handing out a
        # pool kernel; the wrapper notes it and lets tick() refill later.
        kernel_manager.fill_if_needed = self._fill_if_needed
        self.callback: Any = None

    def start(self) -> None:
        self.callback = tornado.ioloop.PeriodicCallback(self.tick, self.POLL_SECONDS * 1000)
        self.callback.start()

    # -- what Voila's handlers tell us -------------------------------------------------

    def _fill_if_needed(self, delay=None, notebook_name=None, **kwargs) -> None:
        if delay is None and notebook_name is not None:  # a hand-out: refill after the rush
            self.waiting_since.setdefault(notebook_name, self.clock())
            return
        self.original_fill(delay=delay, notebook_name=notebook_name, **kwargs)

    def page_opened(self, notebook: str) -> None:
        now = self.clock()
        if readiness.starts_rush(now=now, previous_page=self.last_page):
            self.in_rush = True
        self.last_request = self.last_page = now
        self.arrivals.setdefault(notebook, collections.deque(maxlen=10_000)).append(now)
        self.pages_in_flight += 1

    def file_asked(self) -> None:
        """A page's JavaScript, styles or fonts: that phone is still arriving."""
        self.last_request = self.clock()

    def page_done(self) -> None:
        self.pages_in_flight = max(0, self.pages_in_flight - 1)

    def arrived_since(self, notebook: str, since: float) -> int:
        return sum(1 for t in self.arrivals.get(notebook, ()) if t >= since)

    # -- the pools ----------------------------------------------------------------------

    def pools(self) -> dict[str, list]:
        return getattr(self.km, "_pools", {})

    @staticmethod
    def _started(task) -> bool:
        return task.done() and not task.cancelled() and task.exception() is None

    async def tick(self) -> None:
        now = self.clock()
        if self.in_rush and readiness.quiet(now=now, last_request=self.last_request,
                                            pages_in_flight=self.pages_in_flight):
            self.in_rush = False
        requests = readiness.read_requests(self.folder)
        for request in readiness.expired(requests, now):
            # Tidying only (an ended request no longer counts): a file that cannot be removed must not
            # stop every tick, and with it the pools, with the same traceback each second.
            with contextlib.suppress(OSError):
                (self.folder / f"{request.workshop}.json").unlink(missing_ok=True)
        active = [r for r in requests if r.active(now)]
        first_asked: dict[str, float] = {}
        for request in active:
            first_asked[request.notebook] = min(first_asked.get(request.notebook, now), request.made_at)
        pools = self.pools()
        import psutil  # type: ignore[import-untyped]  # ipykernel's dependency, so always installed

        memory = psutil.virtual_memory()
        targets = readiness.plan(
            active, now=now, arrived={nb: self.arrived_since(nb, t) for nb, t in first_asked.items()},
            in_pool={nb: len(pool) for nb, pool in pools.items()}, default=self.default,
            available=memory.available, total=memory.total, cap=self.cap)
        for notebook in sorted(set(pools) | set(targets)):
            target = targets.get(notebook, self.default)
            if self.targets.get(notebook, self.default) != target:
                asked = sum(r.people for r in active if r.notebook == notebook)
                self.log.info("relworkbook: %s: keeping %d pages ready (%d people expected, at most %d ready "
                              "pages, %d MiB free)", notebook, target, asked, self.cap, memory.available >> 20)
            self.targets[notebook] = target
            await self._resize(notebook, target, now)

    async def _resize(self, notebook: str, target: int, now: float) -> None:
        pool = self.pools().get(notebook, [])
        if len(pool) < target:
            waiting = self.waiting_since.setdefault(notebook, now)
            if not readiness.may_start(now=now, in_rush=self.in_rush, last_request=self.last_request,
                                       pages_in_flight=self.pages_in_flight, waiting_since=waiting):
                return
            size = readiness.next_fill(target=target, pooled=len(pool), starting=sum(not t.done() for t in pool),
                                       step=self.step)
            if size > len(pool):
                config = dict(self.km.kernel_pools_config)
                config[notebook] = {**(config.get(notebook) or config.get("default") or {}), "pool_size": size}
                self.km.kernel_pools_config = config
                self.original_fill(delay=0, notebook_name=notebook)
            return
        self.waiting_since.pop(notebook, None)
        extra = readiness.surplus(target=target, idle=len(pool))
        if extra:
            await self._stop_idle(notebook, extra)

    async def _stop_idle(self, notebook: str, count: int) -> None:
        """Stop ``count`` started, unclaimed pool kernels of ``notebook`` (the newest first)."""
        pool = self.pools().get(notebook, [])
        for task in [t for t in reversed(pool) if self._started(t)][:count]:
            if task not in pool:  # handed to a visitor while we stopped another one
                continue
            # Out of the pool before the first await, so no visitor can be given it from here on.
            pool.remove(task)
            content = task.result()
            # Its notebook is waiting for a visitor's request (page.py). Let it
            # draw the plain welcome page and finish, so the kernel stops
            # cleanly: stopping it mid-cell makes Voila log a dead kernel and
            # the whole cell. A notebook that does not wait is already done.
            render = content.get("task")
            if render is not None and not render.done():
                RequestInfoSocketHandler.send_updates({"kernel_id": content["kernel_id"], "payload": {}})
                try:
                    await asyncio.wait_for(asyncio.shield(render), self.FINISH_SECONDS)
                except Exception:  # noqa: BLE001 - a drawing that fails or hangs is stopped with its kernel
                    render.cancel()
                    await asyncio.gather(render, return_exceptions=True)
            try:
                await ensure_async(self.km.shutdown_kernel(content["kernel_id"]))
            except Exception:  # noqa: BLE001 - a kernel already gone is the wanted outcome
                self.log.info("relworkbook: kernel %s was already gone", content["kernel_id"], exc_info=True)
            self.log.info("relworkbook: stopped a ready page of %s that is no longer needed", notebook)


class KitVoila(Voila):
    name = "relworkbook"
    template_paths: list[str]  # Voila's, with the kit's folder first (setup_template_dirs)
    ready_max = Integer(readiness.MAX_READY_PAGES, config=True,
                        help="The most pages kept ready for expected people, over all workbooks (readiness.py).")
    ready_pages: ReadyPages | None = None

    def setup_template_dirs(self):
        """Put the kit's templates first, so they stand in for Voila's of the same name."""
        super().setup_template_dirs()
        if not (TEMPLATES / "index.html.j2").exists():  # a package built without its templates
            self.log.warning("relworkbook: the kit's page templates are missing from %s, so pages will ask a "
                             "CDN for their icons. Reinstall the kit.", TEMPLATES)
        self.template_paths = [str(TEMPLATES), *self.template_paths]

    def init_settings(self):
        # Read by Voila's init_settings (preheated pages) and by every page request.
        self.static_version = static_version(self.static_paths)
        if self.static_version:
            configured = self.voila_configuration.page_config_hook
            self.voila_configuration.page_config_hook = versioned_static_hook(self.static_version, configured)
        settings = super().init_settings()
        settings.update(KIT_TORNADO_SETTINGS)
        if self.voila_configuration.preheat_kernel and hasattr(self.kernel_manager, "_pools"):
            from .config import Settings

            folder = readiness.requests_folder(Settings.from_env().data_url)
            self.ready_pages = ReadyPages(self.kernel_manager, folder, cap=self.ready_max, log=self.log,
                                          default=self.voila_configuration.default_pool_size)
            self.ready_pages.start()
            settings["relworkbook_ready_pages"] = self.ready_pages
        return settings

    def init_handlers(self):
        handlers = replace_handlers(super().init_handlers(), REPLACEMENTS)
        kit = [(self.server_url, tornado.web.RedirectHandler, {"url": url_path_join(self.server_url, LANDING)})]
        if self.static_version:  # before Voila's /voila/static/(.*), which would take it otherwise
            kit.append((url_path_join(self.server_url, rf"/voila/static/v-{self.static_version}/(.*)"),
                        KitVersionedStaticHandler, {"paths": self.static_paths, "default_filename": "index.html"}))
        return kit + handlers
