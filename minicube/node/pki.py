"""The cluster's certificates, made at the node's first boot and kept on the state volume.

A CA, a server certificate for every address the API is reached at, and an admin client
certificate (O=system:masters) that `minicube start` copies into the user's kubeconfig.
The server certificate is renewed whenever the node's addresses change (a restart may give
the node container a new IP); the CA and the admin certificate stay.

The server key is RSA 2048 (as kubeadm's): every TLS client in a pod's image can use it, also
small stacks without ECDSA. The CA and client keys are ECDSA P-256.
"""

from __future__ import annotations

import datetime
import ipaddress
import logging
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

log = logging.getLogger(__name__)

ADMIN_USER = "minicube-admin"
ADMIN_GROUP = "system:masters"
_VALID_DAYS = 3650
# The in-cluster Service address of the API and the names pods use for it.
_SERVICE_IP = "10.96.0.1"
_SERVICE_NAMES = ("kubernetes", "kubernetes.default", "kubernetes.default.svc",
                  "kubernetes.default.svc.cluster.local", "localhost")


def _name(common_name: str, organization: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization:
        attrs.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    return x509.Name(attrs)


PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def _write_key(path: Path, key: PrivateKey) -> None:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    path.chmod(0o600)


def _sign(subject: x509.Name, key: PrivateKey, issuer: x509.Name,
          issuer_key: ec.EllipticCurvePrivateKey, *, ca: bool = False,
          usage: list[x509.ObjectIdentifier] | None = None,
          sans: list[x509.GeneralName] | None = None) -> x509.Certificate:
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(days=_VALID_DAYS))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        builder = builder.add_extension(x509.KeyUsage(
            digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
            key_encipherment=False, data_encipherment=False, key_agreement=False,
            encipher_only=False, decipher_only=False), critical=True)
    if usage:
        builder = builder.add_extension(x509.ExtendedKeyUsage(usage), critical=False)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _write_cert(path: Path, cert: x509.Certificate) -> None:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def _server_sans(node_name: str, node_ips: list[str]) -> list[x509.GeneralName]:
    ips = dict.fromkeys(["127.0.0.1", _SERVICE_IP, *node_ips])
    names = dict.fromkeys([node_name, *_SERVICE_NAMES])
    return ([x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips] +
            [x509.DNSName(n) for n in names])


def _current_sans(path: Path) -> set[str]:
    """The addresses an RSA server certificate covers; empty (so: renew it) for none or an
    older ECDSA one."""
    if not path.exists():
        return set()
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    if not isinstance(cert.public_key(), rsa.RSAPublicKey):
        return set()
    try:
        ext = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    return {str(n.value) for n in ext}


def ensure(pki_dir: Path, node_name: str, node_ips: list[str]) -> None:
    """Create what is missing; renew the server certificate when the addresses changed."""
    pki_dir.mkdir(parents=True, exist_ok=True)
    ca_crt, ca_key_path = pki_dir / "ca.crt", pki_dir / "ca.key"
    if not ca_crt.exists() or not ca_key_path.exists():
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_name = _name("minicube-ca")
        _write_key(ca_key_path, ca_key)
        _write_cert(ca_crt, _sign(ca_name, ca_key, ca_name, ca_key, ca=True))
        for stale in ("server.crt", "admin.crt"):
            (pki_dir / stale).unlink(missing_ok=True)
        log.info("created the cluster CA")
    loaded = serialization.load_pem_private_key(ca_key_path.read_bytes(), password=None)
    assert isinstance(loaded, ec.EllipticCurvePrivateKey)
    ca_key = loaded
    ca_name = x509.load_pem_x509_certificate(ca_crt.read_bytes()).subject

    sans = _server_sans(node_name, node_ips)
    if _current_sans(pki_dir / "server.crt") != {str(n.value) for n in sans}:
        server_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        _write_key(pki_dir / "server.key", server_key)
        _write_cert(pki_dir / "server.crt", _sign(_name("minicube-apiserver"), server_key, ca_name, ca_key,
                                                  usage=[ExtendedKeyUsageOID.SERVER_AUTH], sans=sans))
        log.info("issued the API server certificate for %s", ", ".join(str(n.value) for n in sans))
    if not (pki_dir / "admin.crt").exists():
        key = ec.generate_private_key(ec.SECP256R1())
        _write_key(pki_dir / "admin.key", key)
        _write_cert(pki_dir / "admin.crt", _sign(_name(ADMIN_USER, ADMIN_GROUP), key, ca_name, ca_key,
                                                 usage=[ExtendedKeyUsageOID.CLIENT_AUTH]))
        log.info("issued the admin client certificate")
