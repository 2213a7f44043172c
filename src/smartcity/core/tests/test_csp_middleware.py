"""The project's CSPMiddleware sets the same headers as django-csp's, with the settings' header built once."""

import csp.middleware
import pytest
from csp.decorators import csp_exempt, csp_replace, csp_update
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from smartcity.core.middleware import CSPMiddleware

REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'self'"], "report-uri": "/csp-report/"},
               "EXCLUDE_URL_PREFIXES": ["/admin/"]}


def plain(request):
    return HttpResponse("ok")


def with_nonce(request):
    return HttpResponse(f"nonce {request.csp_nonce}")


VIEWS = [plain, with_nonce, csp_exempt()(plain), csp_update({"img-src": ["https://example.org"]})(plain),
         csp_replace({"script-src": ["'self'", "https://cdn.example"]})(plain)]


def _headers(middleware_class, view, path):
    """The CSP headers (a nonce replaced by N) and whether reading the nonce afterwards is refused."""
    from csp.exceptions import CSPNonceError

    request = RequestFactory().get(path)
    response = middleware_class(view)(request)
    nonce = getattr(request, "_csp_nonce", None)
    try:
        str(request.csp_nonce)
        refused = False
    except CSPNonceError:
        refused = True
    return {k: v.replace(nonce, "N") if nonce else v for k, v in response.items() if "Content-Security-Policy" in k
            }, refused


@pytest.mark.parametrize("report_only", [None, REPORT_ONLY])
@pytest.mark.parametrize("path", ["/", "/admin/login/"])
@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v.__name__)
def test_same_headers_as_django_csp(view, path, report_only):
    CSPMiddleware._headers.clear()
    with override_settings(CONTENT_SECURITY_POLICY_REPORT_ONLY=report_only):
        for _ in range(2):  # the second time from the memo
            ours = _headers(CSPMiddleware, view, path)
            assert ours == _headers(csp.middleware.CSPMiddleware, view, path)
    assert ours[1] == (view is not with_nonce)


def test_memo_follows_the_settings():
    CSPMiddleware._headers.clear()
    assert "object-src 'none'" in _headers(CSPMiddleware, plain, "/")[0]["Content-Security-Policy"]
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}}):
        assert _headers(CSPMiddleware, plain, "/")[0]["Content-Security-Policy"] == "default-src 'none'"
    assert "object-src 'none'" in _headers(CSPMiddleware, plain, "/")[0]["Content-Security-Policy"]
