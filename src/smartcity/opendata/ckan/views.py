"""HTTP transport of the CKAN Action API: /api/3/action/<name> and /api/action/<name>."""

import json
import logging
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from ..models import ApiToken
from ..validation import contains_nul
from .actions import ACTIONS, Context
from .errors import ActionError, NotAuthorized, ValidationError

logger = logging.getLogger(__name__)
CONTENT_TYPE = "application/json;charset=utf-8"
# The actions' results are trees built for the response, never cyclic: no per-container circular-reference check
# (-12 % on a 20-package page). One encoder for all responses (json.dumps builds one per call with options).
_ENCODER = json.JSONEncoder(ensure_ascii=False, check_circular=False)


def _json(data: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(_ENCODER.encode(data), status=status, content_type=CONTENT_TYPE)


def _bad_request(message: str) -> HttpResponse:
    # CKAN answers transport errors with a bare JSON string, not the envelope.
    return _json(f"Bad request - {message}", status=400)


def _token(request: HttpRequest) -> str:
    raw = request.headers.get("Authorization") or request.headers.get("X-CKAN-API-Key") or ""
    raw = raw.strip()
    return raw[7:].strip() if raw.lower().startswith("bearer ") else raw


def _user(request: HttpRequest, *, allow_session: bool):
    raw = _token(request)
    if raw:
        token = ApiToken.lookup(raw)
        if token is None or not token.user.is_active:
            raise NotAuthorized("invalid or revoked API token")
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user
    # Cookie sessions only for reads: writes would need CSRF protection, so they need a token.
    return request.user if allow_session else AnonymousUser()


def _params(request: HttpRequest) -> dict[str, Any]:
    if request.method == "GET":
        return {k: (v[0] if len(v) == 1 else v) for k, v in request.GET.lists()}
    content_type = request.content_type or ""
    if content_type.startswith("multipart/form-data") or content_type == "application/x-www-form-urlencoded":
        params = {k: (v[0] if len(v) == 1 else v) for k, v in request.POST.lists()}
        # Some clients send the whole dict as one JSON-encoded form key.
        if len(params) == 1 and not request.FILES:
            (key, value), = params.items()
            if value == "" and key.strip().startswith("{"):
                try:
                    return json.loads(key)
                except json.JSONDecodeError:
                    pass
        return params
    body = request.body.decode("utf-8", errors="replace").strip()
    if not body:
        return {}
    data = json.loads(body)
    if not isinstance(data, dict):
        raise ValueError("Request data JSON decoded to a non-dictionary")
    return data


def _reject_nul(params: dict[str, Any]) -> None:
    # PostgreSQL cannot compare or store NUL characters: answer every action with a Validation Error instead.
    bad = {str(key).replace("\x00", ""): ["Das Zeichen NUL (\\u0000) ist nicht erlaubt."]
           for key, value in params.items() if contains_nul(key) or contains_nul(value)}
    if bad:
        raise ValidationError(bad)


def help_url(request: HttpRequest, name: str) -> str:
    return request.build_absolute_uri(f"/api/3/action/help_show?name={name}")


@csrf_exempt
def action_view(request: HttpRequest, name: str) -> HttpResponse:
    if request.method not in ("GET", "POST"):
        return _bad_request("Method not allowed")
    action = ACTIONS.get(name)
    if action is None:
        return _bad_request(f"Action name not known: {name}")
    if request.method == "GET" and not action.side_effect_free:
        return _bad_request("JSON Error: Invalid request. Please use POST method for your request")
    try:
        params = _params(request)
    except (ValueError, UnicodeDecodeError) as exc:
        return _bad_request(f"JSON Error: {exc}")
    envelope: dict[str, Any] = {"help": help_url(request, name)}
    try:
        files = {k: request.FILES[k] for k in request.FILES}
        ctx = Context(user=_user(request, allow_session=request.method == "GET"), files=files)
        _reject_nul(params)
        result = action.fn(ctx, params)
    except ActionError as exc:
        envelope.update(success=False, error=exc.error_dict())
        return _json(envelope, status=exc.status)
    except DatabaseError:
        logger.exception("opendata action %s failed", name)
        envelope.update(success=False, error={"__type": "Internal Server Error", "message": "Internal Server Error"})
        return _json(envelope, status=500)
    envelope.update(success=True, result=result)
    return _json(envelope)


def api_version(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"version": 3})
