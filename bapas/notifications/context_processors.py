"""The unread count for the bell in the navigation bar: one COUNT query, only when shown."""

from django.utils.functional import SimpleLazyObject

from .models import Notification


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "notifications_unread": SimpleLazyObject(lambda: Notification.objects.unread(user).count())
    }
