"""End of life in templates: whether a listing awaits its owner's decision
(the rule itself is listings.services.end_of_life's)."""

from django import template

from ..services.end_of_life import awaits_decision, decision_open

register = template.Library()


@register.filter
def end_of_life_awaits(listing) -> bool:
    """The last stage ended with something left: flagged in "Our listings"."""
    return awaits_decision(listing)


@register.filter
def end_of_life_open(listing) -> bool:
    """Withdrawn or past its last day with something left: it may be decided on too."""
    return decision_open(listing)
