"""Everything that happens on the cases: contacts, status changes and casework, referrals with
their sessions, and meetings. Mixed into ``Seeder``; the order and office records come from it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta

from django.utils import timezone

from .common import DAY, OrderInfo, model
from .vocabulary import (
    CONTACT_KINDS,
    INTERVAL,
    NOTES,
    OUTCOMES,
    PARTNER_WEIGHTS,
    REFERRAL_GOALS,
    SESSION_ACTIVITIES,
    VISITS,
)


class ActivityMixin:
# -- contacts --

    def _contact_span(self, info: OrderInfo) -> tuple[int, int]:
        last = info.closed if info.closed else min(info.end, self.t + 21)
        return info.start, max(info.start, last)

    def seed_contacts(self) -> None:
        Contact = model("clients.Contact")
        r = self.rng.random
        weights = []
        for info in self.orders:
            first, last = self._contact_span(info)
            weights.append((last - first) / INTERVAL[info.risk])
        factor = self.o.contacts / (sum(weights) or 1)
        counts = []
        for w in weights:
            expected = w * factor
            counts.append(int(expected) + (1 if r() < expected - int(expected) else 0))
        ids = iter(self.next_ids("clients.Contact", sum(counts)))
        days: dict[int, date] = {}
        tz, t, now = self.tz, self.t, self.now
        now_hour = timezone.localtime(now).hour

        def moment(ordinal: int, hour: int, minute: int) -> datetime:
            d = days.get(ordinal)
            if d is None:
                d = days[ordinal] = date.fromordinal(ordinal)
            return datetime(d.year, d.month, d.day, hour, minute, tzinfo=tz)

        def rows() -> Iterator[tuple]:
            for info, n in zip(self.orders, counts, strict=True):
                if not n:
                    continue
                first, last = self._contact_span(info)
                step = (last - first) / n
                outcomes = OUTCOMES[info.risk]
                officer = info.pk
                office = self.offices[info.office]
                for k in range(n):
                    day = self.weekday(first + int((k + 0.2 + 0.6 * r()) * step))
                    hour, minute = 8 + int(r() * 7), int(r() * 4) * 15
                    planned = moment(day, hour, minute)
                    kind = CONTACT_KINDS[int(r() * len(CONTACT_KINDS))]
                    outcome = notes = place = reason = cancel_reason = justification = ""
                    happened = checked_in = recorded_by = recorded_at = None
                    moved_from = cancelled = None
                    future = day > t or (day == t and hour >= now_hour)
                    roll = r()
                    if kind == "lapor_daring":
                        justification = "Klien bekerja di luar kota."
                    if roll < 0.015:
                        cancelled = planned - DAY
                        cancel_reason = "Klien dirawat di rumah sakit."
                    elif future or (day >= t - 21 and roll < 0.22) or roll > 0.997:
                        pass  # planned, or past and still waiting for its outcome
                    else:
                        outcome = outcomes[int(r() * len(outcomes))]
                        happened = planned + timedelta(minutes=int(r() * 50))
                        recorded_by = officer or office.operator
                        recorded_at = happened + timedelta(hours=1 + int(r() * 30))
                        notes = NOTES[outcome][int(r() * len(NOTES[outcome]))]
                        if kind in VISITS:
                            place = "Rumah klien" if kind == "kunjungan_rumah" else (
                                "Tempat kerja klien" if kind == "kunjungan_kerja"
                                else "Rumah penjamin")
                        if kind == "wajib_lapor" and outcome in ("hadir_patuh",
                                                                 "hadir_tidak_patuh"):
                            checked_in = happened - timedelta(minutes=10)
                    if roll > 0.97 and roll <= 0.997:
                        moved_from = planned - timedelta(days=2 + int(r() * 5))
                        reason = "Klien meminta jadwal ulang."
                    yield (next(ids), info.id, kind, planned, officer, outcome, happened, notes,
                           place, justification, checked_in, recorded_by, recorded_at,
                           moved_from, reason, cancelled, cancel_reason, officer or office.operator,
                           planned - timedelta(days=7))

        self.loader.load(Contact, [
            "id", "order", "kind", "planned_at", "officer", "outcome", "happened_at", "notes",
            "place", "remote_justification", "checked_in_at", "recorded_by", "recorded_at",
            "rescheduled_from", "reschedule_reason", "cancelled_at", "cancel_reason",
            "created_by", "created_at"], rows())

    # -- status changes, warnings, revocations, case notes, message consents --

    def seed_casework(self) -> None:
        r = self.rng.random
        StatusChange = model("clients.OrderStatusChange")
        Revocation, Warning = model("clients.RevocationProposal"), model("clients.WarningLetter")
        CaseNote = model("clients.CaseNote")
        changes, revocations, warnings, notes = [], [], [], []
        reasons = {"selesai": "Masa bimbingan berakhir.", "dicabut": "Pencabutan disetujui TPP.",
                   "dialihkan": "Klien pindah domisili.", "meninggal": "Klien meninggal dunia."}
        for info in self.orders:
            office = self.offices[info.office]
            supervisor = office.supervisors[0]
            if info.closed:
                when = self.at(info.closed, 14)
                changes.append((self.next_id("clients.OrderStatusChange"), info.id, "aktif",
                                info.status, date.fromordinal(info.closed),
                                reasons[info.status], supervisor, when))
            if info.status == "dicabut":
                proposed = self.at(max(info.start, info.closed - 20), 10)
                revocations.append((self.next_id("clients.RevocationProposal"), info.id,
                                    "Tiga kali tidak wajib lapor tanpa alasan.",
                                    info.pk or supervisor, proposed, "approved", office.head,
                                    self.at(info.closed, 13), "Disetujui sidang TPP.",
                                    f"PAS.{office.no}-{info.id}/2025",
                                    date.fromordinal(info.closed)))
                for level in ("sp1", "sp2")[: 1 + int(r() * 2)]:
                    warnings.append((self.next_id("clients.WarningLetter"), info.id, level,
                                     f"W.{office.no}/{level.upper()}/{info.id}",
                                     date.fromordinal(max(info.start, info.closed - 40)),
                                     "Tidak wajib lapor tanpa alasan sah.", info.pk or supervisor,
                                     self.at(info.closed - 40, 11)))
            elif info.status == "aktif" and info.risk == "tinggi" and r() < 0.05:
                revocations.append((self.next_id("clients.RevocationProposal"), info.id,
                                    "Klien tidak hadir wajib lapor tiga kali berturut-turut.",
                                    info.pk or supervisor, self.at(self.t - int(r() * 20), 10),
                                    "pending", None, None, "", "", None))
            if r() < 0.3:
                _, last = self._contact_span(info)
                day = info.start + int(r() * max(1, min(last, self.t) - info.start))
                notes.append((self.next_id("clients.CaseNote"), info.client, info.id,
                              "Klien menunjukkan perkembangan baik dalam bimbingan kemandirian.",
                              r() < 0.8, info.pk or supervisor, self.at(day, 15)))
        self.loader.load(StatusChange, ["id", "order", "from_status", "to_status",
                                        "effective_date", "reason", "changed_by",
                                        "changed_at"], changes)
        self.loader.load(Revocation, ["id", "order", "reasons", "proposed_by", "proposed_at",
                                      "status", "decided_by", "decided_at", "decision_reason",
                                      "decree_number", "decree_date"], revocations)
        self.loader.load(Warning, ["id", "order", "level", "number", "issued_on", "reason",
                                   "issued_by", "created_at"], warnings)
        self.loader.load(CaseNote, ["id", "client", "order", "text", "confidential", "author",
                                    "created_at"], notes)
        # Four in ten clients with WhatsApp agreed to reminders (the sweep's client messages).
        Consent = model("bapas.ClientMessageConsent")
        consents, seen = [], set()
        for info in self.orders:
            number = self.whatsapp.get(info.client)
            if info.status != "aktif" or not number or info.client in seen or r() >= 0.4:
                continue
            seen.add(info.client)
            consents.append((self.next_id("bapas.ClientMessageConsent"), info.client,
                             "62" + number[1:], self.at(info.start, 11), "written",
                             info.pk or self.offices[info.office].operator))
        self.loader.load(Consent, ["id", "client", "phone", "given_at", "method",
                                   "recorded_by"], consents)

    # -- referrals, their events, goals, sessions and reports --

    def _referral_status(self, age: int, order_closed: bool) -> str:
        r = self.rng.random()
        if order_closed and age > 30:
            table = [("completed", 0.62), ("ended_early", 0.74), ("declined", 0.84),
                     ("withdrawn", 1.0)]
        elif age <= 14:
            table = [("draft", 0.15), ("sent", 0.6), ("accepted", 0.85), ("in_progress", 1.0)]
        elif age <= 180:
            table = [("draft", 0.01), ("sent", 0.05), ("accepted", 0.11), ("in_progress", 0.56),
                     ("completed", 0.81), ("declined", 0.89), ("withdrawn", 0.94),
                     ("ended_early", 1.0)]
        else:
            table = [("draft", 0.01), ("sent", 0.02), ("in_progress", 0.07), ("completed", 0.72),
                     ("ended_early", 0.82), ("declined", 0.92), ("withdrawn", 1.0)]
        return next(status for status, edge in table if r < edge)

    def seed_referrals(self) -> None:
        Referral, Event = model("partners.Referral"), model("partners.ReferralEvent")
        Goal, Session = model("partners.ReferralGoal"), model("partners.ServiceSession")
        Report = model("partners.ServiceReport")
        r = self.rng.random
        weighted = [i for i, w in enumerate(PARTNER_WEIGHTS) for _ in range(w)]
        referral_ids = self.next_ids("partners.Referral", self.o.referrals)
        referrals, events, goals, reports, served = [], [], [], [], []
        for referral_id in referral_ids:
            info = self.orders[int(r() * len(self.orders))]
            office = self.offices[info.office]
            partner = office.partners[weighted[int(r() * len(weighted))]]
            staff = self.partner_staff[partner]
            service = self.pick(self.partner_services[partner])
            pk = info.pk or office.supervisors[0]
            _, last = self._contact_span(info)
            created_day = info.start + int(r() * max(1, min(last, self.t) - info.start))
            created = self.at(min(created_day, self.t), 9, int(r() * 60))
            status = self._referral_status(self.t - created_day, bool(info.closed))
            sent = accepted = closed = None
            reason = ""
            chain = [("", "draft", created, pk, "")]
            if status != "draft":
                sent = created + timedelta(hours=1 + int(r() * 48))
                chain.append(("draft", "sent", sent, pk, ""))
            if status in ("accepted", "in_progress", "completed", "ended_early"):
                accepted = sent + timedelta(days=1 + int(r() * 9))
                chain.append(("sent", "accepted", accepted, staff, ""))
                if status != "accepted":
                    chain.append(("accepted", "in_progress", accepted + DAY, staff, ""))
            if status in ("completed", "ended_early"):
                closed = accepted + timedelta(days=30 + int(r() * 120))
                reason = "" if status == "completed" else "Klien pindah ke luar daerah."
                chain.append(("in_progress", status, closed, staff, reason))
            elif status in ("declined", "withdrawn"):
                closed = sent + timedelta(days=1 + int(r() * 14))
                reason = ("Layanan penuh bulan ini." if status == "declined"
                          else "Klien sudah mendapat layanan dari pihak lain.")
                chain.append(("sent", status, closed, staff if status == "declined" else pk,
                              reason))
            if closed is not None and closed > self.now:
                closed = self.now - timedelta(hours=1)
                chain[-1] = (*chain[-1][:2], closed, *chain[-1][3:])
            referrals.append((
                referral_id, info.id, partner, service, "Mohon dibantu sesuai kebutuhan klien.",
                r() < 0.3, r() < 0.2, r() < 0.2, r() < 0.1, created.date(),
                "guardian" if info.child else ("written" if r() < 0.8 else "verbal"), status,
                reason, pk, created, sent, accepted, closed,
            ))
            for from_status, to_status, at, by, why in chain:
                events.append((self.next_id("partners.ReferralEvent"), referral_id, from_status,
                               to_status, why, by, at))
            for position in range(1 + (r() < 0.4)):
                goal_outcome = ""
                if status == "completed":
                    goal_outcome = "achieved" if r() < 0.7 else "partly"
                elif status == "ended_early":
                    goal_outcome = "not_achieved"
                goals.append((self.next_id("partners.ReferralGoal"), referral_id, position,
                              self.pick(REFERRAL_GOALS), goal_outcome))
            if status == "completed":
                reports.append((self.next_id("partners.ServiceReport"), referral_id,
                                "Layanan diberikan sesuai rencana; klien aktif mengikuti sesi.",
                                "Lanjutkan bimbingan kemandirian.", staff, closed))
            if accepted is not None:
                end = closed or self.now
                served.append((referral_id, staff, accepted, max(1, (end - accepted).days)))
        self.loader.load(Referral, [
            "id", "order", "partner", "service", "note_for_partner", "share_nik",
            "share_offence", "share_risk", "share_case_notes", "consent_given_at",
            "consent_method", "status", "closing_reason", "created_by", "created_at",
            "sent_at", "accepted_at", "closed_at"], referrals)
        del referrals
        self.loader.load(Event, ["id", "referral", "from_status", "to_status", "reason", "by",
                                 "at"], events)
        del events
        self.loader.load(Goal, ["id", "referral", "position", "description", "outcome"], goals)
        self.loader.load(Report, ["id", "referral", "summary", "recommendation",
                                  "submitted_by", "submitted_at"], reports)

        factor = self.o.sessions / (sum(span for *_, span in served) or 1)
        counts = []
        for *_, span in served:
            expected = span * factor
            counts.append(int(expected) + (1 if r() < expected - int(expected) else 0))
        ids = iter(self.next_ids("partners.ServiceSession", sum(counts)))

        def rows() -> Iterator[tuple]:
            for (referral_id, staff, accepted, span), n in zip(served, counts, strict=True):
                step = span / max(n, 1)
                for k in range(n):
                    day = (accepted + timedelta(days=int((k + r()) * step))).date()
                    roll = r()
                    attendance = "attended" if roll < 0.85 else ("absent" if roll < 0.95
                                                                 else "excused")
                    yield (next(ids), referral_id, day, (60, 90, 120)[int(r() * 3)], attendance,
                           SESSION_ACTIVITIES[int(r() * len(SESSION_ACTIVITIES))],
                           "Ada kemajuan." if attendance == "attended" else "", staff,
                           datetime(day.year, day.month, day.day, 16, tzinfo=self.tz))

        self.loader.load(Session, ["id", "referral", "date", "duration_minutes", "attendance",
                                   "activity", "progress", "logged_by", "logged_at"], rows())

    # -- meetings --

    def seed_meetings(self) -> None:
        Meeting = model("meetings.Meeting")
        names = ["AgendaItem", "Invitation", "MeetingClient", "Attendance", "Decision",
                 "ActionItem"]
        AgendaItem, Invitation, MeetingClient, Attendance, Decision, ActionItem = (
            model(f"meetings.{name}") for name in names)
        r = self.rng.random
        kinds = ["coordination"] * 40 + ["tpp"] * 35 + ["case_conference"] * 20 + ["other"] * 5
        meetings, agenda, invitations, linked, attendance, decisions, actions = (
            [], [], [], [], [], [], [])
        partner_links = []
        first = self.window_start
        span = self.t + 30 - first
        for m in range(self.o.meetings):
            office = self.offices[m % len(self.offices)]
            meeting_id = self.next_id("meetings.Meeting")
            kind = kinds[int(r() * len(kinds))]
            day = self.weekday(first + int(r() * span))
            starts = self.at(day, 9 if r() < 0.6 else 13)
            past = day < self.t
            cancelled = self.at(day - 2, 8) if r() < 0.03 else None
            supervisor = office.supervisors[0]
            title = {
                "coordination": f"Rapat Koordinasi Pokmas Lipas {office.city}",
                "tpp": f"Sidang TPP Bapas {office.city}",
                "case_conference": "Konferensi kasus klien",
                "other": "Rapat internal",
            }[kind]
            meetings.append((
                meeting_id, office.id, kind, title, f"UND-{office.no}/{meeting_id}",
                starts.date(), starts, starts + timedelta(hours=2) if r() < 0.7 else None,
                f"Aula Bapas {office.city}", "", office.head, supervisor,
                "Rapat berjalan lancar; hasil dicatat di bawah." if past and not cancelled
                else "", starts + timedelta(hours=3) if past and not cancelled else None,
                cancelled, "Bentrok dengan kegiatan Kanwil." if cancelled else "", supervisor,
                starts - timedelta(days=7),
            ))
            for position, item in enumerate(("Pembukaan", "Pembahasan kasus", "Penutup")):
                agenda.append((self.next_id("meetings.AgendaItem"), meeting_id, position, item))
            invitees = sorted({self.pick(office.pks) for _ in range(3 + int(r() * 4))}
                              | {supervisor})
            for user_id in invitees:
                response = "confirmed" if past or r() < 0.5 else "pending"
                invitations.append((self.next_id("meetings.Invitation"), meeting_id, user_id,
                                    response, starts - timedelta(days=7)))
                if past and not cancelled and r() < 0.85:
                    attendance.append((self.next_id("meetings.Attendance"), meeting_id, user_id,
                                       True, supervisor, starts))
            if kind == "coordination":
                for partner_id in sorted({self.pick(office.partners) for _ in range(3)}):
                    partner_links.append((self.next_id("meetings.Meeting_partners"), meeting_id,
                                          partner_id))
            if kind in ("tpp", "case_conference"):
                for client_id in sorted({self.pick(office.clients)
                                         for _ in range(1 + int(r() * 5))}):
                    linked.append((self.next_id("meetings.MeetingClient"), meeting_id,
                                   client_id, "", supervisor, starts - timedelta(days=3)))
            if past and not cancelled:
                decisions.append((self.next_id("meetings.Decision"), meeting_id, 0,
                                  "Disepakati tindak lanjut sesuai notulen."))
                if r() < 0.7:
                    due = date.fromordinal(day + 14)
                    done = due.toordinal() < self.t and r() < 0.7
                    owner_partner = self.pick(office.partners) if r() < 0.3 else None
                    actions.append((
                        self.next_id("meetings.ActionItem"), meeting_id,
                        "Menindaklanjuti hasil rapat.", None if owner_partner else
                        self.pick(office.pks), owner_partner, due, "done" if done else "open",
                        "Sudah dilaksanakan." if done else "",
                        self.at(due.toordinal(), 15) if done else None,
                        supervisor if done else None, supervisor, starts,
                    ))
        self.loader.load(Meeting, [
            "id", "office", "kind", "title", "number", "letter_date", "starts_at", "ends_at",
            "place", "online_link", "chair", "minutes_taker", "minutes", "minutes_updated_at",
            "cancelled_at", "cancel_reason", "created_by", "created_at"], meetings)
        self.loader.load(AgendaItem, ["id", "meeting", "position", "title"], agenda)
        self.loader.load(Invitation, ["id", "meeting", "user", "response", "invited_at"],
                         invitations)
        self.loader.load(Attendance, ["id", "meeting", "user", "present", "recorded_by",
                                      "recorded_at"], attendance)
        self.loader.load(Meeting.partners.through, ["id", "meeting", "partner"], partner_links)
        self.loader.load(MeetingClient, ["id", "meeting", "client", "note", "added_by",
                                         "added_at"], linked)
        self.loader.load(Decision, ["id", "meeting", "position", "text"], decisions)
        self.loader.load(ActionItem, [
            "id", "meeting", "description", "owner_user", "owner_partner", "due_date", "status",
            "completion_note", "completed_at", "completed_by", "created_by", "created_at"],
            actions)
