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
  about 5.4 MB to about 1.6 MB), static files say how long they may be kept
  (files whose name or address carries a content hash: a year; the rest are
  checked with an ETag, so a repeat visit gets 304s, not the files again),
  Voila's own bundle is served under an address that names its version (so
  it too can be kept for a year), and the kernel websocket may be compressed.
- Kernels of closed pages stop at once: the page posts a goodbye with the
  ``_xsrf`` value from its cookie, but Voila never sets that cookie, so the
  goodbye was refused (403) and the kernel (about 55 MB) lived until the idle
  cull. The page now gets the cookie; XSRF checks stay on for everything.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path, PurePosixPath

import tornado.web
from jupyter_core.utils import ensure_async
from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.base.handlers import FileFindHandler
from jupyter_server.utils import url_path_join
from voila._version import __version__ as VOILA_VERSION
from voila.app import Voila
from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
from voila.static_file_handler import MultiStaticFileHandler, TemplateStaticFileHandler
from voila.tornado.handler import TornadoVoilaHandler

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


class _CachedStatic(tornado.web.StaticFileHandler):
    """Mixin for Voila's static file handlers: an ETag and an honest Cache-Control."""

    def cache_control(self) -> str:
        return cache_control(self.request.path, "v" in self.request.arguments)

    def compute_etag(self):
        # jupyter_server's FileFindHandler turns ETags off. Tornado's is a
        # SHA-512 of the file (computed once per file and cached), 130
        # characters in every response and every 304; 32 hex digits (128
        # bits) tell versions apart just as well.
        etag = tornado.web.StaticFileHandler.compute_etag(self)
        return None if etag is None else etag[:33] + '"'

    def set_headers(self):
        super().set_headers()
        self.clear_header("Expires")
        self.set_header("Cache-Control", self.cache_control())


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


class KitVoila(Voila):
    name = "relworkbook"
    template_paths: list[str]  # Voila's, with the kit's folder first (setup_template_dirs)

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
        return settings

    def init_handlers(self):
        handlers = replace_handlers(super().init_handlers(), REPLACEMENTS)
        kit = [(self.server_url, tornado.web.RedirectHandler, {"url": url_path_join(self.server_url, LANDING)})]
        if self.static_version:  # before Voila's /voila/static/(.*), which would take it otherwise
            kit.append((url_path_join(self.server_url, rf"/voila/static/v-{self.static_version}/(.*)"),
                        KitVersionedStaticHandler, {"paths": self.static_paths, "default_filename": "index.html"}))
        return kit + handlers
