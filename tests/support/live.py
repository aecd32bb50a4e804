"""Capture the live events a call publishes (after Zulip's capture_send_event_calls)."""

import contextlib

from kierratys import live


@contextlib.contextmanager
def capture_published():
    """Record each send of live events, as a list of sends, each a list of (groups, event,
    data). Events are still delivered to the real channel layer."""
    sends: list[list[tuple]] = []
    original = live.send_events

    def recording(events):
        sends.append([(list(groups), event, dict(data)) for groups, event, data in events])
        original(events)

    live.send_events = recording
    try:
        yield sends
    finally:
        live.send_events = original
