"""Volume set-up on the node: host path checks, emptyDir, projections refreshed, claims."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import pytest

from minicube.client import EventRecorder
from minicube.kubelet.mounts import binds
from minicube.kubelet.volumes import Mounted, VolumeError, VolumeManager, check_host_path
from tests.unit.kubelet_fixtures import FakeClient, make_pod


def test_host_path_types_are_checked_and_created(tmp_path: Path) -> None:
    check_host_path(str(tmp_path / "new" / "dir"), "DirectoryOrCreate")
    assert (tmp_path / "new" / "dir").is_dir()
    check_host_path(str(tmp_path / "f"), "FileOrCreate")
    assert (tmp_path / "f").is_file()
    with pytest.raises(ValueError, match="is not a directory"):
        check_host_path(str(tmp_path / "f"), "Directory")
    with pytest.raises(ValueError, match="is not a file"):
        check_host_path(str(tmp_path / "missing"), "File")
    check_host_path(str(tmp_path / "missing"), "")   # no type: no check


def setup_all(tmp_path: Path, volumes: list[dict[str, Any]], objects: dict[Any, Any],
              **spec: Any) -> tuple[dict[str, Mounted], list[VolumeError]]:
    async def main() -> tuple[dict[str, Mounted], list[VolumeError]]:
        client = FakeClient(objects)
        recorder = EventRecorder(client, "kubelet")  # type: ignore[arg-type]
        manager = VolumeManager(tmp_path, client, recorder,  # type: ignore[arg-type]
                                node_name="n", allocatable=dict, tmpfs=False)
        try:
            return await manager.setup(make_pod(volumes=volumes, **spec))
        finally:
            await recorder.close()
    return asyncio.run(main())


def setup(tmp_path: Path, volumes: list[dict[str, Any]], objects: dict[Any, Any],
          **spec: Any) -> dict[str, Mounted]:
    mounted, errors = setup_all(tmp_path, volumes, objects, **spec)
    if errors:
        raise errors[0]
    return mounted


def test_a_configmap_volume_is_written_and_follows_updates(tmp_path: Path) -> None:
    vol = [{"name": "cfg", "configMap": {"name": "cm", "defaultMode": 0o644}}]
    cm = {"data": {"a": "1"}}
    m = setup(tmp_path, vol, {("configmaps", "cm"): cm})["cfg"]
    assert m.read_only and m.path.endswith("/pods/u1/volumes/kubernetes.io~configmap/cfg")
    assert Path(m.path, "a").read_text() == "1"
    cm["data"] = {"a": "2", "b": "3"}
    setup(tmp_path, vol, {("configmaps", "cm"): cm})
    assert sorted(os.listdir(m.path)) == sorted(["..data", os.readlink(Path(m.path, "..data")),
                                                 "a", "b"])
    assert Path(m.path, "a").read_text() == "2"


def test_a_missing_configmap_names_the_volume_and_the_map(tmp_path: Path) -> None:
    with pytest.raises(VolumeError, match='volume "cfg" : configmap "cm" not found'):
        setup(tmp_path, [{"name": "cfg", "configMap": {"name": "cm"}}], {})


def test_a_projection_that_cannot_be_refreshed_keeps_its_last_files(tmp_path: Path) -> None:
    vol = [{"name": "cfg", "configMap": {"name": "cm"}}]
    path = setup(tmp_path, vol, {("configmaps", "cm"): {"data": {"a": "1"}}})["cfg"].path

    mounted, errors = setup_all(tmp_path, vol, {})   # the ConfigMap is gone
    assert mounted["cfg"].path == path and Path(path, "a").read_text() == "1"
    assert [e.volume for e in errors] == ["cfg"]


def test_an_empty_dir_is_world_writable_or_owned_by_the_fs_group(tmp_path: Path) -> None:
    m = setup(tmp_path, [{"name": "scratch", "emptyDir": {}}], {})["scratch"]
    assert os.stat(m.path).st_mode & 0o7777 == 0o777 and m.writable_subpaths
    m = setup(tmp_path, [{"name": "g", "emptyDir": {}}], {},
              securityContext={"fsGroup": os.getgid()})["g"]
    assert os.stat(m.path).st_mode & 0o7777 == 0o2777


def test_a_claim_mounts_its_bound_volumes_host_path(tmp_path: Path) -> None:
    vol = [{"name": "data", "persistentVolumeClaim": {"claimName": "c"}}]
    pending = {("persistentvolumeclaims", "c"): {"spec": {}, "status": {"phase": "Pending"}}}
    with pytest.raises(VolumeError, match="non-bound phase"):
        setup(tmp_path, vol, pending)
    bound = {("persistentvolumeclaims", "c"): {"spec": {"volumeName": "pv1"},
                                               "status": {"phase": "Bound"}},
             ("persistentvolumes", "pv1"): {"spec": {"hostPath": {"path": str(tmp_path / "pv")}}}}
    assert setup(tmp_path, vol, bound)["data"].path == str(tmp_path / "pv")


def test_mounts_bind_sub_paths_read_only_where_asked() -> None:
    vols = {"cfg": Mounted("/v/cfg", read_only=True), "data": Mounted("/v/data",
                                                                      writable_subpaths=True)}
    c = {"volumeMounts": [{"name": "cfg", "mountPath": "/etc/app.conf", "subPath": "app.conf"},
                          {"name": "data", "mountPath": "/d", "subPathExpr": "$(POD)"},
                          {"name": "data", "mountPath": "/ro", "readOnly": True}]}
    assert [b.engine() for b in binds(c, vols, {"POD": "web-0"})] == [
        "/v/cfg/app.conf:/etc/app.conf:ro", "/v/data/web-0:/d:rw", "/v/data:/ro:ro"]
    with pytest.raises(ValueError, match="invalid subPath"):
        binds({"volumeMounts": [{"name": "data", "mountPath": "/x", "subPath": "../etc"}]},
              vols, {})
