"""The office's signature on every certificate PDF: PAdES B-B with pyHanko (docs/spec.md §6).

Key material lives in the directory named by settings.CERT_SIGNING_KEY:

    signing-key.pem    the office's private key (EC P-256, PKCS#8, readable by the owner only)
    signing-cert.pem   its certificate (self-signed for a new installation: manage.py create_signing_key)
    trusted/*.pem      earlier certificates of the office, kept when a key is replaced, so that
                       certificates signed with an earlier key still check out

A signature that is intact, made by one of these certificates and covering the whole file proves
the file left the office as it is now; anything appended or changed after signing breaks it.

Two ways to sign, one signature. A certificate is signed in the file WeasyPrint writes: the renderer
passes `reserve_signature(number=...)` as WeasyPrint's finisher, which adds the signature field and
an empty signature dictionary (a blank /ByteRange, BYTES_RESERVED zero bytes of /Contents) as a plain
object, and `sign_pdf` then fills both in place: no PDF parsing, no incremental update, only the
file's hash and the CMS (~0.3 ms of CPU a certificate, where pyHanko's reader and incremental writer
took ~3 ms). Any other PDF is signed by pyHanko with an incremental update. Either way it is the
PAdES B-B signature pyHanko makes (the same CMS, dictionary and catalog extensions), covering the
whole file, and pyHanko's validator checks it.
"""

import asyncio
import datetime
import hashlib
import io
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pydyf
from asn1crypto import cms
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA, EllipticCurvePrivateKey
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.signers.constants import ISO32002_CURVE_NAMES
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

KEY_FILE = "signing-key.pem"
CERT_FILE = "signing-cert.pem"
TRUSTED_DIR = "trusted"
FIELD_NAME = "OfficeSignature"
# Room for the CMS signature in the file. Given, so that pyHanko does not sign a dummy first to
# measure it (that doubled the signing time); an EC P-256 signature with its certificate takes ~1.5 KB.
BYTES_RESERVED = 8192


def key_directory() -> Path:
    return Path(settings.CERT_SIGNING_KEY)


def has_signing_key() -> bool:
    directory = key_directory()
    return (directory / KEY_FILE).is_file() and (directory / CERT_FILE).is_file()


def create_signing_key(*, directory: Path, common_name: str, organisation: str, days: int = 3650) -> Path:
    """A new EC P-256 key and a self-signed certificate for it; an existing certificate is kept
    under trusted/ so that what it signed still verifies. Returns the certificate's path."""
    directory.mkdir(parents=True, exist_ok=True)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / CERT_FILE
    if cert_path.exists():
        trusted = directory / TRUSTED_DIR
        trusted.mkdir(exist_ok=True)
        old = load_cert_from_pemder(str(cert_path))
        os.replace(cert_path, trusted / f"{old.serial_number:x}.pem")
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    key_path = directory / KEY_FILE
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(key_bytes)
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    _signer.cache_clear()
    _trusted_certificates.cache_clear()
    return cert_path


def _stamp(directory: Path) -> tuple[str, int]:
    """Cache key: a new key written by create_signing_key is picked up without a restart."""
    try:
        return str(directory), (directory / CERT_FILE).stat().st_mtime_ns
    except FileNotFoundError:
        return str(directory), 0


def _missing_key() -> ImproperlyConfigured:
    return ImproperlyConfigured(
        f"No signing key in {key_directory()}: run `manage.py create_signing_key` (or set CERT_SIGNING_KEY)."
    )


@lru_cache(maxsize=4)
def _signer(stamp: tuple[str, int]) -> "TemplateSigner":
    directory = Path(stamp[0])
    loaded = signers.SimpleSigner.load(str(directory / KEY_FILE), str(directory / CERT_FILE))
    if loaded is None:
        raise _missing_key()
    return TemplateSigner(
        signing_cert=loaded.signing_cert, signing_key=loaded.signing_key, cert_registry=loaded.cert_registry
    )


def sign_pdf(pdf: bytes, *, number: str) -> bytes:
    """The PDF with the office's PAdES B-B signature over the whole file: filled into the signature
    reserved while rendering when there is one (see reserve_signature), else added by pyHanko."""
    if not has_signing_key():
        raise _missing_key()
    signer = _signer(_stamp(key_directory()))
    reserved = _reserved_signature(pdf, reason=_reason(number))
    if reserved is not None:
        return _fill_reserved_signature(pdf, reserved, signer)
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        subfilter=SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=_reason(number),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    output = signers.sign_pdf(writer, metadata, signer=signer, bytes_reserved=BYTES_RESERVED)
    return output.getvalue()


