from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    """The start page: a greeting and the role's entry points (dashboards replace it per role)."""
    return render(request, "bapas/home.html", {})
