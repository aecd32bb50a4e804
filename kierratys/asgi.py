"""The ASGI application: pages through Django's WSGI handler in a thread pool
(kierratys/serving.py, why in kierratys/server.py), websockets through Channels."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kierratys.settings")
django.setup(set_prefix=False)

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402

from kierratys.guards import BodyLimit, SameOriginWebsocket  # noqa: E402
from kierratys.routing import websocket_urlpatterns  # noqa: E402
from kierratys.serving import django_http  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": BodyLimit(django_http(WSGIHandler())),
        "websocket": SameOriginWebsocket(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
