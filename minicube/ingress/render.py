"""The nginx configuration for a routes.Config, from the template shipped in this package."""

from __future__ import annotations

from pathlib import Path

import jinja2

from minicube.ingress.routes import Config, nginx_quote

_ENV = jinja2.Environment(loader=jinja2.PackageLoader("minicube.ingress", "."),
                          undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                          autoescape=False)
_ENV.filters["nginx_quote"] = nginx_quote


def render(config: Config, *, cert_dir: Path, pid_file: Path) -> str:
    return _ENV.get_template("nginx.conf.j2").render(
        servers=config.servers, upstreams=config.upstreams, cert_dir=cert_dir, pid_file=pid_file)
