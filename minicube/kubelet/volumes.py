"""A pod's volumes as directories on the node, ready to bind-mount into its containers.

Every volume lives under `<root>/pods/<uid>/volumes/kubernetes.io~<plugin>/<name>` (upstream's
layout), on the node's state volume: it survives `minicube stop/start` as long as the pod
exists, and goes with the pod. emptyDir with `medium: Memory`, secret and projected volumes
are tmpfs mounted there (the inner engine shares the node's mount namespace, so the bind sees
it). configMap, secret, downwardAPI and projected volumes are rewritten by the atomic writer
on every sync, so their updates reach running containers; hostPath and persistentVolumeClaim
name node paths.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from minicube.api import quantity
from minicube.api.errors import NotFound
from minicube.client import Client, EventRecorder, Informer
from minicube.kubelet import atomic_writer
from minicube.kubelet.atomic_writer import Payload
from minicube.kubelet.sa_tokens import PodTokens, TokenManager
from minicube.kubelet.projection import (DEFAULT_MODE, Objects, ProjectionError,
                                         downward_payload, keys_payload, projected_payload,
                                         volume_references)

log = logging.getLogger(__name__)

Obj = dict[str, Any]

PLUGINS = {"emptyDir": "empty-dir", "configMap": "configmap", "secret": "secret",
           "downwardAPI": "downward-api", "projected": "projected"}
_PROJECTED = ("configMap", "secret", "downwardAPI", "projected")


class VolumeError(Exception):
    """A volume cannot be set up yet; message reads like upstream's FailedMount event."""

    def __init__(self, volume: str, message: str) -> None:
        super().__init__(f'MountVolume.SetUp failed for volume "{volume}" : {message}')
        self.volume = volume


@dataclass(frozen=True)
class Mounted:
    path: str               # on the node
    read_only: bool = False  # the volume itself is read-only (projections, readOnly claims)
    writable_subpaths: bool = False   # subPaths may be created in it (emptyDir, hostPath)


def check_host_path(path: str, type_: str) -> None:
    """hostPath's `type` check, creating what *OrCreate asks for; raises ValueError."""
    p = Path(path)
    if type_ == "DirectoryOrCreate" and not p.exists():
        p.mkdir(mode=0o755, parents=True)
    elif type_ == "FileOrCreate" and not p.exists():
        p.touch(mode=0o644)
    checks: dict[str, tuple[Callable[[int], bool], str]] = {
        "Directory": (stat.S_ISDIR, "directory"), "DirectoryOrCreate": (stat.S_ISDIR, "directory"),
        "File": (stat.S_ISREG, "file"), "FileOrCreate": (stat.S_ISREG, "file"),
        "Socket": (stat.S_ISSOCK, "socket"), "CharDevice": (stat.S_ISCHR, "character device"),
        "BlockDevice": (stat.S_ISBLK, "block device")}
    if not type_:
        return
    if type_ not in checks:
        raise ValueError(f"hostPath type check failed: unknown type {type_}")
    test, what = checks[type_]
    try:
        mode = p.stat().st_mode
    except FileNotFoundError:
        raise ValueError(f"hostPath type check failed: {path} is not a {what}") from None
    if not test(mode):
        raise ValueError(f"hostPath type check failed: {path} is not a {what}")


def tmpfs_size(source: Obj, allocatable: Mapping[str, str]) -> int:
    """A memory emptyDir's size: its sizeLimit, else the node's allocatable memory."""
    limit = source.get("sizeLimit") or allocatable.get("memory")
    return quantity.value(limit) if limit else 0


