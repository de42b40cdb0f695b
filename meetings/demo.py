"""Demo meetings: the coordination meeting of the news article (Bapas Jember, 1 October 2024),
a TPP hearing and next week's meeting. Idempotent: meetings are found again by office and title.

Runs after the clients and partners demos. Partners are looked up by name; an organisation the
partners demo did not create is simply not invited (this module never creates partners).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from bapas.models import Role, User

from .models import ActionItem, Invitation, Meeting, MeetingKind
from .services import (
    AgendaRow,
    WalkIn,
    action_item_update,
    attendance_record,
    hearing_add_revocation,
    invitation_respond,
    meeting_save,
    minutes_save,
)

ARTICLE_TITLE = "Rapat Koordinasi Bapas Kelas II Jember dengan Pokmas Lipas dan Mitra Instansi"
HEARING_TITLE = "Sidang TPP: Usulan Pencabutan Program Bimbingan"
UPCOMING_TITLE = "Rapat Koordinasi Triwulan: Evaluasi Program Kemandirian Klien"

# (key, name fragments to look for): the partners named in the article.
ARTICLE_PARTNERS = [
    ("pokmas", ["Pokmas Lipas"]),
    ("dinsos", ["Dinas Sosial"]),
    ("dinkes", ["Dinas Kesehatan"]),
    ("dukcapil", ["Dukcapil", "Kependudukan dan Pencatatan Sipil"]),
    ("dp3akp", ["DP3AKP", "Pemberdayaan Perempuan"]),
    ("kua", ["KUA Kecamatan Ambulu", "KUA Ambulu", "Kantor Urusan Agama Kecamatan Ambulu"]),
    ("unej", ["FISIP", "Universitas Jember"]),
]

ARTICLE_AGENDA = [
    AgendaRow("Pembukaan dan arahan Kepala Bapas Kelas II Jember", "Kepala Bapas"),
    AgendaRow("Peran Pokmas Lipas dalam pembimbingan klien pemasyarakatan", "Kasubsi BKD"),
    AgendaRow("Program pelatihan keterampilan kerja dan dukungan psikososial bagi klien"),
    AgendaRow("Dukungan layanan sosial, kesehatan, administrasi kependudukan dan keagamaan"),
    AgendaRow("Tanya jawab dan rencana tindak lanjut"),
]

ARTICLE_MINUTES = """\
1. Pembukaan. Kepala Bapas menyampaikan bahwa koordinasi dengan Pokmas Lipas dan instansi mitra \
bertujuan menciptakan sinergi antara pemerintah dan masyarakat dalam mendukung klien yang \
menjalani masa bimbingan di luar lembaga pemasyarakatan.

2. Peran Pokmas Lipas. Pokmas Lipas merupakan mitra Bapas dalam pembinaan yang komprehensif dan \
menjadi jembatan antara klien dengan masyarakat luas, sehingga klien mendapat dukungan dan \
risiko pengulangan pelanggaran hukum berkurang.

3. Program dan pelatihan. Peserta membahas program pelatihan keterampilan kerja serta dukungan \
psikososial yang diperlukan agar klien lebih mudah berintegrasi kembali ke masyarakat. FISIP \
Universitas Jember menawarkan pendampingan psikososial oleh dosen dan mahasiswa.

4. Layanan instansi. Dinas Sosial, Dinas Kesehatan, Dukcapil, DP3AKP dan KUA Kecamatan Ambulu \
menyampaikan layanan yang dapat diakses klien: bantuan sosial, layanan kesehatan, perekaman \
KTP-el dan KK, perlindungan perempuan dan anak, serta bimbingan keagamaan dan pencatatan \
pernikahan.