def _reason(number: str) -> str:
    return f"Certificate {number}"


# The signature dictionary as reserve_signature writes it: a blank byte range, then the zeroed
# /Contents, last in the dictionary. A 10-digit field holds any offset of a file under 10 GB.
_BLANK_BYTE_RANGE = b"[0 0000000000 0000000000 0000000000]"
_BLANK_SIGNATURE = b"/ByteRange " + _BLANK_BYTE_RANGE + b"/Contents <"


class _PlainDictionary(pydyf.Dictionary):
    """A dictionary that pydyf writes as it is, never inside a compressed object stream: the
    signature's /ByteRange and /Contents must be found and filled in the finished file."""

    @property
    def compressible(self) -> bool:
        return False


def reserve_signature(*, number: str) -> Callable | None:
    """A WeasyPrint finisher (`write_pdf(finisher=...)`) that adds the office's signature field to
    the first page, empty, for sign_pdf to fill; None without a signing key (sign_pdf then says so).
    The catalog declares what pyHanko declares for the same signature (the ESIC extension for
    PAdES; ISO 32002 and PDF 2.0 for an ECDSA key on a NIST curve)."""
    if not has_signing_key():
        return None
    certificate = _signer(_stamp(key_directory())).signing_cert
    if certificate is None:  # pyHanko allows a signer without one; a key loaded from files has it
        raise _missing_key()
    public_key = certificate.public_key
    iso_32002 = (
        public_key.algorithm == "ec" and public_key.curve[0] == "named" and public_key.curve[1] in ISO32002_CURVE_NAMES
    )

    def finisher(document, pdf: pydyf.PDF) -> None:
        now = timezone.localtime()
        offset = now.strftime("%z") or "+0000"
        signature = _PlainDictionary(
            {
                "Type": "/Sig",
                "Filter": "/Adobe.PPKLite",
                "SubFilter": "/ETSI.CAdES.detached",
                "M": pydyf.String(now.strftime("D:%Y%m%d%H%M%S") + f"{offset[:3]}'{offset[3:]}'"),
                "Reason": pydyf.String(_reason(number)),
                "ByteRange": _BLANK_BYTE_RANGE,
                "Contents": b"<" + b"0" * (2 * BYTES_RESERVED) + b">",
            }
        )
        pdf.add_object(signature)
        page = pdf.objects[pdf.pages["Kids"][0]]
        field = pydyf.Dictionary(
            {
                "FT": "/Sig",
                "T": pydyf.String(FIELD_NAME),
                "Type": "/Annot",
                "Subtype": "/Widget",
                "F": 132,
                "Rect": pydyf.Array([0, 0, 0, 0]),
                "P": page.reference,
                "V": signature.reference,
            }
        )
        pdf.add_object(field)
        page.setdefault("Annots", pydyf.Array()).append(field.reference)
        form = pdf.catalog.setdefault("AcroForm", pydyf.Dictionary())
        form.setdefault("Fields", pydyf.Array()).append(field.reference)
        form["SigFlags"] = 3
        extensions = pydyf.Dictionary(
            {"ESIC": pydyf.Dictionary({"Type": "/DeveloperExtensions", "BaseVersion": "/1.7", "ExtensionLevel": 1})}
        )
        if iso_32002:
            extensions["ISO_"] = pydyf.Array(
                [
                    pydyf.Dictionary(
                        {
                            "Type": "/DeveloperExtensions",
                            "BaseVersion": "/2.0",
                            "ExtensionLevel": 32002,
                            "URL": pydyf.String("https://www.iso.org/standard/45875.html"),
                            "ExtensionRevision": pydyf.String(":2022"),
                        }
                    )
                ]
            )
            pdf.catalog["Version"] = "/2.0"
        pdf.catalog["Extensions"] = extensions

    return finisher


def _reserved_signature(pdf: bytes, *, reason: str) -> int | None:
    """Where the blank /ByteRange of a reserved signature starts, if the file has one (and only
    one), for this certificate; None for a file without one."""
    position = pdf.rfind(_BLANK_SIGNATURE)
    if position < 0:
        return None
    contents = position + len(_BLANK_SIGNATURE)
    reason_bytes = pydyf.String(reason).data
    if (
        pdf.find(_BLANK_SIGNATURE) != position
        or pdf[contents : contents + 2 * BYTES_RESERVED + 1] != b"0" * (2 * BYTES_RESERVED) + b">"
        or pdf[position - len(reason_bytes) - len(b"/Reason ") : position] != b"/Reason " + reason_bytes
    ):
        raise ValueError("The PDF's reserved signature is not one this office reserved for this certificate.")
    return position + len(b"/ByteRange ")


