"""Coordinators' Markdown made safe to show: CommonMark with raw HTML off, so a `<script>`
or an `onerror=` is shown as text, and markdown-it's link check drops `javascript:` and
`data:` links. Nothing else is allowed in, so no sanitiser is needed after it."""

import functools

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt


@functools.cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
        "table"
    )


def render(text: str) -> SafeString:
    return mark_safe(_parser().render(text or ""))  # noqa: S308 - html is off: see above
