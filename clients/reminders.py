"""Reminder rules of the clients app, run by the notification engine's sweeps.

- every PK, working days from 07:00 (Asia/Jakarta): a morning digest of today's contacts,
  contacts waiting for an outcome and orders ending within 30 days;
- every client who gave a number and consent: a WhatsApp/SMS the day before a planned report
  or visit, from 09:00 (never after 20:00);
- a missed contact ('tidak hadir tanpa alasan') to the client's PK; three or more in a row to
  the office's supervisors as well.

Texts for staff go out in each recipient's language. In-app messages name the client; email and
WhatsApp carry only the register number and a link, so no client's name leaves the system.
Each rule reads a constant number of queries whatever the number of officers or clients.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta

from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bapas.models import Role, User
from bapas.notifications import channels as notification_channels
from bapas.notifications.engine import Draft, Rule, preferences_for, user_drafts
from bapas.notifications.models import Channel, ClientMessageConsent, Notification, normalise_phone

from .models import Contact, ContactKind, OrderStatus, Outcome, SupervisionOrder
from .selectors import consecutive_missed

KIND_DIGEST = "clients.morning_digest"
KIND_CLIENT_REMINDER = "clients.contact_tomorrow"
KIND_MISSED = "clients.contact_missed"
KIND_MISSED_IN_A_ROW = "clients.missed_in_a_row"

DIGEST_HOUR = 7
CLIENT_REMINDER_HOUR = 9
CLIENT_QUIET_FROM_HOUR = 20  # no messages to clients from this hour until the next morning
ORDERS_ENDING_DAYS = 30
MISSED_IN_A_ROW = 3
MISSED_LOOKBACK = timedelta(days=2)  # recorded outcomes older than this never notify
DIGEST_LIST_LIMIT = 10
REMINDED_KINDS = (
    ContactKind.REPORT,
    ContactKind.REMOTE_REPORT,
    ContactKind.HOME_VISIT,
    ContactKind.WORKPLACE_VISIT,
    ContactKind.GUARANTOR_VISIT,
)
IN_APP = (Channel.IN_APP,)
EXTERNAL = (Channel.EMAIL, Channel.WHATSAPP)


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _is_working_day(day: date) -> bool:
    return day.weekday() < 5  # Monday to Friday; public holidays are not known here yet


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:  # the page is not built yet: the inbox is the next best place
        return reverse("notifications:inbox")


def _short_date(value) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def _time(value: datetime) -> str:
    return date_format(timezone.localtime(value), "TIME_FORMAT")


# --- Morning digest for each PK --------------------------------------------------------------


def _responsible(row: dict) -> int | None:
    return row["officer_id"] or row["order__assigned_pk_id"]


def _contact_rows(qs) -> list[dict]:
    return list(
        qs.values(
            "id",
            "kind",
            "planned_at",
            "officer_id",
            "order__assigned_pk_id",
            "order__client__full_name",
            "order__client__register_number",
        ).order_by("planned_at", "id")
    )


def build_digests(now: datetime, *, any_day: bool = False) -> list[Draft]:
    """Today's digest for every PK who has not had it yet: on working days from 07:00, or on any
    day and hour with ``any_day`` (the demo, so that it shows one whenever it is tried)."""
    local = timezone.localtime(now)
    today = local.date()
    if not any_day and (not _is_working_day(today) or local.hour < DIGEST_HOUR):
        return []
    # Sweeps run every few minutes: skip officers whose digest for today already exists.
    done = Notification.objects.filter(kind=KIND_DIGEST, due_at=_at(today, DIGEST_HOUR))
    officers = list(
        User.objects.filter(role=Role.PK, is_active=True, office__isnull=False).exclude(
            pk__in=done.values("recipient_id")
        )
    )
    if not officers:
        return []
    ids = [u.pk for u in officers]
    mine = Q(officer_id__in=ids) | Q(officer__isnull=True, order__assigned_pk_id__in=ids)
    start = _at(today, 0)
    todays = _contact_rows(
        Contact.objects.planned().filter(
            mine, planned_at__gte=start, planned_at__lt=start + timedelta(days=1)
        )
    )
    overdue = _contact_rows(Contact.objects.awaiting_outcome(now=start).filter(mine))
    ending = list(
        SupervisionOrder.objects.ending_within(ORDERS_ENDING_DAYS, today)
        .filter(assigned_pk_id__in=ids)
        .values(
            "id",
            "assigned_pk_id",
            "supervision_end",
            "client__full_name",
            "client__register_number",
        )
        .order_by("supervision_end", "id")
    )
    per_officer: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for row in todays:
        per_officer[_responsible(row)]["today"].append(row)
    for row in overdue:
        per_officer[_responsible(row)]["overdue"].append(row)
    for row in ending:
        per_officer[row["assigned_pk_id"]]["ending"].append(row)

    preferences = preferences_for(officers)
    link = _url("clients:caseload")
    drafts: list[Draft] = []
    for officer in officers:
        sections = per_officer.get(officer.pk)
        if not sections:
            continue  # nothing to say: no empty digests
        fingerprint = today.isoformat()
        common = {
            "user": officer,
            "preference": preferences[officer.pk],
            "kind": KIND_DIGEST,
            "about": officer,
            "due_at": _at(today, DIGEST_HOUR),
            "link": link,
            "fingerprint": fingerprint,
        }
        drafts += user_drafts(
            **common,
            channels=IN_APP,
            render=lambda s=sections: (_digest_subject(today), _digest_body(s, today, names=True)),
        )
        drafts += user_drafts(
            **common,
            channels=EXTERNAL,
            render=lambda s=sections: (_digest_subject(today), _digest_body(s, today, names=False)),
        )
    return drafts


def _digest_subject(today: date) -> str:
    return _("Your day, %(date)s") % {"date": date_format(today, "DATE_FORMAT")}


def _client_label(row: dict, prefix: str, names: bool) -> str:
    if names:
        return f"{row[prefix + 'full_name']} ({row[prefix + 'register_number']})"
    return row[prefix + "register_number"]


def _more(rows: list, lines: list[str]) -> None:
    extra = len(rows) - DIGEST_LIST_LIMIT
    if extra > 0:
        lines.append(
            "- " + ngettext("and %(count)d more", "and %(count)d more", extra) % {"count": extra}
        )


def _digest_body(sections: dict[str, list], today: date, *, names: bool) -> str:
    kinds = dict(ContactKind.choices)
    lines: list[str] = []
    todays, overdue, ending = sections["today"], sections["overdue"], sections["ending"]
    lines.append(
        ngettext("Today's contacts: %(count)d", "Today's contacts: %(count)d", len(todays))
        % {"count": len(todays)}
    )
    for row in todays[:DIGEST_LIST_LIMIT]:
        lines.append(
            f"- {_time(row['planned_at'])} {kinds.get(row['kind'], row['kind'])} — "
            f"{_client_label(row, 'order__client__', names)}"
        )
    _more(todays, lines)
    lines.append("")
    lines.append(
        ngettext(
            "Contacts waiting for an outcome: %(count)d",
            "Contacts waiting for an outcome: %(count)d",
            len(overdue),
        )
        % {"count": len(overdue)}
    )
    for row in overdue[:DIGEST_LIST_LIMIT]:
        planned = timezone.localtime(row["planned_at"])
        lines.append(
            f"- {_short_date(planned)} {kinds.get(row['kind'], row['kind'])} — "
            f"{_client_label(row, 'order__client__', names)}"
        )
    _more(overdue, lines)
    lines.append("")
    lines.append(
        ngettext(
            "Orders ending within %(days)d days: %(count)d",
            "Orders ending within %(days)d days: %(count)d",
            len(ending),
        )
        % {"count": len(ending), "days": ORDERS_ENDING_DAYS}
    )
    for row in ending[:DIGEST_LIST_LIMIT]:
        days_left = (row["supervision_end"] - today).days
        lines.append(
            "- "
            + _("%(client)s — ends %(date)s (in %(days)d days)")
            % {
                "client": _client_label(row, "client__", names),
                "date": _short_date(row["supervision_end"]),
                "days": days_left,
            }
        )
    _more(ending, lines)
    return "\n".join(lines).strip()


def stale_digests(pending: Sequence[Notification], now: datetime) -> Iterable[int]:
    # A digest that could not go out on its day is not worth sending the next day.
    today = timezone.localdate(now)
    return [n.pk for n in pending if timezone.localdate(n.due_at) != today]


# --- The day before a planned report or visit, to the client ------------------------------------


def _client_channel(consent_phone: str, client) -> str | None:
    whatsapp_ok = notification_channels.available(Channel.WHATSAPP)
    sms_ok = notification_channels.available(Channel.SMS)
    on_whatsapp = consent_phone == normalise_phone(client.whatsapp)
    if whatsapp_ok and (on_whatsapp or not sms_ok):
        return Channel.WHATSAPP
    if sms_ok:
        return Channel.SMS
    return None


def _client_fingerprint(contact: Contact) -> str:
    return f"{contact.planned_at.isoformat()}|{contact.kind}"


def build_client_reminders(now: datetime) -> list[Draft]:
    local = timezone.localtime(now)
    if local.hour >= CLIENT_QUIET_FROM_HOUR:
        return []
    if not (
        notification_channels.available(Channel.WHATSAPP)
        or notification_channels.available(Channel.SMS)
    ):
        return []
    tomorrow = _at(local.date() + timedelta(days=1), 0)
    contacts = list(
        Contact.objects.planned()
        .filter(
            planned_at__gte=tomorrow,
            planned_at__lt=tomorrow + timedelta(days=1),
            kind__in=REMINDED_KINDS,
            order__status=OrderStatus.ACTIVE,
        )
        .select_related("order__client__office")
    )
    if not contacts:
        return []
    consents: dict[int, list[ClientMessageConsent]] = defaultdict(list)
    for consent in ClientMessageConsent.objects.current().filter(
        client_id__in={c.order.client_id for c in contacts}
    ):
        consents[consent.client_id].append(consent)
    due_at = _at(local.date(), CLIENT_REMINDER_HOUR)
    drafts = []
    for contact in contacts:
        client = contact.order.client
        given = [normalise_phone(client.whatsapp), normalise_phone(client.phone)]
        # Only a number the client still has on record, and only with consent for it.
        consent = next(
            (c for number in given if number for c in consents[client.pk] if c.phone == number),
            None,
        )
        if consent is None:
            continue
        channel = _client_channel(consent.phone, client)
        if channel is None:
            continue
        with translation.override("id"):  # clients read Bahasa Indonesia
            subject, body = _client_text(contact)
        drafts.append(
            Draft(
                kind=KIND_CLIENT_REMINDER,
                channel=channel,
                due_at=due_at,
                subject=subject,
                body=body,
                about=contact,
                phone=consent.phone,
                consent_id=consent.pk,
                language="id",
                fingerprint=_client_fingerprint(contact),
            )
        )
    return drafts


def _client_text(contact: Contact) -> tuple[str, str]:
    office = contact.order.client.office
    planned = timezone.localtime(contact.planned_at)
    values = {
        "office": office.name,
        "date": date_format(planned, "DATE_FORMAT"),
        "time": _time(planned),
        "phone": office.phone or "-",
    }
    subject = _("Reminder from %(office)s") % values
    if contact.kind == ContactKind.REPORT:
        body = _(
            "Please report in person at %(office)s tomorrow, %(date)s, at %(time)s. "
            "Bring your guidance card (kartu bimbingan)."
        )
    elif contact.kind == ContactKind.REMOTE_REPORT:
        body = _(
            "Your remote reporting (video call) with your probation officer is tomorrow, "
            "%(date)s, at %(time)s."
        )
    else:
        body = _("Your probation officer plans to visit you tomorrow, %(date)s, around %(time)s.")
    body = body % values + " " + _("If you cannot make it, call the office at %(phone)s.") % values
    return subject, body


def stale_client_reminders(pending: Sequence[Notification], now: datetime) -> Iterable[int]:
    """Moved, cancelled, recorded, or past its day: the reminder no longer applies."""
    local = timezone.localtime(now)
    stale = []
    for n in pending:
        contact = n.about
        if contact is None:
            continue  # the engine cancels those
        due_day = timezone.localdate(n.due_at)
        if (
            not contact.is_open
            or timezone.localdate(contact.planned_at) != due_day + timedelta(days=1)
            or n.fingerprint != _client_fingerprint(contact)
            or local.date() != due_day
            or local.hour >= CLIENT_QUIET_FROM_HOUR
        ):
            stale.append(n.pk)
    return stale


# --- Missed contacts ---------------------------------------------------------------------------


def _missed_text(contact: Contact, *, names: bool, in_a_row: int = 0) -> tuple[str, str]:
    client = contact.order.client
    who = f"{client.full_name} ({client.register_number})" if names else client.register_number
    values = {
        "client": who,
        "kind": contact.get_kind_display(),
        "date": _short_date(timezone.localtime(contact.planned_at)),
        "count": in_a_row,
    }
    if in_a_row:
        subject = _("%(client)s missed %(count)d contacts in a row") % values
        body = (
            _(
                "%(client)s did not attend the %(kind)s of %(date)s: that is %(count)d missed "
                "contacts in a row. Consider a written warning."
            )
            % values
        )
    else:
        subject = _("Missed contact: %(client)s") % values
        body = (
            _("%(client)s did not attend the %(kind)s of %(date)s without an acceptable reason.")
            % values
        )
    return subject, body


def build_missed(now: datetime) -> list[Draft]:
    contacts = list(
        Contact.objects.filter(outcome=Outcome.MISSED, cancelled_at__isnull=True)
        .annotate(noted_at=Coalesce("recorded_at", "happened_at", "planned_at"))
        .filter(noted_at__gte=now - MISSED_LOOKBACK, noted_at__lte=now)
        .select_related("order__client", "order__assigned_pk")
        .order_by(F("planned_at").desc(), "-id")
    )
    if not contacts:
        return []
    in_a_row = consecutive_missed({c.order_id for c in contacts})
    latest: dict[int, Contact] = {}
    for contact in contacts:  # newest first: the first seen per order is its latest miss
        latest.setdefault(contact.order_id, contact)
    streaks = {o: c for o, c in latest.items() if in_a_row.get(o, 0) >= MISSED_IN_A_ROW}
    supervisors: dict[int, list[User]] = defaultdict(list)
    if streaks:
        for user in User.objects.filter(
            role=Role.SUPERVISOR,
            is_active=True,
            office_id__in={c.order.client.office_id for c in streaks.values()},
        ):
            supervisors[user.office_id].append(user)
    recipients = [c.order.assigned_pk for c in contacts if c.order.assigned_pk_id]
    recipients += [u for users in supervisors.values() for u in users]
    preferences = preferences_for({u.pk: u for u in recipients}.values())

    drafts: list[Draft] = []

    def add(user: User, contact: Contact, kind: str, count: int = 0) -> None:
        common = {
            "user": user,
            "preference": preferences[user.pk],
            "kind": kind,
            "about": contact,
            "due_at": contact.noted_at,
            "fingerprint": contact.outcome,
        }
        for channels, names in ((IN_APP, True), (EXTERNAL, False)):
            drafts.extend(
                user_drafts(
                    **common,
                    channels=channels,
                    render=lambda n=names: _missed_text(contact, names=n, in_a_row=count),
                    link="" if names else _url("clients:contact_detail", contact.pk),
                )
            )

    for contact in contacts:
        if contact.order.assigned_pk_id:
            add(contact.order.assigned_pk, contact, KIND_MISSED)
    for order_id, contact in streaks.items():
        for user in supervisors.get(contact.order.client.office_id, []):
            add(user, contact, KIND_MISSED_IN_A_ROW, in_a_row[order_id])
    return drafts


def stale_missed(pending: Sequence[Notification], now: datetime) -> Iterable[int]:
    # The outcome was corrected (to attended or an acceptable absence), or the contact cancelled.
    return [
        n.pk
        for n in pending
        if n.about is not None
        and (n.about.outcome != Outcome.MISSED or n.about.cancelled_at is not None)
    ]


RULES = [
    Rule(
        name="clients.morning_digest",
        kinds=(KIND_DIGEST,),
        build=build_digests,
        stale=stale_digests,
    ),
    Rule(
        name="clients.client_reminders",
        kinds=(KIND_CLIENT_REMINDER,),
        build=build_client_reminders,
        stale=stale_client_reminders,
    ),
    Rule(
        name="clients.missed_contacts",
        kinds=(KIND_MISSED, KIND_MISSED_IN_A_ROW),
        build=build_missed,
        stale=stale_missed,
    ),
]
