"""Cursor pagination: a page and a link to the next and previous ones, never a count, so
one query per page whatever the page size or how deep the client goes. The order is the
queryset's own (the catalogue's sort)."""

from base64 import b64decode
from binascii import Error as Base64Error

from django.core.exceptions import ValidationError
from django.db.models import FloatField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination

from .base import strict_int
from .problems import QueryInvalid

DEFAULT_PAGE_SIZE = 24
MAX_PAGE_SIZE = 100


class Cursor(CursorPagination):
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    page_size = DEFAULT_PAGE_SIZE
    ordering = ("-pk",)

    def paginate_queryset(self, queryset, request, view=None):
        self.page_size = strict_int(
            request.query_params.get("page_size"),
            name="page_size",
            low=1,
            high=MAX_PAGE_SIZE,
            default=DEFAULT_PAGE_SIZE,
        )
        queryset = _exact_rank(queryset)
        try:
            return super().paginate_queryset(queryset, request, view)
        except (NotFound, ValidationError, ValueError) as error:
            # REST framework's answer to a cursor it cannot read (NotFound), or a position
            # that does not fit the order (a cursor of another sort, or tampered with).
            raise QueryInvalid({"cursor": [_("This cursor is not valid.")]}) from error

    def get_page_size(self, request):
        return self.page_size

    def get_ordering(self, request, queryset, view):
        ordering = tuple(str(field) for field in queryset.query.order_by)
        return ordering or self.ordering

    def decode_cursor(self, request):
        encoded = request.query_params.get(self.cursor_query_param)
        if encoded:
            try:
                b64decode(encoded.encode("ascii"), validate=False)
            except (Base64Error, UnicodeEncodeError) as error:
                raise QueryInvalid({"cursor": [_("This cursor is not valid.")]}) from error
        return super().decode_cursor(request)

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }


def _exact_rank(queryset):
    """A search's relevance (PostgreSQL's ts_rank is a 4-byte real) as a double, so that the
    position written into a cursor compares exactly: as a real, the next page began with
    the last item of the page before."""
    ordering = [str(field) for field in queryset.query.order_by]
    if not ordering or ordering[0].lstrip("-") != "rank":
        return queryset
    first = ordering[0].replace("rank", "exact_rank")
    return queryset.annotate(exact_rank=Cast("rank", FloatField())).order_by(first, *ordering[1:])
