"""`minicube logs --bundle FILE.tar.gz`: everything needed to debug a red CI run, in one file.

The bundle holds the node's own logs (control plane, inner engine, entrypoint), the node
container's inspect, `status`, versions, every object of every listable kind as YAML (found
through discovery, so kinds added later are included), and the current and previous logs of
every pod container (read from the inner engine, which keeps exited containers). Secret
values are replaced by `REDACTED` unless asked for. A part that cannot be read is recorded in
`errors.txt` instead: a bundle of a broken cluster is when it matters most.
"""

from __future__ import annotations

import io
import json
import tarfile
import time
from dataclasses import asdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import yaml

from minicube import __version__
from minicube.cluster import status
from minicube.cluster.endpoint import Endpoint, read_credentials
from minicube.cluster.nodes import CONTROL_PLANE_LOG
from minicube.cluster.progress import Reporter
from minicube.cluster.provider import DockerProvider, Node

NODE_LOGS = {"control-plane.log": CONTROL_PLANE_LOG,
             "dockerd.log": "/var/log/minicube/dockerd.log"}
REDACTED = "REDACTED"
# Inner containers carry the pod's identity as labels (see the kubelet's naming).
_POD_CONTAINERS = ("docker ps -a --filter label=io.kubernetes.pod.name --format "
                   "'{{.ID}}\t{{.Label \"io.kubernetes.pod.namespace\"}}\t{{.Label \"io.kubernetes.pod.name\"}}"
                   "\t{{.Label \"io.kubernetes.container.name\"}}\t{{.Names}}'")


class Bundle:
    """A tar.gz written entry by entry; failures to collect a part become errors.txt lines."""

    def __init__(self, path: Path, root: str) -> None:
        self._tar = tarfile.open(path, "w:gz")
        self._root = root
        self.errors: list[str] = []

    def add(self, name: str, data: bytes | str) -> None:
        raw = data.encode() if isinstance(data, str) else data
        info = tarfile.TarInfo(f"{self._root}/{name}")
        info.size, info.mtime, info.mode = len(raw), int(time.time()), 0o600
        self._tar.addfile(info, io.BytesIO(raw))

    def collect(self, what: str, part: Callable[[], None]) -> None:
        try:
            part()
        except Exception as e:  # one unreadable part must not cost the rest of the bundle
            self.errors.append(f"{what}: {e}")

    def close(self) -> None:
        if self.errors:
            self.add("errors.txt", "\n".join(self.errors) + "\n")
        self._tar.close()


def write(provider: DockerProvider, node: Node, path: Path, kubeconfig_path: Path, reporter: Reporter,
          *, include_secrets: bool = False) -> list[str]:
    """Write the bundle; returns what could not be collected."""
    bundle = Bundle(path, f"minicube-{node.profile}-{time.strftime('%Y%m%d-%H%M%S')}")
    try:
        with reporter.step("Collecting the node's logs and state"):
            for name, source in NODE_LOGS.items():
                bundle.collect(name, lambda n=name, s=source: bundle.add(f"node/{n}", _read(provider, node, s)))
            bundle.collect("inspect", lambda: bundle.add(
                "node/inspect.json", json.dumps(provider.inspect(node), indent=2, default=str)))
            bundle.collect("status", lambda: bundle.add("status.json", json.dumps(
                status.collect(provider, node.profile, kubeconfig_path).as_dict(), indent=2)))
        with reporter.step("Collecting every object through the API"):
            bundle.collect("objects", lambda: _objects(bundle, provider, node, include_secrets, reporter))
        with reporter.step("Collecting pod container logs"):
            bundle.collect("container logs", lambda: _container_logs(bundle, provider, node))
    finally:
        bundle.close()
    return bundle.errors


def _read(provider: DockerProvider, node: Node, path: str) -> bytes:
    data = provider.read_file(node, path)
    if data is None:
        raise FileNotFoundError(f"{path} is not readable in the node")
    return data