class VolumeManager:
    def __init__(self, root: Path, client: Client, recorder: EventRecorder, *, node_name: str,
                 allocatable: Callable[[], Mapping[str, str]], tmpfs: bool = True,
                 caches: Sequence[Informer] = ()) -> None:
        """tmpfs: mount memory-backed volumes (off in tests that run without the node);
        caches: informers (ConfigMaps, Secrets) read instead of the API once synced, as
        upstream's watch-based ConfigMap/Secret managers (every sync refreshes volumes)."""
        self.root = root
        self.tmpfs = tmpfs
        self.caches = {informer.plural: informer for informer in caches}
        self.client = client
        self.recorder = recorder
        self.node_name = node_name
        self.allocatable = allocatable
        self._reported: set[tuple[str, str]] = set()   # (uid, volume) skipped sources told
        self.tokens = TokenManager(client)

    def pod_dir(self, uid: str) -> Path:
        return self.root / "pods" / uid

    def pod_uids(self) -> set[str]:
        """The pods that have a directory here (to clean up after pods deleted meanwhile)."""
        try:
            return {d.name for d in (self.root / "pods").iterdir() if d.is_dir()}
        except FileNotFoundError:
            return set()

    def _dir(self, uid: str, plugin: str, name: str) -> Path:
        return self.pod_dir(uid) / "volumes" / f"kubernetes.io~{PLUGINS[plugin]}" / name

    async def setup(self, pod: Obj) -> tuple[dict[str, Mounted], list[VolumeError]]:
        """Every volume of the pod, set up or refreshed, and why some could not be (a
        missing ConfigMap, an unbound claim, a failed type check). A projection that cannot
        be refreshed keeps its last files, as upstream: it stays in the result."""
        spec = pod.get("spec") or {}
        volumes = spec.get("volumes") or []
        ns = pod["metadata"].get("namespace", "default")
        refs = sorted(volume_references(volumes))
        found = await asyncio.gather(*(self._get(p, n, ns) for p, n in refs))
        objects: Objects = dict(zip(refs, found))
        tokens = await self.tokens.tokens(pod)
        fs_group = (spec.get("securityContext") or {}).get("fsGroup")
        out: dict[str, Mounted] = {}
        errors: list[VolumeError] = []
        for v in volumes:
            try:
                out[v["name"]] = await self._setup_one(pod, v, objects, fs_group, tokens)
            except (ProjectionError, ValueError, OSError) as e:
                errors.append(VolumeError(v["name"], str(e)))
                plugin = next((p for p in _PROJECTED if p in v), None)
                target = self._dir(pod["metadata"]["uid"], plugin, v["name"]) if plugin else None
                if target is not None and (target / atomic_writer.DATA).is_symlink():
                    out[v["name"]] = Mounted(str(target), read_only=True)
        return out, errors

    async def _setup_one(self, pod: Obj, v: Obj, objects: Objects, fs_group: int | None,
                         tokens: PodTokens) -> Mounted:
        uid, name = pod["metadata"]["uid"], v["name"]
        if "hostPath" in v:
            source = v["hostPath"] or {}
            await asyncio.to_thread(check_host_path, source.get("path", ""),
                                    source.get("type") or "")
            return Mounted(source.get("path", ""), writable_subpaths=True)
        if "persistentVolumeClaim" in v:
            claim = v["persistentVolumeClaim"] or {}
            path = await self._claim_path(pod, claim.get("claimName", ""))
            return Mounted(path, read_only=bool(claim.get("readOnly")), writable_subpaths=True)
        if "emptyDir" in v:
            target = self._dir(uid, "emptyDir", name)
            await self._empty_dir(target, v["emptyDir"] or {}, fs_group)
            return Mounted(str(target), writable_subpaths=True)
        plugin = next((p for p in _PROJECTED if p in v), None)
        if plugin is None:
            source = next((k for k in v if k != "name"), "unknown")
            raise ValueError(f"volume source {source} is not supported by this kubelet")
        payload = self._payload(pod, v, plugin, objects, fs_group, tokens)
        target = self._dir(uid, plugin, name)
        if plugin in ("secret", "projected"):   # as upstream: secrets never touch the disk
            await self._tmpfs(target, 0)
        if await asyncio.to_thread(atomic_writer.write, target, payload):
            log.info("pod %s/%s: volume %s written (%d files)", pod["metadata"].get("namespace"),
                     pod["metadata"]["name"], name, len(payload))
        return Mounted(str(target), read_only=True)

    def _payload(self, pod: Obj, v: Obj, plugin: str, objects: Objects,
                 fs_group: int | None, tokens: PodTokens) -> Payload:
        source = v[plugin] or {}
        mode = source.get("defaultMode", DEFAULT_MODE)
        if plugin in ("configMap", "secret"):
            plural = "configmaps" if plugin == "configMap" else "secrets"
            ref = source.get("name" if plugin == "configMap" else "secretName", "")
            return keys_payload(plural, ref, objects.get((plural, ref)), source.get("items"),
                                mode, bool(source.get("optional")), fs_group)
        if plugin == "downwardAPI":
            return downward_payload(pod, source.get("items") or [], mode, fs_group,
                                    node_name=self.node_name, allocatable=self.allocatable())

        def skipped(kind: str) -> None:
            key = (pod["metadata"]["uid"], f"{v['name']}/{kind}")
            if key not in self._reported:
                self._reported.add(key)
                self.recorder.event(pod, "Warning", "FailedMount",
                                    f'projected volume "{v["name"]}": source {kind} is not '
                                    "supported by this kubelet; left out of the volume")
        return projected_payload(pod, source, objects, fs_group, node_name=self.node_name,
                                 allocatable=self.allocatable(), skipped=skipped,
                                 tokens=tokens[0], token_errors=tokens[1])

    async def _empty_dir(self, target: Path, source: Obj, fs_group: int | None) -> None:
        if source.get("medium") == "Memory":
            await self._tmpfs(target, tmpfs_size(source, self.allocatable()))
        elif not target.exists():
            await asyncio.to_thread(target.mkdir, parents=True)
        # World-writable as upstream makes it; with an fsGroup, owned by that group (setgid).
        os.chmod(target, 0o2777 if fs_group is not None else 0o777)
        if fs_group is not None:
            os.chown(target, -1, fs_group)

    async def _tmpfs(self, target: Path, size: int) -> None:
        """A tmpfs at target (size 0: the kernel's default, half the memory), once."""
        if not target.exists():
            await asyncio.to_thread(target.mkdir, parents=True)
        if self.tmpfs and not os.path.ismount(target):
            options = f"size={size}" if size else "size=50%"
            await _run("mount", "-t", "tmpfs", "-o", options, "tmpfs", str(target))

    async def _claim_path(self, pod: Obj, claim: str) -> str:
        ns = pod["metadata"].get("namespace", "default")
        pvc = await self._get("persistentvolumeclaims", claim, ns)
        if pvc is None:
            raise ValueError(f'persistentvolumeclaim "{claim}" not found')
        phase = (pvc.get("status") or {}).get("phase", "")
        volume_name = (pvc.get("spec") or {}).get("volumeName", "")
        if phase != "Bound" or not volume_name:
            raise ValueError(f"PVC {ns}/{claim} has non-bound phase ({phase!r}) or empty "
                             f"pvc.Spec.VolumeName ({volume_name!r})")
        pv = await self._get("persistentvolumes", volume_name, None)
        if pv is None:
            raise ValueError(f'persistentvolume "{volume_name}" not found')
        spec = pv.get("spec") or {}
        path = (spec.get("hostPath") or {}).get("path") or (spec.get("local") or {}).get("path")
        if not path:
            raise ValueError(f"persistentvolume {volume_name} has no hostPath or local path "
                             "this node can mount")
        await asyncio.to_thread(os.makedirs, path, exist_ok=True)
        return str(path)

    async def _get(self, plural: str, name: str, namespace: str | None) -> Obj | None:
        cache = self.caches.get(plural)
        if cache is not None and cache.has_synced:
            return cache.get_by_name(name, namespace)
        try:
            return await self.client.get("v1", plural, name, namespace=namespace)
        except NotFound:
            return None

    async def over_limit(self, pod: Obj) -> str:
        """Why the pod must be evicted for a disk emptyDir over its sizeLimit ("" if none)."""
        for v in _size_limited(pod):
            source = v["emptyDir"]
            target = self._dir(pod["metadata"]["uid"], "emptyDir", v["name"])
            used = await asyncio.to_thread(disk_usage, target)
            if used > quantity.value(source["sizeLimit"]):
                return (f'Usage of EmptyDir volume "{v["name"]}" exceeds the limit '
                        f'"{source["sizeLimit"]}". ')
        return ""

    async def teardown(self, uid: str) -> None:
        """Unmount and remove everything of a pod that is gone."""
        root = self.pod_dir(uid)
        if not root.exists():
            return
        for mount in sorted(_mounts_under(root), reverse=True):
            await _run("umount", "-l", mount)
        await asyncio.to_thread(shutil.rmtree, root, True)
        for key in [k for k in self._reported if k[0] == uid]:
            self._reported.discard(key)
        self.tokens.forget(uid)
        log.info("removed the volumes of pod %s", uid)


