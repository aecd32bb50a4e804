"""One shape for the API's steps on one object (publish, withdraw, cancel, schedule, start,
done, report a problem): POST a small JSON body, the step is taken by the pages' own
service, and the answer is the object as it is now.

A step is a subclass of `Action` that names its `body` serializer (or None: no body) and
implements `act` and `answer`; `action_schema` documents it, the same way for every step."""

from drf_spectacular.utils import extend_schema, extend_schema_view

from .base import ApiView
from .schema import problems


class Action(ApiView):
    body = None  # a serializers.StrictInput subclass, or None when the step takes no body

    def post(self, request, pk):
        data = {}
        if self.body is not None:
            bound = self.body(data=request.data)
            bound.is_valid(raise_exception=True)
            data = bound.validated_data
        self.act(request, pk, data)
        return self.answer(request, pk)

    def act(self, request, pk: int, data: dict) -> None:
        """Take the step through the service; raise as the service does (problems.py)."""
        raise NotImplementedError

    def answer(self, request, pk: int):
        """The Response: the object after the step."""
        raise NotImplementedError


def action_schema(
    *,
    tag: str,
    operation_id: str,
    summary: str,
    answer,
    statuses: tuple[int, ...],
    description: str | None = None,
    body=None,
):
    """The step's OpenAPI operation: its body (or none), 200 with `answer`, and the problem
    responses `statuses` (415 is added when there is a body to send)."""
    if body is not None and 415 not in statuses:
        statuses = tuple(sorted({*statuses, 415}))
    return extend_schema_view(
        post=extend_schema(
            tags=[tag],
            operation_id=operation_id,
            summary=summary,
            description=description,
            request=body,
            responses={200: answer, **problems(*statuses)},
        )
    )
