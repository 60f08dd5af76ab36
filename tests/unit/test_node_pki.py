from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

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


def test_server_key_is_rsa_2048_signed_by_the_ca(tmp_path: Path) -> None:
    pki.ensure(tmp_path, "node1", [])
    cert = x509.load_pem_x509_certificate((tmp_path / "server.crt").read_bytes())
    key = cert.public_key()
    assert isinstance(key, rsa.RSAPublicKey) and key.key_size == 2048
    ca = x509.load_pem_x509_certificate((tmp_path / "ca.crt").read_bytes())
    cert.verify_directly_issued_by(ca)
    server_key = serialization.load_pem_private_key((tmp_path / "server.key").read_bytes(), None)
    assert isinstance(server_key, rsa.RSAPrivateKey)
    assert server_key.public_key().public_numbers() == key.public_numbers()


def test_an_older_ecdsa_server_certificate_is_reissued_as_rsa(tmp_path: Path) -> None:
    pki.ensure(tmp_path, "node1", ["172.17.0.2"])
    ca = (tmp_path / "ca.crt").read_bytes()
    ec_key = ec.generate_private_key(ec.SECP256R1())
    ca_key = serialization.load_pem_private_key((tmp_path / "ca.key").read_bytes(), None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    old = pki._sign(pki._name("minicube-apiserver"), ec_key, x509.load_pem_x509_certificate(ca).subject,
                    ca_key, sans=pki._server_sans("node1", ["172.17.0.2"]))
    (tmp_path / "server.crt").write_bytes(old.public_bytes(serialization.Encoding.PEM))
    pki.ensure(tmp_path, "node1", ["172.17.0.2"])
    cert = x509.load_pem_x509_certificate((tmp_path / "server.crt").read_bytes())
    assert isinstance(cert.public_key(), rsa.RSAPublicKey) and (tmp_path / "ca.crt").read_bytes() == ca
