"""The access log line that deploy/gunicorn.conf.py configures (core.accesslog)."""

import json
from datetime import timedelta
from types import SimpleNamespace

from gunicorn.config import Config

from smartcity.core.accesslog import AccessLogger

ENVIRON = {"REMOTE_ADDR": "127.0.0.1", "REQUEST_METHOD": "GET", "SERVER_PROTOCOL": "HTTP/1.0",
           "RAW_URI": '/leistungen/?q=M%C3%BCller"\\x{y}', "HTTP_USER_AGENT": "test"}


def _logger(**settings) -> AccessLogger:
    cfg = Config()
    for name, value in settings.items():
        cfg.set(name, value)
    return AccessLogger(cfg)


def test_one_json_line_per_request_with_the_request_id(capsys):
    response = SimpleNamespace(status="404 Not Found", headers=[("Content-Type", "text/html"),
                                                                 ("X-Request-ID", "3f2a")], sent=5120)
    _logger(accesslog="-").access(response, None, ENVIRON, timedelta(seconds=1, microseconds=23_456))
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry.pop("ts").endswith("+00:00")
    assert entry == {"remote": "127.0.0.1", "method": "GET", "uri": '/leistungen/?q=M%C3%BCller"\\x{y}',
                     "protocol": "HTTP/1.0", "status": 404, "bytes": 5120, "ms": 1023.5, "request_id": "3f2a"}


def test_without_request_id_and_with_access_log_off(capsys):
    response = SimpleNamespace(status=200, headers=[], sent=0)
    _logger(accesslog="-").access(response, None, ENVIRON, timedelta(0))
    assert json.loads(capsys.readouterr().out)["request_id"] is None
    _logger().access(response, None, ENVIRON, timedelta(0))
    assert capsys.readouterr().out == ""
