"""Virus scan through ClamAV's clamd (INSTREAM over TCP or a unix socket).

Without ``CLAMD_ADDRESS`` nothing is scanned and documents are marked "not_scanned" (shown in the UI). With
it, a scanner that cannot answer rejects the upload: an unscanned file must not slip through unnoticed.
"""

import socket
import struct
from enum import Enum

from django.conf import settings

CHUNK = 64 * 1024


class Verdict(Enum):
    CLEAN = "clean"
    INFECTED = "infected"
    NOT_SCANNED = "not_scanned"
    FAILED = "failed"


def _connect(address: str, timeout: float) -> socket.socket:
    if address.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(address)
        return sock
    host, _, port = address.rpartition(":")
    return socket.create_connection((host or "127.0.0.1", int(port)), timeout=timeout)


def scan(data: bytes) -> tuple[Verdict, str]:
    """(verdict, detail): detail is the signature name for infected files or the error text."""
    address = settings.CLAMD_ADDRESS
    if not address:
        return Verdict.NOT_SCANNED, ""
    try:
        with _connect(address, settings.CLAMD_TIMEOUT) as sock:
            sock.sendall(b"zINSTREAM\0")
            for start in range(0, len(data), CHUNK):
                chunk = data[start:start + CHUNK]
                sock.sendall(struct.pack("!L", len(chunk)) + chunk)
            sock.sendall(struct.pack("!L", 0))
            reply = b""
            while not reply.endswith(b"\0"):
                part = sock.recv(4096)
                if not part:
                    break
                reply += part
    except (OSError, ValueError) as exc:
        return Verdict.FAILED, f"{exc.__class__.__name__}: {exc}"
    text = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    # Replies look like "stream: OK", "stream: Eicar-Signature FOUND" or "INSTREAM size limit exceeded. ERROR".
    if text.endswith(" FOUND"):
        return Verdict.INFECTED, text.removeprefix("stream:").removesuffix("FOUND").strip()
    if text.endswith(" OK"):
        return Verdict.CLEAN, ""
    return Verdict.FAILED, text or "no reply"
