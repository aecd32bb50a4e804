from django import template
from django.utils.html import format_html

from kierratys.common import submissions

register = template.Library()


@register.simple_tag
def submission_field():
    """The hidden one-time token of a form that must take effect once (common.submissions)."""
    return format_html(
        '<input type="hidden" name="{}" value="{}">', submissions.FIELD, submissions.new_token()
    )
