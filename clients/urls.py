"""Each views module owns its URL patterns; this file only gathers them."""

from .views import caseload, client_page, contacts, orders, register

app_name = "clients"

urlpatterns = [
    *caseload.urlpatterns,
    *register.urlpatterns,
    *client_page.urlpatterns,
    *orders.urlpatterns,
    *contacts.urlpatterns,
]
