from __future__ import annotations

from minicube.cluster.config import ClusterConfig
from minicube.cluster.runargs import describe, node_run_kwargs

CFG = ClusterConfig(profile="dev", cpus=1.5, memory=2 * 1024**3, api_port=40123)


def test_node_gets_every_capability_but_sys_resource_and_is_not_privileged() -> None:
    kwargs = node_run_kwargs(CFG, "minicube/node:x", cgroup_v2=False)
    assert kwargs["cap_add"] == ["ALL"] and kwargs["cap_drop"] == ["SYS_RESOURCE"]
    assert "privileged" not in kwargs


def test_state_lives_on_the_profiles_named_volumes() -> None:
    volumes = node_run_kwargs(CFG, "minicube/node:x", cgroup_v2=False)["volumes"]
    assert volumes["minicube-dev-docker"]["bind"] == "/var/lib/docker"
    assert volumes["minicube-dev-state"]["bind"] == "/var/lib/minicube"


def test_api_is_published_on_loopback_only_and_limits_follow_the_config() -> None:
    kwargs = node_run_kwargs(CFG, "minicube/node:x", cgroup_v2=False)
    assert kwargs["ports"] == {"8443/tcp": ("127.0.0.1", 40123)}
    assert kwargs["nano_cpus"] == 1_500_000_000 and kwargs["mem_limit"] == 2 * 1024**3
    assert kwargs["hostname"] == "dev" and kwargs["restart_policy"] == {"Name": "no"}


def test_labels_carry_identity_and_config() -> None:
    labels = node_run_kwargs(CFG, "minicube/node:x", cgroup_v2=False)["labels"]
    assert labels["io.minicube.cluster"] == "dev" and labels["io.minicube.role"] == "node"
    assert ClusterConfig.from_label(labels["io.minicube.config"]) == CFG


def test_cgroup_v2_gets_a_private_cgroup_namespace() -> None:
    assert "cgroupns" not in node_run_kwargs(CFG, "i", cgroup_v2=False)
    assert node_run_kwargs(CFG, "i", cgroup_v2=True)["cgroupns"] == "private"


def test_describe_shows_the_flags_an_engine_may_refuse() -> None:
    text = describe(node_run_kwargs(CFG, "i", cgroup_v2=False))
    assert "--cap-drop SYS_RESOURCE" in text and "--security-opt seccomp=unconfined" in text
    assert "--device-cgroup-rule 'a *:* rwm'" in text and "/sys/fs/cgroup:/sys/fs/cgroup:rw" in text
    assert "-p 127.0.0.1:40123:8443/tcp" in text and "--cpus 1.5" in text


def test_ingress_ports_are_published_on_loopback_only_when_asked() -> None:
    cfg = ClusterConfig(profile="dev", cpus=1.5, memory=2 * 1024**3, api_port=40123, ingress_ports=True)
    assert node_run_kwargs(cfg, "i", cgroup_v2=False)["ports"] == {
        "8443/tcp": ("127.0.0.1", 40123), "80/tcp": ("127.0.0.1", 80), "443/tcp": ("127.0.0.1", 443)}
    # A label written before the option existed still reads back (without the ports).
    old = '{"api_port": 40123, "cpus": 1.5, "memory": 2147483648, "profile": "dev"}'
    assert ClusterConfig.from_label(old) == CFG
