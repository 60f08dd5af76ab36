"""ServiceAccount admission, the part needing stored objects: a pod whose account allows it
gets upstream's `kube-api-access-*` projected volume (a bound token, the cluster CA from
kube-root-ca.crt, its namespace) mounted read-only in every container at the standard path, so
in-cluster clients find their credentials. (Defaulting the account name is on the Pod kind.)"""

from __future__ import annotations

import secrets
import string
from typing import Protocol

from minicube.api import errors
from minicube.api.registry import Kind, Obj

MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
TOKEN_SECONDS = 3607  # upstream's: an hour plus a few seconds, so a refresh is never late
_SUFFIX = string.ascii_lowercase + string.digits


class Getter(Protocol):
    def get(self, kind: Kind, namespace: str, name: str) -> Obj: ...


def _automount(objects: Getter, account_kind: Kind, namespace: str, spec: Obj) -> bool:
    if spec.get("automountServiceAccountToken") is not None:
        return bool(spec["automountServiceAccountToken"])
    try:
        account = objects.get(account_kind, namespace, spec.get("serviceAccountName") or "default")
    except errors.NotFound:
        return True  # the account may come later (its controller is racing the pod)
    return account.get("automountServiceAccountToken") is not False


def api_access_volume(name: str) -> Obj:
    return {"name": name, "projected": {"defaultMode": 0o644, "sources": [
        {"serviceAccountToken": {"expirationSeconds": TOKEN_SECONDS, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {
            "apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}]}}


def mount_api_access(objects: Getter, account_kind: Kind, pod: Obj) -> None:
    spec = pod.get("spec")
    if not isinstance(spec, dict):
        return
    namespace = (pod.get("metadata") or {}).get("namespace", "")
    if not _automount(objects, account_kind, namespace, spec):
        return
    containers = [c for group in ("initContainers", "containers", "ephemeralContainers")
                  for c in spec.get(group) or [] if isinstance(c, dict)]
    # a container already mounting something there keeps it (upstream skips it too)
    targets = [c for c in containers
               if not any(m.get("mountPath") == MOUNT_PATH for m in c.get("volumeMounts") or [])]
    if not targets:
        return
    name = "kube-api-access-" + "".join(secrets.choice(_SUFFIX) for _ in range(5))
    spec.setdefault("volumes", []).append(api_access_volume(name))
    for c in targets:
        c.setdefault("volumeMounts", []).append({"name": name, "mountPath": MOUNT_PATH, "readOnly": True})
