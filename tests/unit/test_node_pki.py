from pathlib import Path

from cryptography import x509

from minicube.node import pki


def _sans(path: Path) -> set[str]:
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    return {str(n.value) for n in cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value}


def test_server_certificate_covers_loopback_and_node_ip(tmp_path: Path) -> None:
    pki.ensure(tmp_path, "node1", ["172.17.0.2"])
    assert {"127.0.0.1", "172.17.0.2", "10.96.0.1", "node1", "kubernetes.default.svc"} <= _sans(tmp_path / "server.crt")


def test_new_node_ip_renews_only_the_server_certificate(tmp_path: Path) -> None:
    pki.ensure(tmp_path, "node1", ["172.17.0.2"])
    ca, admin = (tmp_path / "ca.crt").read_bytes(), (tmp_path / "admin.crt").read_bytes()
    pki.ensure(tmp_path, "node1", ["172.17.0.3"])
    assert "172.17.0.3" in _sans(tmp_path / "server.crt")
    assert (tmp_path / "ca.crt").read_bytes() == ca and (tmp_path / "admin.crt").read_bytes() == admin


def test_admin_certificate_is_a_cluster_admin(tmp_path: Path) -> None:
    pki.ensure(tmp_path, "node1", [])
    subject = x509.load_pem_x509_certificate((tmp_path / "admin.crt").read_bytes()).subject.rfc4514_string()
    assert "CN=minicube-admin" in subject and "O=system:masters" in subject
    assert oct((tmp_path / "admin.key").stat().st_mode)[-3:] == "600"
