"""The catalogue's own FilterSet, made strict for the API: a bad value is a 400 problem
naming the parameter, where the page drops it with a note."""

from django import forms

from listings import search
from listings.filters import CatalogueFilter, CatalogueForm


class StrictCatalogueForm(CatalogueForm):
    def full_clean(self):
        forms.Form.full_clean(self)  # keep the errors: the page's form drops them


class ApiCatalogueFilter(CatalogueFilter):
    class Meta(CatalogueFilter.Meta):
        form = StrictCatalogueForm

    def problems(self) -> dict:
        """{parameter: [messages]} of what is wrong, empty when all is well."""
        form = self.form
        errors = {name: list(messages) for name, messages in form.errors.items()}
        refused = search.query_problem(self.data.get("q", ""))
        if refused:
            errors.setdefault("q", []).append(refused)
        return errors


PARAMETERS = (*CatalogueFilter.base_filters, "cursor", "page_size")
