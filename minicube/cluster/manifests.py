"""Reading manifests for `minicube apply|delete -f`: files, directories and stdin, multi-document
YAML or JSON, `List` kinds; then putting them in the order a cluster can take them.

Everything is read and checked before anything is sent, so bad input changes nothing: each
error names the file, the document and the field.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from minicube._errors import BadInput

MANIFEST_SUFFIXES = (".yaml", ".yml", ".json")

# Apply order (upstream's tools and Helm use the same idea): what others refer to goes first.
_RANKS: dict[str, int] = {
    **dict.fromkeys(("Namespace", "CustomResourceDefinition"), 0),
    **dict.fromkeys(("StorageClass", "PriorityClass", "IngressClass", "ServiceAccount", "Role",
                     "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap", "Secret",
                     "LimitRange", "ResourceQuota", "PersistentVolume", "PersistentVolumeClaim"), 1),
    **dict.fromkeys(("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod",
                     "ReplicationController"), 3),
    **dict.fromkeys(("Service", "Endpoints", "EndpointSlice"), 4),
    **dict.fromkeys(("Ingress", "NetworkPolicy", "HorizontalPodAutoscaler",
                     "PodDisruptionBudget"), 5),
}
_OTHER_RANK = 2  # unknown kinds (custom resources): after their definitions, before workloads


@dataclass(frozen=True)
class Manifest:
    obj: dict[str, Any]
    source: str     # "app.yaml (document 2)", for messages

    @property
    def kind(self) -> str:
        return str(self.obj["kind"])

    @property
    def name(self) -> str:
        return str(self.obj["metadata"]["name"])

    @property
    def namespace(self) -> str | None:
        return self.obj["metadata"].get("namespace")

    def describe(self) -> str:
        ns = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {ns}{self.name}"


def read(paths: list[str], *, recursive: bool = True) -> list[Manifest]:
    """Every object under the given paths ("-" is stdin), in apply order."""
    out: list[Manifest] = []
    for path in paths:
        if path == "-":
            out += parse(sys.stdin.read(), "stdin")
            continue
        p = Path(path)
        if p.is_dir():
            files = sorted(f for f in (p.rglob("*") if recursive else p.iterdir())
                           if f.is_file() and f.suffix in MANIFEST_SUFFIXES)
            if not files:
                raise BadInput(f"{p}: no {', '.join(MANIFEST_SUFFIXES)} files in this directory")
            for f in files:
                out += parse(_text(f), str(f))
        elif p.is_file():
            out += parse(_text(p), str(p))
        else:
            raise BadInput(f"{p}: no such file or directory")
    if not out:
        raise BadInput("no objects to apply in " + ", ".join(paths))
    return in_apply_order(out)


def _text(path: Path) -> str:
    try:
        return path.read_text()
    except (OSError, UnicodeDecodeError) as e:
        raise BadInput(f"{path}: cannot be read: {e}") from None


def parse(text: str, source: str) -> list[Manifest]:
    """The objects in one file's text: YAML documents (JSON is YAML), `List`s flattened."""
    try:
        docs = list(yaml.safe_load_all(text))
    except yaml.YAMLError as e:
        raise BadInput(f"{source}: not valid YAML: {e}") from None
    out: list[Manifest] = []
    for number, doc in enumerate(docs, start=1):
        where = f"{source} (document {number})" if len(docs) > 1 else source
        if doc is None:
            continue  # an empty document, e.g. after a trailing ---
        if not isinstance(doc, dict):
            raise BadInput(f"{where}: expected an object, found {type(doc).__name__}")
        if doc.get("kind", "").endswith("List") and isinstance(doc.get("items"), list):
            for i, item in enumerate(doc["items"]):
                out.append(_checked(item, f"{where}, items[{i}]"))
        else:
            out.append(_checked(doc, where))
    return out


def _checked(obj: Any, where: str) -> Manifest:
    if not isinstance(obj, dict):
        raise BadInput(f"{where}: expected an object, found {type(obj).__name__}")
    for field in ("apiVersion", "kind"):
        if not isinstance(obj.get(field), str) or not obj[field]:
            raise BadInput(f"{where}: {field} is required")
    metadata = obj.get("metadata")
    if not isinstance(metadata, dict) or not isinstance(metadata.get("name"), str) or not metadata["name"]:
        raise BadInput(f"{where}: metadata.name is required ({obj['kind']})")
    return Manifest(obj, where)


def in_apply_order(manifests: list[Manifest]) -> list[Manifest]:
    """Stable: objects of one rank keep the order they were written in."""
    return sorted(manifests, key=lambda m: _RANKS.get(m.kind, _OTHER_RANK))
