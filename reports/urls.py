"""Each views module owns its URL patterns; this file only gathers them."""

from .views import client_documents, dashboards, documents, verify

app_name = "reports"

urlpatterns = [
    *documents.urlpatterns,
    *client_documents.urlpatterns,
    *dashboards.urlpatterns,
    *verify.urlpatterns,
]
