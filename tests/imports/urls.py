"""The site's URLs with this helper's import and export pages added where the lead has not
wired them yet (see the report): lets the tests run before and after the wiring."""

from django.urls import URLResolver, include, path

from bapas import urls as site


def _extra_patterns() -> dict[str, list]:
    from clients.views import exports as client_exports
    from clients.views import imports as client_imports
    from meetings import views_export as meeting_exports
    from partners import urls_io as partner_io

    return {
        "clients": [*client_imports.urlpatterns, *client_exports.urlpatterns],
        "partners": list(partner_io.urlpatterns),
        "meetings": list(meeting_exports.urlpatterns),
    }


def _build() -> list:
    extra = _extra_patterns()
    patterns = []
    for entry in site.urlpatterns:
        namespace = getattr(entry, "namespace", None)
        if isinstance(entry, URLResolver) and namespace in extra:
            existing = {getattr(p, "name", None) for p in entry.url_patterns}
            added = [p for p in extra[namespace] if p.name not in existing]
            entry = path(str(entry.pattern),
                         include(([*entry.url_patterns, *added], namespace)))
        patterns.append(entry)
    return patterns


urlpatterns = _build()
