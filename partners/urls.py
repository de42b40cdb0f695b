"""Each views module owns its URL patterns; this file only gathers them."""

from . import urls_io
from .views import catalogue, directory, portal, referrals

app_name = "partners"

urlpatterns = [
    *catalogue.urlpatterns,
    *referrals.urlpatterns,
    *portal.urlpatterns,
    *directory.urlpatterns,
    *urls_io.urlpatterns,
]