def _size_limited(pod: Obj) -> list[Obj]:
    """The pod's disk emptyDirs with a sizeLimit; memory ones are tmpfs of that size, so
    the kernel enforces them."""
    return [v for v in (pod.get("spec") or {}).get("volumes") or []
            if (v.get("emptyDir") or {}).get("sizeLimit") and v["emptyDir"].get("medium") != "Memory"]


def size_limited(pod: Obj) -> bool:
    """The pod has a disk emptyDir whose use the kubelet must watch."""
    return bool(_size_limited(pod))


def disk_usage(root: Path) -> int:
    """Bytes of the regular files under root (links not followed), as `du` counts them."""
    total = 0
    for dirpath, _dirs, names in os.walk(root):
        for name in names:
            try:
                st = os.lstat(os.path.join(dirpath, name))
            except FileNotFoundError:
                continue
            if stat.S_ISREG(st.st_mode):
                total += st.st_blocks * 512
    return total


def _mounts_under(root: Path, mountinfo: Path = Path("/proc/self/mountinfo")) -> list[str]:
    prefix = str(root) + "/"
    try:
        lines = mountinfo.read_text().splitlines()
    except OSError:
        return []
    return [f.split()[4] for f in lines if len(f.split()) > 4 and f.split()[4].startswith(prefix)]


async def _run(*argv: str) -> None:
    proc = await asyncio.create_subprocess_exec(*argv, stdout=asyncio.subprocess.PIPE,
                                                stderr=asyncio.subprocess.STDOUT)
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise OSError(f"{' '.join(argv)} failed: {out.decode(errors='replace').strip()}")
