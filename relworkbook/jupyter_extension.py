"""The kit inside a Jupyter server (Binder, a JupyterHub user server, ``jupyter lab``).

There Voila runs as a Jupyter server extension (``/voila/render/...``), not
through ``relworkbook serve``, so the kit's own server (server.py) is not in
charge of the pages. Two of its fixes matter on every path and are brought
here, on Voila's own routes only (nothing else the Jupyter server serves
changes):

- Kernels of closed pages stop at once. Voila's page says goodbye with the
  ``_xsrf`` value from its cookie, but nothing on a Voila page sets that
  cookie, so every goodbye was refused and each closed or reloaded page left a
  kernel of about 55 MB running (on a 2 GB Binder session a few reloads were
  enough to run out of memory). The kit's page handler sets the cookie and
  its shutdown handler takes the goodbye (``server.KitPageHandler``,
  ``server.KitShutdownHandler``).
- Nothing fetched from another host: the kit's templates (no Font Awesome or
  diagram library from a CDN) stand in for Voila's, as under ``relworkbook serve``.
  Voila's static files also get the kit's caching headers. MathJax is not
  loaded from a CDN either (no page of the kit has a formula); a server whose
  administrator names a MathJax address keeps it.

The package installs ``etc/jupyter/jupyter_server_config.d/relworkbook.json``,
which enables this extension in every Jupyter server of the environment (as
Voila does for its own). An editable install (``pip install -e .``) installs
no data files: there, ``jupyter server extension enable relworkbook`` does it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

#: Only Voila's routes are touched (jupyter_server's generic FileFindHandler serves other routes too).
VOILA_ROUTE = "/voila/"


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "relworkbook.jupyter_extension"}]


def _load_jupyter_server_extension(server_app: Any) -> None:
    """Nothing to do yet: Voila's extension may load after this one (extensions load in name order)."""


async def _start_jupyter_server_extension(server_app: Any) -> None:
    """Called once every extension is loaded, so Voila's routes are there to adopt."""
    adopted = adopt_voila_routes(server_app.web_app)
    if adopted:
        server_app.log.info("relworkbook: Voila's pages now stop their kernels on close and fetch nothing from "
                            "other hosts (%d routes)", adopted)
    else:
        server_app.log.warning("relworkbook: Voila is not loaded in this Jupyter server, so there is nothing "
                               "to adjust")


def _rules(router: Any) -> Iterator[Any]:
    """Every routing rule of a tornado application, however deep (each ``add_handlers`` nests a router)."""
    for rule in getattr(router, "rules", ()):
        yield rule
        yield from _rules(rule.target)


def without_cdn_mathjax(chained: Callable[..., dict] | None = None) -> Callable[..., dict]:
    """A Voila ``page_config_hook`` that keeps the page from loading MathJax from a CDN.

    Voila's page fetches MathJax 2 from cdnjs unless both its address and its
    configuration are null, as a standalone Voila leaves them; inside a Jupyter
    server they default to the CDN. The kit's pages have no formulas.
    """

    def hook(page_config: dict, **kwargs: Any) -> dict:
        if chained is not None:
            page_config = chained(page_config, **kwargs)
        page_config["fullMathjaxUrl"] = None
        page_config["mathjaxConfig"] = None
        return page_config

    hook.relworkbook = True  # type: ignore[attr-defined]  # so adopting twice does not wrap twice
    return hook


def adopt_voila_routes(web_app: Any) -> int:
    """Swap Voila's handlers for the kit's on Voila's routes, and put the kit's templates first.

    Returns how many routes changed; running it twice changes nothing more.
    """
    from jupyter_server.base.handlers import FileFindHandler

    from .server import REPLACEMENTS, TEMPLATES

    # Not the widget extensions' file handler: the kit's lets anyone fetch them (a standalone Voila asks
    # nobody to log in), and on a Jupyter server who may see what stays the server's decision.
    replacements = {old: new for old, new in REPLACEMENTS.items() if old is not FileFindHandler}
    templates = str(TEMPLATES)
    adopted = 0
    for rule in _rules(web_app.default_router):
        pattern = getattr(getattr(rule.matcher, "regex", None), "pattern", "")
        replacement = replacements.get(rule.target)
        if replacement is None or VOILA_ROUTE not in pattern:
            continue
        rule.target = replacement
        configuration = rule.target_kwargs.get("voila_configuration")
        if configuration is not None and "mathjax_url" not in web_app.settings:
            if not getattr(configuration.page_config_hook, "relworkbook", False):
                configuration.page_config_hook = without_cdn_mathjax(configuration.page_config_hook)
        paths = rule.target_kwargs.get("template_paths")
        if paths is not None and templates not in paths:
            rule.target_kwargs["template_paths"] = [templates, *paths]  # the notebook pages
        adopted += 1
    environment = web_app.settings.get("voila_jinja2_env")  # the file list, 404 and error pages
    if environment is not None and templates not in environment.loader.searchpath:
        import jinja2

        environment.loader = jinja2.FileSystemLoader([templates, *environment.loader.searchpath])
    return adopted
