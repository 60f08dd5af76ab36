"""The ingress controller's I/O edges: status it writes, certificate files, nginx handling."""

from __future__ import annotations

import asyncio
import stat
from pathlib import Path

import pytest

from minicube.api.kinds.ingressclasses import nginx_class
from minicube.ingress.certs import sync_certs, write_atomic
from minicube.ingress.controller import load_balancer_status
from minicube.ingress.nginx import Nginx, NginxError
from minicube.ingress.routes import DEFAULT_CERT


def _ing(name: str, ips: list[str], class_name: str | None = None) -> dict:
    spec = {"ingressClassName": class_name} if class_name else {}
    return {"metadata": {"name": name, "namespace": "default"}, "spec": spec,
            "status": {"loadBalancer": {"ingress": [{"ip": ip} for ip in ips]} if ips else {}}}


def test_status_shows_the_node_address_on_ours_and_is_taken_off_others() -> None:
    other = {"metadata": {"name": "other"}, "spec": {"controller": "example.com/lb"}}
    ingresses = [_ing("new", []), _ing("done", ["172.18.0.2"]),
                 _ing("moved", ["172.18.0.2"], "other"), _ing("foreign", ["1.2.3.4"], "other")]
    assert load_balancer_status(ingresses, [nginx_class(), other], "172.18.0.2") == {
        "default/new": [{"ip": "172.18.0.2"}], "default/moved": []}


def test_certificates_are_written_0600_and_stale_ones_removed(tmp_path: Path) -> None:
    (tmp_path / "gone.pem").write_text("old")
    sync_certs(tmp_path, {"demo-tls.pem": "PEM"})
    assert sorted(p.name for p in tmp_path.iterdir()) == [DEFAULT_CERT, "demo-tls.pem"]
    assert stat.S_IMODE((tmp_path / "demo-tls.pem").stat().st_mode) == 0o600
    assert "BEGIN CERTIFICATE" in (tmp_path / DEFAULT_CERT).read_text()


def test_atomic_write_replaces_the_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "a" / "f.pem"
    write_atomic(target, "one")
    write_atomic(target, "two")
    assert target.read_text() == "two" and [p.name for p in target.parent.iterdir()] == ["f.pem"]


def _fake_nginx(tmp_path: Path, test_exit: int) -> str:
    """An `nginx` that fails `-t` with a message when told to, and otherwise serves (sleeps,
    surviving the SIGHUP of a reload as nginx does)."""
    script = tmp_path / "nginx"
    script.write_text(f"""#!/bin/sh
if [ "$1" = "-t" ]; then echo 'nginx: [emerg] bad thing in $4'; exit {test_exit}; fi
trap '' HUP
exec sleep 30
""")
    script.chmod(0o755)
    return str(script)


def test_a_configuration_nginx_rejects_never_goes_live(tmp_path: Path) -> None:
    nginx = Nginx(tmp_path / "nginx.conf", tmp_path / "nginx.pid", binary=_fake_nginx(tmp_path, 1))
    (tmp_path / "nginx.conf").write_text("good")
    with pytest.raises(NginxError, match="bad thing"):
        asyncio.run(nginx.apply("bad"))
    assert (tmp_path / "nginx.conf").read_text() == "good" and not nginx.running


def test_a_valid_configuration_starts_nginx_then_reloads_it(tmp_path: Path) -> None:
    nginx = Nginx(tmp_path / "nginx.conf", tmp_path / "nginx.pid", binary=_fake_nginx(tmp_path, 0))

    async def scenario() -> int | None:
        await nginx.apply("one")
        assert nginx.running and nginx.proc is not None
        first = nginx.proc.pid
        await nginx.apply("two")  # a reload: the same master gets SIGHUP and keeps running
        await asyncio.sleep(0.1)
        assert nginx.running and nginx.proc.pid == first
        await nginx.stop()
        return nginx.proc.returncode

    assert asyncio.run(scenario()) is not None
    assert (tmp_path / "nginx.conf").read_text() == "two"
