"""The kit's Voila application: Voila, plus the landing page at ``/``.

Plain Voila shows a file listing at ``/``; people arriving at a workshop
address should see the list of workbooks instead. The listing stays at
``/voila/tree`` for anyone who wants it.
"""

from __future__ import annotations

import tornado.web
from jupyter_server.utils import url_path_join
from voila.app import Voila

LANDING = "voila/render/index.ipynb"


class KitVoila(Voila):
    name = "relworkbook"

    def init_handlers(self):
        handlers = super().init_handlers()
        landing = url_path_join(self.server_url, LANDING)
        return [(self.server_url, tornado.web.RedirectHandler, {"url": landing})] + handlers
