"""TOTP second factor for staff (django-otp): device lookup, QR enrolment, current codes for the demo."""

import base64

import segno
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User

DEVICE_NAME = "Authenticator-App"


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def ensure_confirmed_device(user: User) -> TOTPDevice:
    """A confirmed device for a demo account (`./run manage demo_totp <username>` shows its code)."""
    return confirmed_device(user) or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)


def pending_device(user: User) -> TOTPDevice:
    """The unconfirmed device being enrolled; created on first visit so the QR code stays stable on reload."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG data URI (allowed by the CSP's img-src data:)."""
    svg = segno.make(device.config_url, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def secret_base32(device: TOTPDevice) -> str:
    """The secret in the grouped Base32 form authenticator apps accept for manual entry."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app shows now for this device (demo and tests only)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def code_for_next_login(secret_hex: str) -> str:
    """A code the device accepts next: codes are single-use, so after a recent login take the next time step
    (within the device's tolerance). For tests and the demo only."""
    device = TOTPDevice.objects.get(key=secret_hex)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if totp.t() <= device.last_t:
        totp.time = totp.time + (device.last_t + 1 - totp.t()) * device.step
    return f"{totp.token():0{device.digits}d}"
