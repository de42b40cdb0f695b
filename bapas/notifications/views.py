"""The inbox (everyone's own notifications), preferences, and the administrators' outbox."""

from __future__ import annotations

from collections import defaultdict

from crispy_forms.helper import FormHelper
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import BooleanField, Count, ExpressionWrapper, Q
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ..roles import refusal
from ..scoping import get_scoped_or_404
from . import channels as channel_registry
from .models import Channel, Notification, NotificationPreference, Status, normalise_phone
from .services import notification_retry, notifications_mark_read

PAGE_SIZE = 25


def visible_links(user, notifications) -> dict[int, str]:
    """Where each notification leads, for this user: its own link, or its object's page when
    the user may open that object (checked through the model's ``for_user`` scoping).

    One query per kind of object on the page, however many notifications there are.
    """
    links: dict[int, str] = {}
    wanted: dict[int, set[int]] = defaultdict(set)
    for n in notifications:
        if n.link:
            links[n.pk] = n.link
        elif n.content_type_id and n.object_id:
            wanted[n.content_type_id].add(n.object_id)
    urls: dict[tuple[int, int], str] = {}
    for content_type_id, ids in wanted.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is None or not hasattr(model, "get_absolute_url"):
            continue
        queryset = model._default_manager.all()
        if not hasattr(queryset, "for_user"):
            continue  # no scoping rule for that model: show no link rather than guess
        for obj in queryset.for_user(user).filter(pk__in=ids):
            try:
                urls[(content_type_id, obj.pk)] = obj.get_absolute_url()
            except NoReverseMatch:  # the app has not published that page yet
                continue
    for n in notifications:
        url = urls.get((n.content_type_id, n.object_id))
        if url and n.pk not in links:
            links[n.pk] = url
    return links


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@never_cache
def inbox(request):
    show = request.GET.get("show", "all")
    qs = Notification.objects.inbox(request.user)
    if show == "unread":
        qs = qs.filter(read_at__isnull=True)
    qs = qs.annotate(
        unread=ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    ).order_by("-unread", "-sent_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    links = visible_links(request.user, page.object_list)
    rows = [(n, links.get(n.pk, "")) for n in page.object_list]
    return render(
        request, "bapas/notifications/inbox.html", {"page": page, "rows": rows, "show": show}
    )


@login_required
@never_cache
def open_notification(request, pk: int):
    """Follow a notification: it is marked read, then the user goes to its page."""
    notification = get_scoped_or_404(Notification.objects.inbox(request.user), pk=pk)
    if notification.read_at is None:
        notifications_mark_read(user=request.user, ids=[notification.pk])
    link = visible_links(request.user, [notification]).get(notification.pk, "")
    if link and url_has_allowed_host_and_scheme(link, allowed_hosts={request.get_host()}):
        return redirect(link)
    messages.info(request, _("This notification has no page you can open."))
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_read(request, pk: int):
    notification = get_scoped_or_404(Notification.objects.inbox(request.user), pk=pk)
    notifications_mark_read(user=request.user, ids=[notification.pk])
    return redirect(_safe_next(request, reverse("notifications:inbox")))


@login_required
@require_POST
def mark_all_read(request):
    count = notifications_mark_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked read."))
    return redirect(_safe_next(request, reverse("notifications:inbox")))


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["in_app", "email", "whatsapp", "whatsapp_number", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        if not channel_registry.available(Channel.WHATSAPP):
            del self.fields["whatsapp"]
            del self.fields["whatsapp_number"]

    def clean(self):
        data = super().clean()
        if data.get("whatsapp"):
            number = data.get("whatsapp_number") or self.instance.user.phone
            if not normalise_phone(number):
                self.add_error(
                    "whatsapp_number",
                    gettext_lazy(
                        "Enter the number for WhatsApp messages (your account has no phone number)."
                    ),
                )
        return data


@login_required
@never_cache
def preferences(request):
    preference = NotificationPreference.objects.filter(user=request.user).first()
    preference = preference or NotificationPreference(user=request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:inbox")
    return render(request, "bapas/notifications/preferences.html", {"form": form})


def _require_admin(user) -> None:
    if not user.is_admin:
        raise refusal(user)


@login_required
@never_cache
def outbox(request):
    """The outbound queue for administrators: what is waiting, what went, what failed and why."""
    _require_admin(request.user)
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    qs = Notification.objects.select_related("recipient")
    if status in Status.values:
        qs = qs.filter(status=status)
    if channel in Channel.values:
        qs = qs.filter(channel=channel)
    page = Paginator(qs.order_by("-due_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = Notification.objects.aggregate(
        **{value: Count("id", filter=Q(status=value)) for value in Status.values}
    )
    return render(
        request,
        "bapas/notifications/outbox.html",
        {
            "page": page,
            "status": status,
            "channel": channel,
            "status_tabs": [(value, label, counts[value]) for value, label in Status.choices],
            "statuses": Status.choices,
            "channels": Channel.choices,
        },
    )


@login_required
@require_POST
def retry(request, pk: int):
    _require_admin(request.user)
    notification = get_scoped_or_404(Notification.objects.all(), pk=pk)
    try:
        notification_retry(notification=notification, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The notification is queued to be sent again."))
    return redirect(_safe_next(request, reverse("notifications:outbox")))
