"""Log lines for machines: one JSON object per line in production (settings.LOG_FORMAT).

Each line has `time` (UTC, ISO 8601), `level`, `logger`, `message`, the `request_id` of the
request it was written for when there is one, and `exception` (the traceback) when there is
one. Nothing else from the record: extras such as Django's `request` object could carry
cookies or headers. Secrets in paths and query strings (sign-up and password links,
unsubscribe links, single sign-on codes) are masked in every line, whatever the format.
"""

import logging
import re
from contextvars import ContextVar

import environ
from pythonjsonlogger.json import JsonFormatter as _LibraryJsonFormatter

# The request being answered in this context (kierratys.observability.middleware sets it).
request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

FIELDS = ("time", "level", "logger", "message", "request_id", "exception", "stack")
MASK = "***"

# Links whose path is a secret: e-mail verification and password reset
# (accounts/verify|reset/<uid>/<token>/) and a saved search's unsubscribe link.
_SECRET_PATHS = re.compile(r"(/accounts/(?:verify|reset)/|/searches/unsubscribe/)[^\s\"'?#]+")
# Query parameters that are secrets: single sign-on's code and state, any token or password.
_SECRET_PARAMETERS = re.compile(
    r"([?&](?:code|state|token|id_token|access_token|password|secret|key|signature)=)[^&\s\"'#]*",
    re.IGNORECASE,
)


def redact(text: str) -> str:
    text = _SECRET_PATHS.sub(rf"\1{MASK}", text)
    return _SECRET_PARAMETERS.sub(rf"\1{MASK}", text)


class RequestIdFilter(logging.Filter):
    """Adds the current request's id to each record (None outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class RedactFilter(logging.Filter):
    """Masks secrets in the formatted message (uvicorn's access line holds the full path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: logging reports it when formatting
            return True
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


class JsonFormatter(_LibraryJsonFormatter):
    """python-json-logger's formatter, writing only FIELDS, in that order."""

    def __init__(self, **kwargs):
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault(
            "rename_fields",
            {
                "levelname": "level",
                "name": "logger",
                "exc_info": "exception",
                "stack_info": "stack",
            },
        )
        super().__init__("{levelname}{name}{message}", style="{", **kwargs)

    def add_fields(self, log_data, record, message_dict) -> None:
        super().add_fields(log_data, record, message_dict)
        log_data["request_id"] = getattr(record, "request_id", None)
        kept = {name: log_data.get(name) for name in FIELDS if log_data.get(name) is not None}
        log_data.clear()
        log_data.update(kept)


def chosen_format() -> str:
    """settings.LOG_FORMAT's rule, for processes that never load the settings: LOG_FORMAT,
    else "json" unless DEBUG is on (which it is by default without DATABASE_URL)."""
    env = environ.Env()
    debug = env.bool("DEBUG", default="DATABASE_URL" not in env)
    return env("LOG_FORMAT", default="text" if debug else "json")


def server_formatter(*, access: bool = False) -> logging.Formatter:
    """uvicorn's formatters (uvicorn-logging.json, kierratys/server.py), so that its
    supervisor, which runs no Django, writes JSON lines too. In text mode, uvicorn's own."""
    if chosen_format() == "json":
        return JsonFormatter()
    from uvicorn.logging import AccessFormatter, DefaultFormatter

    if access:
        return AccessFormatter(
            '%(levelprefix)s %(client_addr)s - "%(request_line)s" %(status_code)s'
        )
    return DefaultFormatter("%(levelprefix)s %(message)s", use_colors=None)
