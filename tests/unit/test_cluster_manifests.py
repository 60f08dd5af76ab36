from __future__ import annotations

from pathlib import Path

import pytest

from minicube._errors import BadInput
from minicube.cluster import manifests

DEPLOY = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
SVC = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
NS = "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"
CM = '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}}'


def test_objects_come_out_in_dependency_order_stable_within_a_rank(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(SVC + "---\n" + DEPLOY)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.json").write_text(CM)
    (tmp_path / "sub" / "ns.yml").write_text(NS)
    (tmp_path / "notes.txt").write_text("not a manifest")
    kinds = [m.kind for m in manifests.read([str(tmp_path)])]
    assert kinds == ["Namespace", "ConfigMap", "Deployment", "Service"]


def test_list_kinds_are_flattened_and_sources_name_the_document() -> None:
    text = "apiVersion: v1\nkind: List\nitems:\n- " + CM + "\n---\n" + SVC
    found = manifests.parse(text, "x.yaml")
    assert [m.kind for m in found] == ["ConfigMap", "Service"]
    assert found[0].source == "x.yaml (document 1), items[0]" and found[1].source == "x.yaml (document 2)"


def test_unknown_kinds_go_after_configuration_and_before_workloads() -> None:
    crd_obj = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"
    found = manifests.in_apply_order(manifests.parse(DEPLOY + "---\n" + crd_obj + "---\n" + CM, "x"))
    assert [m.kind for m in found] == ["ConfigMap", "Widget", "Deployment"]


@pytest.mark.parametrize("text, message", [
    ("kind: [unclosed", "x.yaml: not valid YAML"),
    ("- 1\n- 2\n", "x.yaml: expected an object, found list"),
    ("kind: Pod\nmetadata: {name: p}\n", "x.yaml: apiVersion is required"),
    ("apiVersion: v1\nkind: Pod\nmetadata: {}\n", "x.yaml: metadata.name is required (Pod)"),
    (CM + "\n---\napiVersion: v1\nmetadata: {name: p}\n", "x.yaml (document 2): kind is required"),
])
def test_bad_input_names_the_file_document_and_field(text: str, message: str) -> None:
    with pytest.raises(BadInput) as e:
        manifests.parse(text, "x.yaml")
    assert e.value.message.startswith(message)


def test_missing_paths_and_empty_directories_are_bad_input(tmp_path: Path) -> None:
    with pytest.raises(BadInput, match="no such file or directory"):
        manifests.read([str(tmp_path / "nope.yaml")])
    with pytest.raises(BadInput, match="no .yaml, .yml, .json files"):
        manifests.read([str(tmp_path)])
