"""The cluster's API as the host reaches it: HTTPS on the published port, as the admin user.

The credentials are the ones the control plane made at its first boot, read from the node's
state volume; the same ones go into the kubeconfig.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import requests

from minicube.cluster.kubeconfig import Credentials
from minicube.cluster.provider import DockerProvider, Node

log = logging.getLogger(__name__)

PKI_DIR = "/var/lib/minicube/pki"


def read_credentials(provider: DockerProvider, node: Node) -> Credentials | None:
    """The CA and admin certificate from the node, or None while the control plane has not made them."""
    parts = [provider.read_file(node, f"{PKI_DIR}/{name}") for name in ("ca.crt", "admin.crt", "admin.key")]
    if not all(parts):
        return None
    ca, cert, key = parts
    assert ca and cert and key
    return Credentials(ca=ca, cert=cert, key=key)


class Endpoint:
    """A requests session holding the admin client certificate (files in a private temp dir)."""

    def __init__(self, server: str, creds: Credentials) -> None:
        self.server = server
        self._dir = Path(tempfile.mkdtemp(prefix="minicube-creds-"))
        for name, data in (("ca.crt", creds.ca), ("admin.crt", creds.cert), ("admin.key", creds.key)):
            (self._dir / name).write_bytes(data)
        self._session = requests.Session()
        # Our own CA and no proxy: REQUESTS_CA_BUNDLE or HTTPS_PROXY must not apply to 127.0.0.1.
        self._session.trust_env = False
        self.last_error = ""
        self._session.verify = str(self._dir / "ca.crt")
        self._session.cert = (str(self._dir / "admin.crt"), str(self._dir / "admin.key"))

    def __enter__(self) -> Endpoint:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self._session.close()
        shutil.rmtree(self._dir, ignore_errors=True)

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Any request; connection failures raise requests' exceptions."""
        kwargs.setdefault("timeout", 30)
        return self._session.request(method, self.server + path, **kwargs)

    def get_json(self, path: str, timeout: float = 3.0) -> tuple[int, Any]:
        """(status, body) of a GET; status 0 when the server did not answer."""
        try:
            response = self._session.get(self.server + path, timeout=timeout)
        except requests.RequestException as e:
            log.debug("GET %s: %s", path, e)
            self.last_error = str(e)
            return 0, None
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, response.text

    def ready(self) -> bool:
        status, body = self.get_json("/readyz")
        if status not in (0, 200):
            self.last_error = f"HTTP {status}: {str(body)[:200]}"
        return status == 200

    def node_ready(self, name: str, since: datetime | None = None) -> bool:
        """The Node is Ready, by a heartbeat at or after `since` (a stopped node's old Ready
        condition survives in the store until the kubelet writes a new one)."""
        status, node = self.get_json(f"/api/v1/nodes/{name}")
        if status != 200 or not isinstance(node, dict):
            return False
        for condition in node.get("status", {}).get("conditions") or []:
            if condition.get("type") == "Ready" and condition.get("status") == "True":
                beat = condition.get("lastHeartbeatTime")
                return since is None or not beat or datetime.fromisoformat(beat.replace("Z", "+00:00")) >= since
        return False
