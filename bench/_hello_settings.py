"""Settings of the bare hello baseline: production's settings, no middleware, one view.

The production server command (`kierratys.server`) and gunicorn both serve the hello with
these (DJANGO_SETTINGS_MODULE=bench._hello_settings), so it measures the server and Django's
request handler only: no session, user, locale, CSRF or CSP work, no database connection.
Every app stays installed because the server's application (kierratys/asgi.py) imports the
websocket consumers and their models; installed apps cost nothing per request.
"""

from kierratys.settings import *  # noqa: F403

MIDDLEWARE = []
ROOT_URLCONF = "bench._hello_urls"