def _objects(bundle: Bundle, provider: DockerProvider, node: Node, include_secrets: bool,
             reporter: Reporter) -> None:
    creds = read_credentials(provider, node)
    if creds is None:
        raise RuntimeError("the node's admin credentials are not readable")
    with Endpoint(node.config.server, creds) as api:
        _, version = api.get_json("/version")
        inner = provider.exec(node, ["docker", "version", "--format", "{{.Server.Version}}"])
        bundle.add("versions.json", json.dumps({
            "minicube": __version__, "kubernetes": version, "host engine": asdict(provider.info()),
            "node engine": inner.stdout.decode().strip()}, indent=2))
        for group_version, plural in _listable(api):
            reporter.detail(f"{plural} ({group_version})")
            code, body = api.get_json(f"/{'api' if '/' not in group_version else 'apis'}/{group_version}/{plural}",
                                      timeout=30)
            if code != 200 or not isinstance(body, dict):
                bundle.errors.append(f"list {plural}.{group_version}: HTTP {code}")
                continue
            items = body.get("items") or []
            if plural == "secrets" and not include_secrets:
                items = [_redact(s) for s in items]
            if plural == "events":
                bundle.add("events.txt", _event_lines(items))
            bundle.add(f"objects/{group_version.replace('/', '_')}/{plural}.yaml",
                       yaml.safe_dump_all(items, sort_keys=False))


def _listable(api: Endpoint) -> Iterator[tuple[str, str]]:
    """(group/version, plural) of every top-level resource that can be listed."""
    versions = ["v1"]
    _, groups = api.get_json("/apis")
    for group in (groups or {}).get("groups", []):
        versions.append(group["preferredVersion"]["groupVersion"])
    for gv in versions:
        _, resources = api.get_json(f"/api/{gv}" if gv == "v1" else f"/apis/{gv}")
        for r in (resources or {}).get("resources", []):
            if "/" not in r["name"] and "list" in r.get("verbs", []):
                yield gv, r["name"]


def _redact(secret: dict[str, Any]) -> dict[str, Any]:
    out = dict(secret)
    for field in ("data", "stringData"):
        if out.get(field):
            out[field] = {k: REDACTED for k in out[field]}
    annotations = (out.get("metadata") or {}).get("annotations") or {}
    if "kubectl.kubernetes.io/last-applied-configuration" in annotations:
        out["metadata"] = {**out["metadata"], "annotations": {
            **annotations, "kubectl.kubernetes.io/last-applied-configuration": REDACTED}}
    return out


def _event_lines(events: list[dict[str, Any]]) -> str:
    def when(e: dict[str, Any]) -> str:
        return str(e.get("lastTimestamp") or e.get("eventTime") or e["metadata"].get("creationTimestamp") or "")
    rows = []
    for e in sorted(events, key=when):
        obj = e.get("involvedObject") or {}
        rows.append(f"{when(e)}  {e.get('type', '')}  {obj.get('kind', '')}/{obj.get('namespace', '')}/"
                    f"{obj.get('name', '')}  {e.get('reason', '')}: {e.get('message', '')}")
    return "\n".join(rows) + "\n"


def _container_logs(bundle: Bundle, provider: DockerProvider, node: Node) -> None:
    listing = provider.exec(node, ["sh", "-c", _POD_CONTAINERS])
    if not listing.ok:
        raise RuntimeError(listing.stderr.decode(errors="replace").strip())
    for line in listing.stdout.decode().splitlines():
        cid, namespace, pod, container, name = (line.split("\t") + [""] * 5)[:5]
        logs = provider.exec(node, ["docker", "logs", "--timestamps", cid])
        # the inner container's name ends in its attempt number: current and previous runs
        bundle.add(f"logs/{namespace}/{pod}/{container}/{name}.log", logs.stdout + logs.stderr)
