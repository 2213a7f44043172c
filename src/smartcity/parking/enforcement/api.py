"""JSON endpoints: public token verification and the enforcement API (plate lookup, offline snapshot)."""

from datetime import date

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from smartcity.parking import tokens

from . import lookup, snapshot, verification
from .authentication import DeviceTokenAuthentication, IsEnforcement
from .models import LookupTally, Snapshot
from .presentation import as_json
from .throttling import EnforcementThrottle, VerifyThrottle, principal_of

_PERMIT = inline_serializer("VerifiedPermit", {
    "id": serializers.UUIDField(), "number": serializers.CharField(), "plate": serializers.CharField(),
    "zone": serializers.CharField(), "valid_from": serializers.DateField(), "valid_until": serializers.DateField()})
VERIFICATION = inline_serializer("TokenVerification", {
    "status": serializers.ChoiceField(choices=[s.value for s in tokens.Status]),
    "valid": serializers.BooleanField(),
    "kid": serializers.CharField(allow_null=True),
    "permit": _PERMIT,
})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=tokens.MAX_TOKEN_LENGTH, trim_whitespace=True,
                                  help_text="The QR code's content: the compact JWS or the check URL ending in #token.")


class VerifyTokenView(APIView):
    """Check a permit token: signature, revocation and validity window. Public, rate limited per address."""

    authentication_classes: list = []  # public; no session, so no CSRF token needed
    permission_classes = [AllowAny]
    throttle_classes = [VerifyThrottle]

    @extend_schema(request=TokenSerializer, responses={200: VERIFICATION}, tags=["parking-verification"],
                   summary="Verify a permit QR token")
    def post(self, request: Request) -> Response:
        serializer = TokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(as_json(verification.verify_online(serializer.validated_data["token"])))


class PlateQuerySerializer(serializers.Serializer):
    plate = serializers.CharField(max_length=20, help_text="As read: 'D-AB 1234', 'DAB1234', 'd ab 1234' …")
    zone = serializers.CharField(max_length=2, required=False, allow_blank=True,
                                 help_text="Zone code; if given, only a permit for this zone counts as valid.")

    def validate_plate(self, value: str) -> list[str]:
        try:
            return lookup.plate_candidates(value)
        except lookup.InvalidPlate as error:
            raise serializers.ValidationError(str(error))


LOOKUP_RESULT = inline_serializer("PlateLookupResult", {
    "query": serializers.CharField(help_text="the reading without separators"),
    "valid": serializers.BooleanField(),
    "plate": serializers.CharField(allow_null=True), "zone": serializers.CharField(allow_null=True),
    "valid_from": serializers.DateField(allow_null=True), "valid_until": serializers.DateField(allow_null=True),
})


class EnforcementView(APIView):
    authentication_classes = [DeviceTokenAuthentication, SessionAuthentication]
    permission_classes = [IsEnforcement]
    throttle_classes = [EnforcementThrottle]


class PlateLookupView(EnforcementView):
    """Plate → valid, zone, valid from, valid until. For scan cars and handhelds; every call is counted."""

    @extend_schema(request=PlateQuerySerializer, responses={200: LOOKUP_RESULT}, tags=["parking-enforcement"],
                   summary="Look up a number plate")
    def post(self, request: Request) -> Response:
        serializer = PlateQuerySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = lookup.lookup_plate(request.data["plate"], zone=serializer.validated_data.get("zone", ""),
                                     counted_for=principal_of(request))
        return Response({
            "query": result.query, "valid": result.valid, "plate": result.plate or None, "zone": result.zone or None,
            "valid_from": result.valid_from, "valid_until": result.valid_until,
        })


SNAPSHOT_INFO = inline_serializer("EnforcementSnapshot", {
    "valid_on": serializers.DateField(), "entries": serializers.IntegerField(), "size": serializers.IntegerField(),
    "sha256": serializers.CharField(),
    "manifest": serializers.CharField(help_text="compact JWS (typ snapshot+jwt) with hash, salt and counts"),
    "download": serializers.URLField(),
})


class SnapshotView(EnforcementView):
    """The newest signed offline whitelist: its manifest and where to download the file."""

    @extend_schema(responses={200: SNAPSHOT_INFO}, tags=["parking-enforcement"], summary="Latest offline snapshot")
    def get(self, request: Request) -> Response:
        current = snapshot.latest()
        if current is None:
            raise NotFound("No snapshot has been generated yet.")
        return Response({
            "valid_on": current.valid_on, "entries": current.entries, "size": current.size,
            "sha256": current.sha256, "manifest": current.manifest,
            "download": request.build_absolute_uri(
                reverse("parking:enforcement-snapshot-file", args=[current.valid_on.isoformat()])),
        })


class SnapshotFileView(EnforcementView):
    """The snapshot file itself (gzip-compressed TSV), streamed."""

    @extend_schema(responses={(200, "application/gzip"): OpenApiTypes.BINARY}, tags=["parking-enforcement"],
                   summary="Download an offline snapshot", operation_id="parking_enforcement_snapshot_file")
    def get(self, request: Request, valid_on: str) -> FileResponse:
        try:
            day = date.fromisoformat(valid_on)
        except ValueError:
            raise NotFound("No snapshot for this day.")
        current = Snapshot.objects.filter(valid_on=day).first()
        if current is None:
            raise NotFound("No snapshot for this day.")
        lookup.tally(principal_of(request), LookupTally.Kind.SNAPSHOT, found=True)
        return FileResponse(current.file.open("rb"), content_type="application/gzip", as_attachment=True,
                            filename=f"bewohnerparken-{day.isoformat()}.tsv.gz")
