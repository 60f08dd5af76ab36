from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest
import yaml

from minicube._errors import MinicubeError
from minicube.cluster import kubeconfig
from minicube.cluster.kubeconfig import Credentials

CREDS = Credentials(ca=b"CA PEM", cert=b"CERT PEM", key=b"KEY PEM")
OTHER = {"apiVersion": "v1", "kind": "Config", "current-context": "kind-x",
         "clusters": [{"name": "kind-x", "cluster": {"server": "https://127.0.0.1:1"}}],
         "users": [{"name": "kind-x", "user": {"token": "t"}}],
         "contexts": [{"name": "kind-x", "context": {"cluster": "kind-x", "user": "kind-x"}}]}


def test_merge_adds_cluster_user_and_context_named_after_the_profile() -> None:
    doc = kubeconfig.merge(kubeconfig.empty(), "dev", "https://127.0.0.1:5000", CREDS)
    assert doc["current-context"] == "dev"
    assert doc["contexts"] == [{"name": "dev", "context": {"cluster": "dev", "user": "dev"}}]
    assert base64.b64decode(doc["clusters"][0]["cluster"]["certificate-authority-data"]) == b"CA PEM"
    assert base64.b64decode(doc["users"][0]["user"]["client-key-data"]) == b"KEY PEM"


def test_merge_leaves_other_entries_untouched() -> None:
    doc = kubeconfig.merge(OTHER, "dev", "https://127.0.0.1:5000", CREDS)
    assert OTHER["clusters"][0] in doc["clusters"] and OTHER["users"][0] in doc["users"]
    assert OTHER["contexts"][0] in doc["contexts"]
    assert OTHER["current-context"] == "kind-x"  # the input is not modified


def test_merge_replaces_an_older_entry_of_the_same_profile() -> None:
    old = kubeconfig.merge(OTHER, "dev", "https://127.0.0.1:5000", CREDS)
    doc = kubeconfig.merge(old, "dev", "https://127.0.0.1:6000", CREDS)
    assert [c["name"] for c in doc["clusters"]] == ["kind-x", "dev"]
    assert kubeconfig.server_of(doc, "dev") == "https://127.0.0.1:6000"


def test_remove_takes_only_the_profile_and_clears_its_current_context() -> None:
    doc = kubeconfig.remove(kubeconfig.merge(OTHER, "dev", "https://127.0.0.1:5000", CREDS), "dev")
    assert doc["clusters"] == OTHER["clusters"] and doc["contexts"] == OTHER["contexts"]
    assert doc["current-context"] == ""


def test_remove_keeps_another_current_context() -> None:
    doc = kubeconfig.merge(OTHER, "dev", "https://127.0.0.1:5000", CREDS, make_current=False)
    assert kubeconfig.remove(doc, "dev")["current-context"] == "kind-x"


def test_server_of_needs_context_cluster_and_user() -> None:
    doc = kubeconfig.merge(kubeconfig.empty(), "dev", "https://127.0.0.1:5000", CREDS)
    doc["users"] = []
    assert kubeconfig.server_of(doc, "dev") is None
    assert kubeconfig.server_of(kubeconfig.empty(), "dev") is None


def test_update_writes_a_private_file_and_removes_its_lock(tmp_path: Path) -> None:
    path = tmp_path / "kube" / "config"
    kubeconfig.update(path, lambda doc: kubeconfig.merge(doc, "dev", "https://127.0.0.1:5000", CREDS))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert kubeconfig.server_of(yaml.safe_load(path.read_text()), "dev") == "https://127.0.0.1:5000"
    assert sorted(p.name for p in path.parent.iterdir()) == ["config"]


def test_removing_from_a_missing_file_creates_nothing(tmp_path: Path) -> None:
    kubeconfig.update(tmp_path / "config", lambda doc: kubeconfig.remove(doc, "dev"))
    assert not (tmp_path / "config").exists()


def test_a_held_lock_times_out_with_a_hint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(kubeconfig, "_LOCK_WAIT_SECONDS", 0.1)
    (tmp_path / "config.lock").touch()
    with pytest.raises(MinicubeError) as e:
        kubeconfig.update(tmp_path / "config", lambda doc: doc)
    assert "config.lock" in (e.value.hint or "")


def test_invalid_yaml_is_reported_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "config"
    path.write_text("clusters: [unclosed\n")
    with pytest.raises(MinicubeError, match="not valid YAML"):
        kubeconfig.update(path, lambda doc: kubeconfig.remove(doc, "dev"))
    assert path.read_text() == "clusters: [unclosed\n"
