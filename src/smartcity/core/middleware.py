"""Request correlation id, carried into every JSON log line; the CSP header built once."""

import contextvars
import uuid
from http import HTTPStatus

import csp.constants
import csp.middleware
import csp.utils
from django.conf import settings
from django.core.signals import setting_changed

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex
        token = request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            request_id.reset(token)
        response["X-Request-ID"] = rid
        return response


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp's middleware with the policy header of the settings built once instead of on every response.

    django-csp rebuilds both headers from the settings for each response (``asdict`` of the policy parts, the
    directives, the joining: ~300 Python calls). When a response carries no policy of its own (``csp_update``,
    ``csp_replace`` and the like set ``_csp_*`` attributes on it) and the page used no nonce, the headers are
    those of the settings alone: they are memoised, and cleared when a setting changes. Every other response goes
    through django-csp as it is, and so do the exemptions, excluded prefixes and the nonce guard.
    """

    _PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro",
                     "_csp_replace_ro")
    _headers: dict[bool, str] = {}

    def process_response(self, request, response):
        if (getattr(request, "_csp_nonce", None) is not None
                or any(getattr(response, name, None) is not None for name in self._PER_RESPONSE)):
            return super().process_response(request, response)
        if response.status_code in (HTTPStatus.INTERNAL_SERVER_ERROR, HTTPStatus.NOT_FOUND) and settings.DEBUG:
            return response
        for report_only, header, setting, exempt in (
                (False, csp.constants.HEADER, "CONTENT_SECURITY_POLICY", "_csp_exempt"),
                (True, csp.constants.HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro")):
            policy = self._headers.get(report_only)
            if policy is None:
                policy = self._headers[report_only] = csp.utils.build_policy(report_only=report_only)
            if (policy and header not in response and getattr(response, exempt, False) is False
                    and not request.path_info.startswith(
                        tuple((getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ()))):
                response[header] = policy
        # As django-csp: reading request.csp_nonce after the header is written is an error.
        request.csp_nonce = csp.middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response


def _forget_csp_headers(**kwargs) -> None:
    CSPMiddleware._headers.clear()


setting_changed.connect(_forget_csp_headers, dispatch_uid="smartcity.core.middleware.csp")
