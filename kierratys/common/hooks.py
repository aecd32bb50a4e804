"""Where a lower layer lets a higher one act, said out loud.

The layers only import downwards (docs/architecture.md). When a lower app must let a
higher one step in (quantity freed -> the waiting list; a shelf field on the listing
form), the lower app names that moment as a `Hook` and calls it; the higher app connects
its function in its `AppConfig.ready()`. Unlike a model signal, a hook is called by the
service itself, at one place, and tests assert that each one is connected.
"""

from collections.abc import Callable


class Hook:
    def __init__(self, name: str):
        self.name = name
        self.receivers: list[Callable] = []

    def connect(self, receiver: Callable) -> Callable:
        if receiver not in self.receivers:
            self.receivers.append(receiver)
        return receiver

    def __call__(self, **kwargs) -> list:
        """Call every receiver with the same keyword arguments; their results in order."""
        return [receiver(**kwargs) for receiver in self.receivers]

    def __repr__(self):
        return f"<Hook {self.name}: {len(self.receivers)} connected>"
