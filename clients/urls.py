"""Each views module owns its URL patterns; this file only gathers them."""

from .views import caseload, client_page, contacts, exports, imports, orders, register

app_name = "clients"

urlpatterns = [
    *caseload.urlpatterns,
    *register.urlpatterns,
    *client_page.urlpatterns,
    *orders.urlpatterns,
    *contacts.urlpatterns,
    *imports.urlpatterns,
    *exports.urlpatterns,
]
