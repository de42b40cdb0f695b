"""The site's home page ("/", URL name "home"): each role's dashboard.

``bapas/urls.py`` includes this with ``{"fallback": <bapas start page>}``, the page shown to
roles without a dashboard (operators, administrators).
"""

from django.urls import path

from .views.dashboards import dashboard

urlpatterns = [
    path("", dashboard, name="home"),
]
