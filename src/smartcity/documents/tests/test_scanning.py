"""The clamd hook against a tiny fake clamd speaking the INSTREAM protocol."""

import socket
import struct
import threading

import pytest

from smartcity.accounts.testing import make_citizen
from smartcity.documents.models import Document
from smartcity.documents.scanning import Verdict, scan
from smartcity.documents.services import store_upload
from smartcity.documents.validation import UploadRejected

from .files import pdf_bytes, upload

SIGNATURE = b"SMARTCITY-TEST-MARKER"


class FakeClamd:
    """Accepts one INSTREAM per connection; "finds" a virus when the stream contains SIGNATURE."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.received: list[bytes] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                command = b""
                while not command.endswith(b"\0"):
                    command += conn.recv(1)
                assert command == b"zINSTREAM\0"
                data = b""
                while True:
                    size = struct.unpack("!L", self._exact(conn, 4))[0]
                    if size == 0:
                        break
                    data += self._exact(conn, size)
                self.received.append(data)
                conn.sendall(b"stream: Test.Marker FOUND\0" if SIGNATURE in data else b"stream: OK\0")

    @staticmethod
    def _exact(conn: socket.socket, n: int) -> bytes:
        buf = b""
        while len(buf) < n:
            part = conn.recv(n - len(buf))
            if not part:
                raise ConnectionError
            buf += part
        return buf

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def clamd(settings):
    server = FakeClamd()
    settings.CLAMD_ADDRESS = server.address
    yield server
    server.close()


def test_clean_and_infected_streams(clamd):
    big = b"x" * 200_000  # several INSTREAM chunks
    assert scan(big) == (Verdict.CLEAN, "")
    assert clamd.received[-1] == big
    assert scan(b"abc" + SIGNATURE) == (Verdict.INFECTED, "Test.Marker")


def test_without_address_nothing_is_scanned(settings):
    settings.CLAMD_ADDRESS = ""
    assert scan(b"data") == (Verdict.NOT_SCANNED, "")


def test_unreachable_scanner_fails(settings):
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    settings.CLAMD_ADDRESS = f"127.0.0.1:{port}"
    assert scan(b"data")[0] is Verdict.FAILED


@pytest.mark.django_db
def test_store_upload_marks_clean_and_rejects_infected(clamd):
    owner = make_citizen()
    document = store_upload(upload(pdf_bytes()), owner=owner)
    assert document.scan_status == Document.ScanStatus.CLEAN
    infected = pdf_bytes() + b"%" + SIGNATURE
    with pytest.raises(UploadRejected) as exc:
        store_upload(upload(infected), owner=owner)
    assert "Schadsoftware" in exc.value.message
    assert Document.objects.count() == 1


@pytest.mark.django_db
def test_scanner_down_rejects_upload_instead_of_storing_unscanned(settings):
    settings.CLAMD_ADDRESS = "/nonexistent/clamd.sock"
    with pytest.raises(UploadRejected) as exc:
        store_upload(upload(pdf_bytes()), owner=make_citizen())
    assert "nicht auf Viren geprüft" in exc.value.message
    assert not Document.objects.exists()