def _fill_reserved_signature(pdf: bytes, byte_range_at: int, signer: "TemplateSigner") -> bytes:
    """Fill the byte range (everything but the /Contents string, brackets included), hash those
    bytes, and write the CMS into /Contents."""
    start = byte_range_at + len(_BLANK_BYTE_RANGE) + len(b"/Contents ")  # the "<"
    end = start + 2 * BYTES_RESERVED + 2  # after the ">"
    byte_range = f"[0 {start} {end} {len(pdf) - end}]".encode().ljust(len(_BLANK_BYTE_RANGE))
    signed = bytearray(pdf)
    signed[byte_range_at : byte_range_at + len(_BLANK_BYTE_RANGE)] = byte_range
    view = memoryview(signed)
    digest = hashlib.sha256(view[:start])
    digest.update(view[end:])
    view.release()
    container = signer.document_signature(digest.digest())
    if len(container) > BYTES_RESERVED:
        raise ValueError(f"The signature takes {len(container)} bytes; {BYTES_RESERVED} are reserved.")
    signed[start + 1 : start + 1 + 2 * len(container)] = container.hex().upper().encode()
    return bytes(signed)


@lru_cache(maxsize=4)
def _trusted_certificates(stamp: tuple[str, int]) -> tuple:
    directory = Path(stamp[0])
    paths = [directory / CERT_FILE] + sorted((directory / TRUSTED_DIR).glob("*.pem"))
    return tuple(load_cert_from_pemder(str(path)) for path in paths if path.is_file())


@dataclass(frozen=True)
class SignatureCheck:
    signed: bool  # carries a signature at all
    intact: bool  # the signed bytes are unchanged and the signature is mathematically valid
    trusted: bool  # made by the office's key (current or earlier)
    whole_file: bool  # nothing was added after signing

    @property
    def genuine(self) -> bool:
        return self.signed and self.intact and self.trusted and self.whole_file


def check_signature(pdf: bytes) -> SignatureCheck:
    """Check the office's signature offline: no network, only the office's own certificates.
    A signature reserved while rendering and never filled is no signature."""
    if pdf.find(_BLANK_SIGNATURE) >= 0 and pdf.count(b"/ByteRange") == 1:
        return SignatureCheck(signed=False, intact=False, trusted=False, whole_file=False)
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        # Not even readable as a PDF with a signature: treated as damaged after signing.
        return SignatureCheck(signed=b"/ByteRange" in pdf, intact=False, trusted=False, whole_file=False)
    if not signatures:
        return SignatureCheck(signed=False, intact=False, trusted=False, whole_file=False)
    trusted = _trusted_certificates(_stamp(key_directory()))
    context = ValidationContext(trust_roots=list(trusted), allow_fetching=False, revocation_mode="soft-fail")
    try:
        status = validate_pdf_signature(signatures[-1], context)
    except (SignatureValidationError, PdfError, ValueError, KeyError, TypeError):
        return SignatureCheck(signed=True, intact=False, trusted=False, whole_file=False)
    return SignatureCheck(
        signed=True,
        intact=bool(status.intact and status.valid),
        trusted=bool(status.trusted),
        whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE and len(signatures) == 1,
    )


class TemplateSigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner, made cheap to call a thousand times with one key.

    For a PAdES signature with an EC key, the CMS container differs from one document to the next
    only in the 32-byte message digest and the signature value. Building it with asn1crypto took
    most of the ~14 ms pyHanko spent per certificate, so the first container is built by pyHanko
    itself and kept as a template: later ones splice in the new digest, sign the signed attributes
    with `cryptography`, and re-encode the few DER lengths on the way out (the signature is the last
    field of the last SignerInfo, so only the lengths around it change). The template checks itself
    when made: rebuilt with its own digest and signature it must equal pyHanko's bytes, byte for
    byte, and its signed attributes may hold nothing that varies (no signing time). Anything else
    (RSA keys, timestamps, dry runs) goes through pyHanko unchanged.
    """

    _MARKER = bytes(range(0xA0, 0xC0))  # 32 bytes that stand for the digest in the template
    _CONSTANT_ATTRIBUTES = {"content_type", "message_digest", "signing_certificate_v2", "cms_algorithm_protection"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._template: _CmsTemplate | None = None
        self._template_checked = False
        from cryptography.hazmat.primitives import serialization as _serialization

        self._private_key = _serialization.load_der_private_key(self.signing_key.dump(), password=None)

    async def async_sign(
        self,
        data_digest,
        digest_algorithm,
        dry_run=False,
        use_pades=False,
        timestamper=None,
        signed_attr_settings=None,
        is_pdf_sig=True,
        encap_content_info=None,
    ):
        plain = (
            not dry_run
            and use_pades
            and timestamper is None
            and encap_content_info is None
            and is_pdf_sig
            and digest_algorithm.lower() == "sha256"
            and len(data_digest) == 32
            and isinstance(self._private_key, EllipticCurvePrivateKey)
        )
        if plain and not self._template_checked:
            self._template_checked = True
            container = await super().async_sign(
                self._MARKER, digest_algorithm, use_pades=use_pades, signed_attr_settings=signed_attr_settings
            )
            self._template = _CmsTemplate.from_container(container, self._MARKER, self._CONSTANT_ATTRIBUTES)
        if not plain or self._template is None:
            return await super().async_sign(
                data_digest,
                digest_algorithm,
                dry_run=dry_run,
                use_pades=use_pades,
                timestamper=timestamper,
                signed_attr_settings=signed_attr_settings,
                is_pdf_sig=is_pdf_sig,
                encap_content_info=encap_content_info,
            )
        return cms.ContentInfo.load(self._from_template(self._template, data_digest))

    def document_signature(self, document_digest: bytes) -> bytes:
        """The DER-encoded CMS of a PAdES signature over a PDF's SHA-256 byte-range digest."""
        if self._template is not None and len(document_digest) == 32:
            return self._from_template(self._template, document_digest)
        return asyncio.run(self.async_sign(document_digest, "sha256", use_pades=True)).dump()

    def _from_template(self, template: "_CmsTemplate", digest: bytes) -> bytes:
        key = self._private_key
        if not isinstance(key, EllipticCurvePrivateKey):  # a template is made for an EC key only
            raise TypeError("Only an EC key signs from a CMS template.")
        signature = key.sign(template.signed_attributes(digest), ECDSA(hashes.SHA256()))
        return template.container(digest, signature)


def _tlv(tag: int, content: bytes) -> bytes:
    """One DER element: tag, definite length, content."""
    size = len(content)
    if size < 0x80:
        return bytes([tag, size]) + content
    length = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(length)]) + length + content


@dataclass(frozen=True)
class _CmsTemplate:
    content_type: bytes  # the ContentInfo's OID element
    signed_data_head: bytes  # SignedData's fields before signerInfos
    signer_info_head: tuple[bytes, bytes]  # SignerInfo's fields before the signature, split at the digest
    attributes: tuple[bytes, bytes]  # the signed attributes' content, split at the digest

    def signed_attributes(self, digest: bytes) -> bytes:
        """What is signed: the signed attributes as a DER SET (RFC 5652 §5.4)."""
        return _tlv(0x31, self.attributes[0] + digest + self.attributes[1])

    def container(self, digest: bytes, signature: bytes) -> bytes:
        signer_info = _tlv(0x30, self.signer_info_head[0] + digest + self.signer_info_head[1] + _tlv(0x04, signature))
        signed_data = _tlv(0x30, self.signed_data_head + _tlv(0x31, signer_info))
        return _tlv(0x30, self.content_type + _tlv(0xA0, signed_data))

    @classmethod
    def from_container(cls, container, marker: bytes, constant_attributes: set) -> "_CmsTemplate | None":
        try:
            original = container.dump()
            signed_data = container["content"]
            signer_infos = signed_data["signer_infos"]
            signer_info = signer_infos[0]
            attributes = signer_info["signed_attrs"]
            if len(signer_infos) != 1 or {a["type"].native for a in attributes} - constant_attributes:
                return None
            signature_element = signer_info["signature"].dump()
            head = signed_data.contents[: -len(signer_infos.dump())]
            info_head = signer_info.contents[: -len(signature_element)]
            if info_head.count(marker) != 1 or attributes.contents.count(marker) != 1:
                return None
            template = cls(
                content_type=container["content_type"].dump(),
                signed_data_head=head,
                signer_info_head=tuple(info_head.split(marker)),
                attributes=tuple(attributes.contents.split(marker)),
            )
            # Rebuilt with its own digest and signature, the template must give pyHanko's bytes back.
            if template.container(marker, signer_info["signature"].native) != original:
                return None
            return template
        except (KeyError, ValueError, TypeError, IndexError):
            return None
