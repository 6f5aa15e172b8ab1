"""A certificate authority of the user's own, so `serve --https` is a secure origin on a phone.

Browsers run a service worker (and so keep sessions offline) only on https or on localhost.
At home there is no public name to get a certificate for, so `serve --https` signs one itself:
a small authority made once and kept in the user's data folder (the phone trusts it once), and
a server certificate for this computer's addresses made anew on each start (so a new
address never needs a new step on the phone). Both use P-256 keys, which iOS and Android take.

The authority is name-constrained to private addresses (10/8, 172.16/12, 192.168/16, loopback,
link-local, `.local` and `localhost`): should its key ever leak, it cannot vouch for any
public site. Made with `cryptography`, the well-kept library Python's own TLS tooling builds on;
it is an optional extra (`pip install 'guided-audio[https]'`), as only `--https` needs it.
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import os
import socket
from dataclasses import dataclass
from pathlib import Path

from guided_audio.errors import ServerError, option
from guided_audio.output import write_atomically

CERTS_ENV = "GUIDED_AUDIO_CERTS"
CA_CERT = "guided-audio-ca.pem"
CA_KEY = "guided-audio-ca-key.pem"
SERVER_CERT = "server.pem"
SERVER_KEY = "server-key.pem"
CA_DOWNLOAD = "guided-audio-ca.crt"
"""The address `serve --https` offers the authority's public certificate at, for the phone."""
CA_YEARS = 10
SERVER_DAYS = 397
"""Under the 398 days browsers allow a server certificate, and Apple's 825 for private ones."""
PRIVATE_NETWORKS = [
    ipaddress.ip_network(net)
    for net in ("127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16",
                "100.64.0.0/10", "::1/128", "fc00::/7", "fe80::/10")
]  # fmt: skip
"""Loopback, private, link-local and shared (CGNAT, as mesh VPNs use) address ranges."""
PRIVATE_NAMES = ("localhost", "local")


@dataclass(frozen=True)
class Certificates:
    """What `serve --https` needs: files for its TLS context and the authority for the phone."""

    server_cert: Path
    """The server certificate followed by the authority's, as TLS sends the chain."""
    server_key: Path
    ca_cert: Path
    ca_der: bytes
    """The authority's certificate in DER, the form phones install from a download."""
    names: list[str]
    """Host names and addresses the server certificate is valid for."""

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the authority's certificate, as phones show it before installing."""
        digest = hashlib.sha256(self.ca_der).hexdigest().upper()
        return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def certs_dir() -> Path:
    """Where the authority is kept: $GUIDED_AUDIO_CERTS, else the user's data folder."""
    if os.environ.get(CERTS_ENV):
        return Path(os.environ[CERTS_ENV]).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("guided-audio")) / "https"


def server_certificates(addresses: list[str], folder: Path | None = None) -> Certificates:
    """The authority (made on first use) and a fresh server certificate for `addresses`."""
    try:
        from cryptography.hazmat.primitives import serialization
    except ImportError:
        raise ServerError(
            f"serve {option('https')} needs the cryptography package; install it with: pip install 'guided-audio[https]'"
        ) from None
    folder = Path(folder) if folder else certs_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ServerError(f"cannot make {folder} for the certificates: {exc.strerror or exc}; set {CERTS_ENV}") from None
    ca_cert, ca_key = _authority(folder)
    names = certificate_names(addresses)
    cert, key = _server_certificate(ca_cert, ca_key, names)
    pem = serialization.Encoding.PEM
    chain = cert.public_bytes(pem) + ca_cert.public_bytes(pem)
    write_atomically(folder / SERVER_CERT, chain)
    write_atomically(folder / SERVER_KEY, _private_pem(key), mode=0o600)
    der = ca_cert.public_bytes(serialization.Encoding.DER)
    return Certificates(folder / SERVER_CERT, folder / SERVER_KEY, folder / CA_CERT, der, names)


def certificate_names(addresses: list[str]) -> list[str]:
    """This computer's names and the given addresses that the authority may vouch for."""
    host = socket.gethostname().split(".")[0]
    names = ["localhost", "127.0.0.1", "::1"] + ([f"{host}.local"] if host and host != "localhost" else [])
    for address in addresses:
        if is_private(address) and address not in names:
            names.append(address)
    return names


def is_private(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address in PRIVATE_NAMES or address.endswith(".local")
    return any(ip.version == net.version and ip in net for net in PRIVATE_NETWORKS)


def _authority(folder: Path):
    """The authority's certificate and key: read if kept, else made and kept (key readable by you only)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    cert_path, key_path = folder / CA_CERT, folder / CA_KEY
    if cert_path.is_file() and key_path.is_file():
        try:
            cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
            key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
            if cert.not_valid_after_utc > _now() + datetime.timedelta(days=SERVER_DAYS):
                return cert, key
        except (OSError, ValueError, TypeError):
            pass  # unreadable: make a new one (the phone must then trust the new one)
    cert, key = _new_authority()
    write_atomically(key_path, _private_pem(key), mode=0o600)
    write_atomically(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    return cert, key


def _new_authority():
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    host = socket.gethostname().split(".")[0] or "this computer"
    name = x509.Name([
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "guided-audio"),
        x509.NameAttribute(NameOID.COMMON_NAME, f"guided-audio at home ({host})"[:64]),
    ])  # fmt: skip
    permitted = [x509.DNSName(n) for n in PRIVATE_NAMES] + [x509.IPAddress(net) for net in PRIVATE_NETWORKS]
    now = _now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=365 * CA_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_usage(cert_sign=True), critical=True)
        .add_extension(x509.NameConstraints(permitted_subtrees=permitted, excluded_subtrees=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    return builder.sign(key, hashes.SHA256()), key


def _server_certificate(ca_cert, ca_key, names: list[str]):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    alternative = []
    for name in names:
        try:
            alternative.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alternative.append(x509.DNSName(name))
    now = _now()
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "guided-audio serve")]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=SERVER_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(alternative), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
    )
    return builder.sign(ca_key, hashes.SHA256()), key


def _usage(cert_sign: bool):
    from cryptography import x509

    return x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
        key_agreement=False, key_cert_sign=cert_sign, crl_sign=cert_sign, encipher_only=False, decipher_only=False,
    )  # fmt: skip


def _private_pem(key) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)
