"""Certificate files for nginx: written atomically (mode 0600) under the node's state dir.

nginx reads them on start and reload only, so each file is replaced whole by a rename and a
reload follows. The default certificate (ingress-nginx's "Fake Certificate") answers HTTPS
for hosts without a TLS Secret of their own; it is made once and kept.
"""

from __future__ import annotations

import datetime
import os
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from minicube.ingress.routes import DEFAULT_CERT

_DEFAULT_SUBJECT = "Kubernetes Ingress Controller Fake Certificate"


def write_atomic(path: Path, content: str, mode: int = 0o600) -> None:
    """Write to a temporary file beside `path`, then rename it over: never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w") as f:
            f.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def self_signed_pem(common_name: str = _DEFAULT_SUBJECT, days: int = 3650) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("ingress.local")]), critical=False)
            .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM).decode() + key_pem.decode()


def sync_certs(cert_dir: Path, certs: dict[str, str]) -> None:
    """Make cert_dir hold exactly `certs` plus the default certificate."""
    default = cert_dir / DEFAULT_CERT
    if not default.exists():
        write_atomic(default, self_signed_pem())
    for name, pem in certs.items():
        path = cert_dir / name
        if not path.exists() or path.read_text() != pem:
            write_atomic(path, pem)
    for path in cert_dir.glob("*.pem"):
        if path.name != DEFAULT_CERT and path.name not in certs:
            path.unlink(missing_ok=True)
