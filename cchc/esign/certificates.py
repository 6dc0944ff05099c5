"""The agency's signing certificate (PKCS#12) and the trust roots the verification page
accepts; a self-signed demo CA and agency certificate for the demo and the tests."""

import datetime as dt
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

# Every demo certificate carries this in its subject; the verification page reads it to say
# "chứng thư số minh họa".
DEMO_MARK = "CCHC DEMO — KHÔNG CÓ GIÁ TRỊ PHÁP LÝ"
DEMO_CA_NAME = "CA minh họa của CCHC"


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _certificate(*, subject, issuer, key, issuer_key, ca: bool, start: dt.datetime, years: int):
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if not ca:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def make_demo_certificate(
    *, p12_path: Path, ca_path: Path, password: str, agency_name: str, at=None
) -> bool:
    """Write a demo CA (PEM) and an agency certificate signed by it (PKCS#12 with the CA in
    its chain). Idempotent: False when both files exist already."""
    p12_path, ca_path = Path(p12_path), Path(ca_path)
    if p12_path.is_file() and ca_path.is_file():
        return False
    start = (at or timezone.now()) - dt.timedelta(days=1)
    ca_key, agency_key = _key(), _key()
    ca_name = _name(DEMO_CA_NAME, DEMO_MARK)
    ca = _certificate(
        subject=ca_name,
        issuer=ca_name,
        key=ca_key,
        issuer_key=ca_key,
        ca=True,
        start=start,
        years=20,
    )
    agency = _certificate(
        subject=_name(agency_name[:64], DEMO_MARK),
        issuer=ca_name,
        key=agency_key,
        issuer_key=ca_key,
        ca=False,
        start=start,
        years=10,
    )
    p12_path.parent.mkdir(parents=True, exist_ok=True)
    ca_path.parent.mkdir(parents=True, exist_ok=True)
    p12_path.touch(mode=0o600)  # the private key: readable by the service account only
    p12_path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"cchc-agency",
            agency_key,
            agency,
            [ca],
            serialization.BestAvailableEncryption(password.encode()),
        )
    )
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    return True


def pkcs12_path(agency=None) -> str:
    """The agency's own PKCS#12 (ESIGN_AGENCY_PKCS12, by agency code), else the installation's."""
    own = settings.ESIGN_AGENCY_PKCS12.get(agency.code) if agency is not None else None
    return own or settings.ESIGN_PKCS12_PATH


def configured(agency=None) -> bool:
    path = pkcs12_path(agency)
    return bool(path) and Path(path).is_file()


def load_signer(agency=None):
    """The pyHanko signer of the agency's PKCS#12, or None when no certificate is configured.
    Every PKCS#12 opens with ESIGN_PKCS12_PASSWORD."""
    from pyhanko.sign.signers import SimpleSigner

    if not configured(agency):
        return None
    path, password = pkcs12_path(agency), settings.ESIGN_PKCS12_PASSWORD
    try:
        return SimpleSigner.load_pkcs12_data(
            Path(path).read_bytes(),
            other_certs=[],
            passphrase=password.encode() if password else None,
        )
    except ValueError as error:
        raise ImproperlyConfigured(
            f"{path}: không mở được tệp PKCS#12 (sai mật khẩu ESIGN_PKCS12_PASSWORD hoặc tệp hỏng)."
        ) from error


def trust_roots() -> list[asn1_x509.Certificate]:
    """The roots in ESIGN_TRUST_ROOTS (PEM files, several certificates each allowed)."""
    roots = []
    for path in settings.ESIGN_TRUST_ROOTS:
        if not Path(path).is_file():
            continue
        for cert in x509.load_pem_x509_certificates(Path(path).read_bytes()):
            roots.append(asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)))
    return roots


def is_demo(certificate: asn1_x509.Certificate) -> bool:
    return DEMO_MARK in certificate.subject.human_friendly


def common_name(certificate: asn1_x509.Certificate) -> str:
    """The signer as shown: common name (organisation)."""
    subject = certificate.subject.native
    name = subject.get("common_name") or certificate.subject.human_friendly
    organisation = subject.get("organization_name")
    return f"{name} ({organisation})" if organisation else name