5. Penutup. "Dengan koordinasi yang baik, kita bisa bersama-sama menciptakan lingkungan yang \
mendukung bagi mantan narapidana untuk memulai kehidupan yang lebih baik dan produktif."
"""

ARTICLE_DECISIONS = [
    "Bapas dan Pokmas Lipas menyusun jadwal bersama pelatihan keterampilan kerja bagi klien "
    "untuk triwulan IV 2024.",
    "Klien yang belum memiliki KTP-el atau KK didata oleh PK dan dirujuk ke Dukcapil untuk "
    "layanan jemput bola.",
    "Rapat koordinasi dengan mitra diadakan setiap triwulan; rapat berikutnya membahas evaluasi "
    "program kemandirian klien.",
]


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _next_weekday(weekday: int, today: date) -> date:
    """The given weekday (0 = Monday) of next week."""
    monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
    return monday + timedelta(days=weekday)


def _find_partners(office) -> dict[str, list]:
    from partners.models import Partner

    found: dict[str, list] = {}
    for key, fragments in ARTICLE_PARTNERS:
        condition = Q()
        for fragment in fragments:
            condition |= Q(name__icontains=fragment)
        matches = list(Partner.objects.filter(condition, offices=office).order_by("name"))
        if matches:
            found[key] = matches
    return found


def _meeting(office, title: str, creator) -> Meeting:
    meeting = Meeting.objects.filter(office=office, title=title).first()
    return meeting or Meeting(office=office, title=title, created_by=creator)


def seed(context) -> None:
    office = context.office
    users = context.users
    head = users["kabapas@demo.local"]
    kasubsi = users["kasubsi@demo.local"]
    pks = [users[email] for email in ("pk1@demo.local", "pk2@demo.local", "pk3@demo.local")]
    partners = _find_partners(office)
    invited_partners = [partner for group in partners.values() for partner in group]
    partner_staff = list(
        User.objects.filter(role=Role.PARTNER, partner__in=invited_partners, is_active=True)
    )

    _seed_article_meeting(office, head, kasubsi, pks, partners, invited_partners, partner_staff)
    _seed_hearing(office, head, kasubsi)
    _seed_upcoming(office, head, kasubsi, pks, invited_partners, partner_staff)


def _confirm(meeting: Meeting, users) -> None:
    confirmed = set(meeting.invitations.filter(
        response=Invitation.Response.CONFIRMED).values_list("user_id", flat=True))
    for user in users:
        if user.pk not in confirmed:
            invitation_respond(meeting=meeting, user=user,
                               response=Invitation.Response.CONFIRMED, by=user)


def _seed_article_meeting(office, head, kasubsi, pks, partners, invited_partners,
                          partner_staff) -> Meeting:
    day = date(2024, 10, 1)
    meeting = _meeting(office, ARTICLE_TITLE, kasubsi)
    meeting.kind = MeetingKind.COORDINATION
    meeting.number = "W15.PAS.PAS.15-UM.01.01-0921"
    meeting.letter_date = date(2024, 9, 24)
    meeting.starts_at, meeting.ends_at = _at(day, 9), _at(day, 12)
    meeting.place = "Aula Bapas Kelas II Jember, Jl. Kalimantan No. 29, Jember"
    meeting.online_link = ""
    meeting.notes = "Peserta dimohon membawa data layanan instansi yang dapat diakses klien."
    meeting.cancelled_at, meeting.cancel_reason = None, ""
    invitees = [head, kasubsi, *pks, *partner_staff]
    meeting = meeting_save(meeting=meeting, agenda=ARTICLE_AGENDA, partners=invited_partners,
                           invitees=invitees, by=kasubsi, notify_invitees=False)
    _confirm(meeting, invitees)

    # Organisations without a staff account in the demo sent a representative (walk-in).
    represented = {user.partner_id for user in partner_staff}
    walk_ins = [
        WalkIn(name=f"Perwakilan {partner.name}", organisation=partner.name)
        for partner in invited_partners if partner.pk not in represented
    ]
    attendance_record(meeting=meeting, present_user_ids=[user.pk for user in invitees],
                      walk_ins=walk_ins, keep_walk_in_ids=[], by=kasubsi)
    minutes_save(meeting=meeting, minutes=ARTICLE_MINUTES, decisions=ARTICLE_DECISIONS,
                 chair=head, minutes_taker=kasubsi, by=kasubsi)

    def first(key):
        return partners.get(key, [None])[0]

    actions = [
        ("Menyusun jadwal pelatihan keterampilan kerja bagi klien triwulan IV 2024.",
         first("pokmas"), None, date(2024, 10, 31),
         "Jadwal pelatihan menjahit dan perbengkelan disusun dan dibagikan kepada PK."),
        ("Mendata klien yang belum memiliki KTP-el atau KK dan merujuknya ke Dukcapil.",
         None, pks[0], date(2024, 10, 15),
         "14 klien didata; daftar diserahkan ke Dukcapil pada 14 Oktober 2024."),
        ("Layanan jemput bola perekaman KTP-el bagi klien yang terdata.",
         first("dukcapil"), None, date(2024, 11, 29), ""),
        ("Menyiapkan pendampingan psikososial oleh dosen dan mahasiswa FISIP bagi klien.",
         first("unej"), None, date(2024, 12, 13), ""),
    ]
    for description, owner_partner, owner_user, due, done_note in actions:
        if owner_partner is None and owner_user is None:
            continue  # the organisation is not in this demo
        item = ActionItem.objects.filter(meeting=meeting, description=description).first()
        if item is None:
            item = ActionItem(meeting=meeting, description=description, created_by=kasubsi)
        item.owner_partner, item.owner_user, item.due_date = owner_partner, owner_user, due
        item._history_user = kasubsi
        item.save()
        if done_note and item.status != ActionItem.Status.DONE:
            action_item_update(item=item, status=ActionItem.Status.DONE,
                               completion_note=done_note, by=kasubsi)
    return meeting


def _seed_hearing(office, head, kasubsi) -> Meeting:
    from clients.models import RevocationProposal

    day = _next_weekday(3, timezone.localdate())  # Thursday next week
    meeting = _meeting(office, HEARING_TITLE, kasubsi)
    meeting.kind = MeetingKind.TPP
    meeting.starts_at, meeting.ends_at = _at(day, 10), _at(day, 11, 30)
    meeting.place = "Ruang Sidang TPP Bapas Kelas II Jember"
    meeting.notes = "Berkas usulan pencabutan dibawa oleh PK yang mengusulkan."
    proposals = list(
        RevocationProposal.objects.filter(
            status=RevocationProposal.Status.PENDING, order__client__office=office
        ).select_related("order__client", "order__assigned_pk")
    )
    invitees = [head, kasubsi] + [
        p.order.assigned_pk for p in proposals if p.order.assigned_pk_id
    ]
    meeting.chair = head
    meeting = meeting_save(
        meeting=meeting,
        agenda=[AgendaRow("Pemeriksaan usulan pencabutan program bimbingan", "PK pengusul"),
                AgendaRow("Pertimbangan dan rekomendasi TPP")],
        partners=[], invitees=list(dict.fromkeys(invitees)), by=kasubsi, notify_invitees=False,
    )
    for proposal in proposals:
        hearing_add_revocation(meeting=meeting, proposal=proposal, by=kasubsi)
    return meeting


def _seed_upcoming(office, head, kasubsi, pks, invited_partners, partner_staff) -> Meeting:
    day = _next_weekday(1, timezone.localdate())  # Tuesday next week
    meeting = _meeting(office, UPCOMING_TITLE, kasubsi)
    meeting.kind = MeetingKind.COORDINATION
    meeting.number = ""
    meeting.starts_at, meeting.ends_at = _at(day, 9), _at(day, 11, 30)
    meeting.place = "Aula Bapas Kelas II Jember"
    meeting.online_link = "https://meet.example.org/bapas-jember-rakor"
    meeting.notes = "Mitra dimohon menyampaikan capaian layanan bagi klien selama triwulan ini."
    invitees = [head, kasubsi, *pks, *partner_staff]
    meeting = meeting_save(
        meeting=meeting,
        agenda=[AgendaRow("Capaian pelatihan keterampilan kerja klien", "Pokmas Lipas"),
                AgendaRow("Tindak lanjut rapat koordinasi sebelumnya", "Kasubsi BKD"),
                AgendaRow("Rencana program triwulan berikutnya")],
        partners=invited_partners, invitees=invitees, by=kasubsi, notify_invitees=False,
    )
    _confirm(meeting, [head, kasubsi, pks[0]])
    return meeting
