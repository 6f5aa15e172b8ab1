"""`serve --https`: a certificate authority of the user's own, checked as a phone's TLS would."""

from __future__ import annotations

import datetime
import http.client
import ipaddress
import re
import ssl
import subprocess
import sys
import threading
import time

import pytest

pytest.importorskip("cryptography", reason="serve --https needs the https extra: pip install -e '.[test]'")

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.hazmat.primitives.serialization import Encoding, load_pem_private_key  # noqa: E402
from cryptography.x509 import verification  # noqa: E402
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID  # noqa: E402

from guided_audio.commands.words import say  # the banner in the command line's words
from guided_audio.errors import ServerError  # noqa: E402
from guided_audio.publish.certificate import CA_DOWNLOAD, SERVER_DAYS, server_certificates  # noqa: E402
from guided_audio.publish.page import write_page  # noqa: E402
from guided_audio.publish.server import start_server  # noqa: E402


def load_chain(path):
    return x509.load_pem_x509_certificates(path.read_bytes())


def verifier_for(ca, name):
    store = verification.Store([ca])
    subject = x509.IPAddress(ipaddress.ip_address(name)) if name[0].isdigit() else x509.DNSName(name)
    return verification.PolicyBuilder().store(store).build_server_verifier(subject)


def test_the_authority_is_made_once_and_vouches_for_private_addresses_only(tmp_path):
    first = server_certificates(["192.168.1.20", "8.8.8.8"], tmp_path)
    assert "192.168.1.20" in first.names and "8.8.8.8" not in first.names and "localhost" in first.names
    assert (tmp_path / "guided-audio-ca-key.pem").stat().st_mode & 0o777 == 0o600
    assert first.server_key.stat().st_mode & 0o777 == 0o600
    leaf, ca = load_chain(first.server_cert)
    assert ca.public_bytes(Encoding.DER) == first.ca_der
    constraints = ca.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.critical and constraints.value.ca and constraints.value.path_length == 0
    assert ca.extensions.get_extension_for_class(x509.NameConstraints).critical
    lifetime = leaf.not_valid_after_utc - leaf.not_valid_before_utc
    assert lifetime <= datetime.timedelta(days=SERVER_DAYS, hours=1) <= datetime.timedelta(days=825)
    assert ExtendedKeyUsageOID.SERVER_AUTH in leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca

    # A phone that trusts the authority accepts the server at its private address ...
    for name in ("192.168.1.20", "127.0.0.1", "localhost"):
        verifier_for(ca, name).verify(leaf, [])
    # ... and the authority cannot vouch for a public site, even with its own key.
    ca_key = load_pem_private_key((tmp_path / "guided-audio-ca-key.pem").read_bytes(), password=None)
    rogue_key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.timezone.utc)
    rogue = (
        x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "bank")]))
        .issuer_name(ca.subject).public_key(rogue_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("bank.example.com")]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )  # fmt: skip
    with pytest.raises(verification.VerificationError):
        verifier_for(ca, "bank.example.com").verify(rogue, [])

    again = server_certificates(["10.0.0.7"], tmp_path)
    assert again.fingerprint == first.fingerprint, "the phone trusts the authority once, for good"
    assert load_chain(again.server_cert)[0].serial_number != leaf.serial_number
    assert re.fullmatch(r"([0-9A-F]{2}:){31}[0-9A-F]{2}", first.fingerprint)


def test_serving_over_tls_a_client_trusting_the_authority_gets_page_ranges_and_certificate(two_sessions, tmp_path):
    sessions = two_sessions.copy_to(tmp_path / "sessions")
    write_page(sessions.folder)
    serving = start_server(sessions.folder, "127.0.0.1", 0, https=True)
    thread = threading.Thread(target=serving.server.serve_forever, daemon=True)
    thread.start()
    try:
        assert serving.base_urls() == [f"https://127.0.0.1:{serving.port}"]
        assert f"https://127.0.0.1:{serving.port}/{CA_DOWNLOAD}" in say(serving.banner())
        assert serving.certificates.fingerprint in say(serving.banner())
        context = ssl.create_default_context(cafile=str(serving.certificates.ca_cert))

        def get(path, headers=None):
            connection = http.client.HTTPSConnection("127.0.0.1", serving.port, context=context, timeout=10)
            try:
                connection.request("GET", path, headers=headers or {})
                response = connection.getresponse()
                return response.status, dict(response.getheaders()), response.read()
            finally:
                connection.close()

        status, _, body = get("/")
        assert status == 200 and body == (sessions.folder / "index.html").read_bytes()
        status, headers, body = get("/arrive.mp3", {"Range": "bytes=10-99"})
        assert status == 206 and body == sessions.arrive.read_bytes()[10:100]
        status, headers, body = get(f"/{CA_DOWNLOAD}")
        assert status == 200 and body == serving.certificates.ca_der
        assert headers["Content-Type"] == "application/x-x509-ca-cert"
        with pytest.raises(ssl.SSLCertVerificationError):
            untrusting = http.client.HTTPSConnection("127.0.0.1", serving.port, timeout=10,
                                                     context=ssl.create_default_context())  # fmt: skip
            untrusting.request("GET", "/")
    finally:
        serving.server.shutdown()
        serving.server.server_close()


def test_plain_http_does_not_offer_the_certificate(two_sessions):
    serving = start_server(two_sessions.folder, "127.0.0.1", 0)
    thread = threading.Thread(target=serving.server.serve_forever, daemon=True)
    thread.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", serving.port, timeout=10)
        connection.request("GET", f"/{CA_DOWNLOAD}")
        assert serving.certificates is None and connection.getresponse().status == 404
        connection.close()
    finally:
        serving.server.shutdown()
        serving.server.server_close()


def test_serve_https_command_prints_how_to_trust_it_and_stops_on_ctrl_c(two_sessions, tmp_path):
    process = subprocess.Popen(
        [sys.executable, "-m", "guided_audio", "serve", str(two_sessions.folder), "--port", "0", "--https"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        first = process.stdout.readline()
        assert " read-only at https://127.0.0.1:" in first, first
        time.sleep(0.5)
    finally:
        process.send_signal(2)
        rest = process.stdout.read()
        process.wait(timeout=15)
    out = first + rest
    assert process.returncode == 130, out  # 128 + SIGINT, as the README's exit codes say
    # On loopback no phone can reach the certificate's address: the banner says how to serve for phones
    assert "Only this computer can connect" in out and "For phones, serve with --host 0.0.0.0 --https" in out
    assert "On each phone" not in out
    assert (tmp_path / "certificates" / "guided-audio-ca.pem").is_file(), "kept where GUIDED_AUDIO_CERTS says"


def test_without_cryptography_https_is_one_clear_error(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "cryptography.hazmat.primitives", None)
    with pytest.raises(ServerError, match=r"serve https needs the cryptography package; .*guided-audio\[https\]"):
        server_certificates(["127.0.0.1"], tmp_path)


def test_a_public_address_is_not_covered_and_the_banner_says_which_is(two_sessions, tmp_path):
    from guided_audio.publish.server import Serving

    certificates = server_certificates(["192.0.2.2"], tmp_path)
    assert "192.0.2.2" not in certificates.names
    banner = say(Serving(None, two_sessions.folder, "192.0.2.2", 8443, certificates).banner())
    local = next(name for name in certificates.names if name.endswith(".local"))
    assert f"192.0.2.2 is not a private address, so the certificate does not cover it; open https://{local}:8443/" in banner
