from django import template

from ..views import loan_box_context

register = template.Library()


@register.inclusion_tag("loans/_loan_box.html", takes_context=True)
def loan_box(context, listing):
    """The item page's calendar and booking form, for a listing lent for a period."""
    return {
        **loan_box_context(request=context["request"], listing=listing),
        "csrf_token": context.get("csrf_token"),
    }
