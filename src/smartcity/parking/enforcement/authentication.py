"""Who may query the enforcement API: devices with a bearer token, or officers signed in with 2FA."""

import hashlib
import secrets
import time
from typing import Any

from django.conf import settings
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission

from smartcity.accounts.models import Department, StaffRole
from smartcity.audit.services import record

from .models import EnforcementDevice

TOKEN_PREFIX = "enf_"
# Scan cars authenticate on every lookup; remembering a verified token per process for half a minute spares a
# query each time. A deactivation therefore reaches other processes within this time (documented).
DEVICE_CACHE_SECONDS = 30
_verified_devices: dict[str, tuple[float, int, str]] = {}  # token hash → (valid until, device id, name)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def register_device(*, name: str, department: Department, actor: Any) -> tuple[EnforcementDevice, str]:
    """Create a device and return its token, which is shown once and never stored in the clear."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    device = EnforcementDevice.objects.create(name=name, department=department, token_prefix=token[:8],
                                              token_hash=hash_token(token),
                                              created_by=actor if getattr(actor, "pk", None) else None)
    record(actor, "parking.enforcement_device.registered", device, name=name, department=department.code)
    return device, token


def deactivate_device(device: EnforcementDevice, *, actor: Any) -> None:
    EnforcementDevice.objects.filter(pk=device.pk).update(is_active=False)
    _verified_devices.pop(device.token_hash, None)
    record(actor, "parking.enforcement_device.deactivated", device, name=device.name)


class EnforcementDevicePrincipal:
    """``request.user`` for a device: authenticated, but no account (audit label "device:<name>")."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    pk = None

    def __init__(self, device_id: int, name: str):
        self.device_id = device_id
        self.name = name

    def get_username(self) -> str:
        return f"device:{self.name}"

    def __str__(self) -> str:
        return self.get_username()


class DeviceTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer enf_…``. Being first in the list makes unauthenticated requests 401."""

    def authenticate(self, request) -> tuple[EnforcementDevicePrincipal, int] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Malformed Authorization header: expected 'Bearer <token>'.")
        try:
            token = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed("Invalid device token.")
        token_hash = hash_token(token)
        now = time.monotonic()
        cached = _verified_devices.get(token_hash)
        if cached is None or cached[0] < now:
            device = EnforcementDevice.objects.filter(token_hash=token_hash, is_active=True).only("name").first()
            if device is None:
                _verified_devices.pop(token_hash, None)
                raise AuthenticationFailed("Invalid or deactivated device token.")
            cached = _verified_devices[token_hash] = (now + DEVICE_CACHE_SECONDS, device.pk, device.name)
        return EnforcementDevicePrincipal(cached[1], cached[2]), cached[1]

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="parking-enforcement"'


def is_enforcement_officer(user) -> bool:
    """Staff of an enforcement department whose session passed the second factor."""
    if not getattr(user, "is_authenticated", False) or not user.pk:
        return False
    verified = getattr(user, "is_verified", None)
    return bool(verified and verified()) and StaffRole.objects.filter(
        user=user, department__code__in=settings.PARKING_ENFORCEMENT_DEPARTMENTS).exists()


class IsEnforcement(BasePermission):
    message = "Only enforcement devices and enforcement officers with two-factor sign-in may use this API."

    def has_permission(self, request, view) -> bool:
        return isinstance(request.user, EnforcementDevicePrincipal) or is_enforcement_officer(request.user)


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    """Documents the device token in the OpenAPI file."""

    target_class = DeviceTokenAuthentication
    name = "enforcementDeviceToken"

    def get_security_definition(self, auto_schema) -> dict:
        return {"type": "http", "scheme": "bearer",
                "description": "Token of an enforcement device (`./run manage parking_devices add`)."}
