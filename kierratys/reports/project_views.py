"""A project's progress report page (issue 21, item 5): the selector is project_progress.py.
Those who may manage the project see it; anyone else, another organisation's included,
gets a 404 (the selector's NotFound)."""

from django.shortcuts import render

from .project_progress import project_progress


def project_report(request, pk):
    context = project_progress(actor=request.user, project_id=pk)
    return render(request, "reports/project_progress.html", context)
