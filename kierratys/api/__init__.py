"""The JSON API at /api/v1/ (issue 19): the composition layer over the pages' own FilterSet,
selectors and services, with service tokens per organisation (models.ServiceToken)."""
