"""Webhook fan-out: 1,000 events to 10 endpoints, each delivery's time from its commit.

Needs PostgreSQL (DATABASE_URL). Ten endpoints of one organisation listen for
`reservation.changed`; each event is published the way services publish it
(`live.publish` inside a transaction, so the outbox rows commit with it), --rate events a
second. --senders threads do what the worker does (`deliveries_send_due`), looking at the
outbox every 50 ms; a local HTTPS receiver (a test CA, HTTP/1.1 keep-alive) notes when each
delivery arrives. Reports p50/p95/p99 from commit to arrival and that every one arrived,
with its signature. There is no ratio goal for this figure (issue 19 asks for it).
"""

import argparse
import http.server
import json
import os
import ssl
import statistics
import sys
import tempfile
import threading
import time

from . import _summary

EVENTS, ENDPOINTS = 1000, 10


def _setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kierratys.settings")
    os.environ.setdefault("DEBUG", "false")
    from ._server import BENCH_SECRET_KEY

    os.environ.setdefault("SECRET_KEY", BENCH_SECRET_KEY)
    import django

    django.setup()


class _Receiver:
    def __init__(self, ca, secrets: dict[str, str]):
        from standardwebhooks import Webhook

        self.arrived: dict[tuple[str, int], float] = {}
        self.bad = 0
        lock = threading.Lock()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real receivers do

            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                now = time.time()
                try:
                    message = Webhook(secrets[self.path]).verify(body, dict(self.headers))
                    with lock:
                        receiver.arrived[(self.path, message["data"]["id"])] = now
                except Exception:
                    receiver.bad += 1
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ca.issue_cert("127.0.0.1").configure_cert(context)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(events: int, rate: float, senders: int) -> dict:
    import trustme
    from django.conf import settings
    from django.db import connection, transaction

    from kierratys import live
    from kierratys.accounts.models import Organisation
    from kierratys.webhooks import delivery
    from kierratys.webhooks.models import Delivery, Endpoint
    from kierratys.webhooks.outbox import endpoints_forget
    from kierratys.webhooks.services import _new_secret

    from ._regions import business_id

    ca = trustme.CA()
    bundle = os.path.join(tempfile.mkdtemp(prefix="bench-webhooks-"), "ca.pem")
    ca.cert_pem.write_to_path(bundle)
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.WEBHOOK_CA_BUNDLE = bundle
    organisation, _ = Organisation.objects.get_or_create(
        slug="bench-webhooks",
        defaults={"name": "Bench webhooks", "kind": "other", "business_id": business_id(901)},
    )
    Endpoint.objects.filter(organisation=organisation).delete()
    secrets = {f"/hooks/{n}": _new_secret() for n in range(ENDPOINTS)}
    receiver = _Receiver(ca, secrets)
    for path, secret in secrets.items():
        Endpoint.objects.create(
            organisation=organisation,
            url=f"https://127.0.0.1:{receiver.port}{path}",
            event_types=["reservation.changed"],
            secret=secret,
        )
    endpoints_forget()
    group = live.organisation_group(organisation.pk)
    committed: dict[int, float] = {}
    done = threading.Event()

    def send():
        try:
            while not done.is_set():
                if not delivery.deliveries_send_due():
                    time.sleep(0.05)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(senders)]
    for thread in threads:
        thread.start()
    load_start = _summary.load_average()
    started = time.time()
    for n in range(events):
        with transaction.atomic():
            live.publish([group], "reservation.changed", {"id": n, "status": "active"})
        committed[n] = time.time()
        time.sleep(max(0.0, started + (n + 1) / rate - time.time()))
    deadline = time.time() + 120
    while len(receiver.arrived) < events * ENDPOINTS and time.time() < deadline:
        time.sleep(0.1)
    done.set()
    for thread in threads:
        thread.join()
    receiver.server.shutdown()
    latencies = [(at - committed[n]) * 1000 for (_path, n), at in receiver.arrived.items()]
    Endpoint.objects.filter(organisation=organisation).delete()
    return {
        "benchmark": "webhooks",
        "events": events,
        "endpoints": ENDPOINTS,
        "rate_per_s": rate,
        "senders": senders,
        "deliveries": events * ENDPOINTS,
        "arrived": len(receiver.arrived),
        "bad_signatures": receiver.bad,
        "not_delivered": Delivery.objects.exclude(status="delivered").count(),
        "p50_ms": round(_percentile(latencies, 0.5), 1) if latencies else None,
        "p95_ms": round(_percentile(latencies, 0.95), 1) if latencies else None,
        "p99_ms": round(_percentile(latencies, 0.99), 1) if latencies else None,
        "mean_ms": round(statistics.mean(latencies), 1) if latencies else None,
        "load_average": {"start": load_start, "end": _summary.load_average()},
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench webhooks", description=__doc__)
    parser.add_argument("--events", type=int, default=EVENTS)
    parser.add_argument("--rate", type=float, default=100.0, help="events a second")
    parser.add_argument("--senders", type=int, default=4)
    _summary.add_output_arguments(parser)
    args = parser.parse_args(argv)
    _setup_django()
    from django.conf import settings
    from django.core.management import call_command

    if not settings.USES_POSTGRES:
        print("The webhooks benchmark needs PostgreSQL: set DATABASE_URL.", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    result = run(args.events, args.rate, args.senders)
    result["goals"] = [
        _summary.goal_true(
            "webhooks: every delivery arrived, signed",
            result["arrived"] == result["deliveries"] and not result["bad_signatures"],
            note=f"{args.events} events x {ENDPOINTS} endpoints at {args.rate:g}/s; "
            f"from commit p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms",
        )
    ]
    _summary.emit(args, result, lambda r: print(json.dumps(r, indent=2)))
    return _summary.exit_status(result)
