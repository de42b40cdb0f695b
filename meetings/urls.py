from django.urls import path

from . import views_export
from .views import actions, calendar, hearing, lists, pages, printables, records

app_name = "meetings"

urlpatterns = [
    path("", lists.meeting_list, name="list"),
    path("new/", pages.meeting_create, name="create"),
    path("<int:pk>/", pages.meeting_detail, name="detail"),
    path("<int:pk>/edit/", pages.meeting_edit, name="edit"),
    path("<int:pk>/cancel/", pages.meeting_cancel_view, name="cancel"),
    path("<int:pk>/respond/", pages.respond, name="respond"),
    path("<int:pk>/invitations/", pages.invitations, name="invitations"),
    path("<int:pk>/attendance/", records.attendance, name="attendance"),
    path("<int:pk>/minutes/", records.minutes, name="minutes"),
    path("<int:pk>/attachments/new/", records.attachment_upload, name="attachment_upload"),
    path("attachments/<int:pk>/", records.attachment_download, name="attachment"),
    path("attachments/<int:pk>/delete/", records.attachment_remove, name="attachment_delete"),
    path("<int:pk>/clients/new/", records.link_client, name="link_client"),
    path("<int:pk>/clients/<int:link_pk>/remove/", records.unlink_client, name="unlink_client"),
    path("<int:pk>/revocations/add/", hearing.add_revocation, name="add_revocation"),
    path("<int:pk>/revocations/<int:proposal_pk>/remove/", hearing.remove_revocation,
         name="remove_revocation"),
    path("<int:pk>/revocations/<int:proposal_pk>/decide/", hearing.decide_revocation,
         name="decide_revocation"),
    path("<int:pk>/actions/new/", actions.action_create, name="action_create"),
    path("actions/", actions.my_actions, name="my_actions"),
    path("actions/<int:pk>/", actions.action_update, name="action_update"),
    path("<int:pk>/print/undangan.pdf", printables.invitation_pdf, name="print_invitation"),
    path("<int:pk>/print/daftar-hadir.pdf", printables.attendance_pdf, name="print_attendance"),
    path("<int:pk>/print/notulen.pdf", printables.minutes_pdf, name="print_minutes"),
    path("<int:pk>/event.ics", calendar.meeting_ics, name="ics"),
    path("calendar/", calendar.calendar_settings, name="calendar_settings"),
    path("calendar/regenerate/", calendar.calendar_token_regenerate,
         name="calendar_regenerate"),
    path("calendar/revoke/", calendar.calendar_token_revoke_view, name="calendar_revoke"),
    path("calendar/<str:token>.ics", calendar.calendar_feed, name="calendar_feed"),
    *views_export.urlpatterns,
]
