"""Encryption of the signing keys inside a backup: a key derived from a passphrase with scrypt,
AES-256-GCM (authenticated: a wrong passphrase or a changed byte is refused, never half-read).

    MAGIC | salt (16) | nonce (12) | ciphertext and tag

The passphrase is read from BACKUP_PASSPHRASE_FILE, BACKUP_PASSPHRASE or a prompt, never from the
command line, where every user of the machine could read it in the process list.
"""

import getpass
import os
import sys
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"FASHION-CERT-KEYS-1\n"
SALT_BYTES, NONCE_BYTES = 16, 12
# scrypt's recommended interactive cost (2**15, 8, 1): ~0.1 s and 32 MB here, per guess.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MIN_PASSPHRASE = 12


class PassphraseError(Exception):
    """No usable passphrase, or the wrong one."""


def _key(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(passphrase.encode("utf-8"))


def seal(data: bytes, passphrase: str) -> bytes:
    salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
    return MAGIC + salt + nonce + AESGCM(_key(passphrase, salt)).encrypt(nonce, data, MAGIC)


def unseal(blob: bytes, passphrase: str) -> bytes:
    if not blob.startswith(MAGIC):
        raise PassphraseError("The keys file is not a sealed key archive of this application.")
    body = blob[len(MAGIC) :]
    salt, nonce, sealed = (
        body[:SALT_BYTES],
        body[SALT_BYTES : SALT_BYTES + NONCE_BYTES],
        body[SALT_BYTES + NONCE_BYTES :],
    )
    try:
        return AESGCM(_key(passphrase, salt)).decrypt(nonce, sealed, MAGIC)
    except InvalidTag:
        raise PassphraseError("Wrong passphrase (or the keys file was changed): the keys cannot be opened.") from None


def read_passphrase(*, confirm: bool) -> str:
    """From the file named by BACKUP_PASSPHRASE_FILE, else BACKUP_PASSPHRASE, else a prompt on a terminal."""
    if path := os.environ.get("BACKUP_PASSPHRASE_FILE"):
        try:
            passphrase = Path(path).read_text(encoding="utf-8").rstrip("\r\n")
        except OSError as error:
            raise PassphraseError(f"BACKUP_PASSPHRASE_FILE cannot be read: {error}") from None
    elif "BACKUP_PASSPHRASE" in os.environ:
        passphrase = os.environ["BACKUP_PASSPHRASE"]
    elif sys.stdin.isatty():
        passphrase = getpass.getpass("Passphrase for the signing keys: ")
        if confirm and getpass.getpass("The same passphrase again: ") != passphrase:
            raise PassphraseError("The two passphrases differ.")
    else:
        raise PassphraseError(
            "The signing keys need a passphrase: set BACKUP_PASSPHRASE_FILE (a file holding it) or "
            "BACKUP_PASSPHRASE, or run the command on a terminal to be asked."
        )
    if confirm and len(passphrase) < MIN_PASSPHRASE:
        raise PassphraseError(f"The passphrase must have at least {MIN_PASSPHRASE} characters.")
    return passphrase
