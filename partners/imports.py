"""Importing an office's partners (with a contact person and their services) and agreements.

Same engine as the clients import (``clients.imports.engine``): upload, preview per row, confirm,
one transaction. A partner is matched by name among the partners the office works with; a
matching row adds only what is missing (services, the contact person), never overwrites the
register. An agreement is matched by its number for that partner and office. Writes go through
``partner_save`` and ``agreement_save``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bapas.models import ImportBatch, ImportRow
from clients.imports.engine import Importer, Judgement, ParsedRows, add_model_errors
from clients.imports.values import Col, SheetSpec, choice_map, key

from .models import Agreement, Partner, PartnerContact, Service
from .services import agreement_save, partner_save

S = ImportRow.Status
PARTNER_SHEET, AGREEMENT_SHEET = "Mitra", "Perjanjian"
EXAMPLE_NAME = "Contoh: Dinas Sosial Kabupaten Jember"

KIND_WORDS = {
    Partner.Kind.POKMAS: ("Pokmas Lipas", "pokmas"),
    Partner.Kind.GOVERNMENT: ("Instansi Pemerintah", "pemerintah", "instansi", "dinas"),
    Partner.Kind.UNIVERSITY: ("Perguruan Tinggi", "universitas", "kampus"),
    Partner.Kind.NGO: ("LSM", "NGO", "lembaga swadaya masyarakat", "yayasan"),
    Partner.Kind.EMPLOYER: ("Pemberi Kerja", "perusahaan", "employer"),
    Partner.Kind.FIGURE: ("Tokoh Agama/Masyarakat", "tokoh", "tokoh agama", "tokoh masyarakat"),
}
GROUP_WORDS = {
    Partner.PokmasGroup.LAW: ("Hukum dan Kemasyarakatan", "hukum"),
    Partner.PokmasGroup.INDEPENDENCE: ("Kemandirian dan Kepribadian", "kemandirian"),
    Partner.PokmasGroup.ECONOMY: ("Ekonomi",),
    Partner.PokmasGroup.SOCIAL: ("Sosial",),
}
ACTIVE_WORDS = {"yes": ("Ya", "aktif", "yes", "y"), "no": ("Tidak", "tidak aktif", "no", "n")}
AGREEMENT_WORDS = {
    Agreement.Kind.MOU: ("MoU", "nota kesepahaman", "memorandum of understanding"),
    Agreement.Kind.PKS: ("PKS", "perjanjian kerja sama", "perjanjian kerjasama"),
}
SEPARATORS = re.compile(r"[;\n]+")


def _choice(name, heading, enum, words, **kwargs) -> Col:
    labels = {value: str(enum(value).label) if enum else "" for value in words}
    return Col(name, heading, kind="choice", choices=choice_map(enum, words),
               allowed=tuple((spellings[0], labels[value] or spellings[0])
                             for value, spellings in words.items()), **kwargs)


def partner_sheets() -> tuple[SheetSpec, SheetSpec]:
    services = tuple((s.name, "") for s in Service.objects.filter(is_active=True))
    partners = (
        Col("name", "Nama Mitra", required=True,
            aliases=("Nama", "Nama Organisasi", "Nama Lembaga", "Nama Instansi"), width=34),
        _choice("kind", "Jenis Mitra", Partner.Kind, KIND_WORDS, required=True,
                aliases=("Jenis", "Jenis Organisasi"), width=22),
        _choice("pokmas_group", "Kelompok Pokmas", Partner.PokmasGroup, GROUP_WORDS,
                aliases=("Kelompok",), width=26),
        Col("address", "Alamat", width=34),
        Col("phone", "Telepon", kind="phone", aliases=("No Telepon", "No HP")),
        Col("email", "Email", kind="email", aliases=("E-mail", "Surel"), width=26),
        Col("services", "Layanan", aliases=("Layanan yang Diberikan", "Jenis Layanan"),
            allowed=services, width=34,
            note=str(_("Several services: separate them with a semicolon (;)."))),
        _choice("is_active", "Aktif (Ya/Tidak)", None, ACTIVE_WORDS, aliases=("Aktif", "Status"),
                width=10),
        Col("contact_name", "Narahubung", aliases=("Nama Narahubung", "Contact Person", "CP"),
            width=24),
        Col("contact_position", "Jabatan Narahubung", aliases=("Jabatan",)),
        Col("contact_phone", "Telepon Narahubung", kind="phone", aliases=("HP Narahubung",)),
        Col("contact_email", "Email Narahubung", kind="email", width=24),
    )
    agreements = (
        Col("partner", "Nama Mitra", required=True, aliases=("Mitra", "Nama"), width=34),
        _choice("kind", "Jenis Perjanjian", Agreement.Kind, AGREEMENT_WORDS, required=True,
                aliases=("Jenis",), width=12),
        Col("number", "Nomor Perjanjian", required=True, aliases=("Nomor", "No Perjanjian"),
            width=30),
        Col("title", "Judul", required=True, aliases=("Judul Perjanjian", "Perihal", "Tentang"),
            width=34),
        Col("parties", "Para Pihak", aliases=("Pihak",), width=34),
        Col("start_date", "Berlaku Mulai", required=True, kind="date",
            aliases=("Tanggal Mulai", "Mulai Berlaku", "Tanggal Perjanjian")),
        Col("end_date", "Berlaku Sampai", required=True, kind="date",
            aliases=("Tanggal Berakhir", "Berakhir", "Berlaku Hingga")),
    )
    return (
        SheetSpec(PARTNER_SHEET, partners, example=((
            EXAMPLE_NAME, "Instansi Pemerintah", "", "Jl. Kartini No. 1, Jember",
            "0331-123456", "dinsos@jemberkab.go.id",
            "; ".join(name for name, _meaning in services[:2]), "Ya", "Siti Rahayu",
            "Kepala Seksi Rehabilitasi Sosial", "0812-0000-1111", "siti@jemberkab.go.id",
        ),)),
        SheetSpec(AGREEMENT_SHEET, agreements, optional=True, example=((
            EXAMPLE_NAME, "PKS", "W15.PAS.PAS23-HM.05.02/2025", "Pembimbingan klien "
            "pemasyarakatan", "Bapas Kelas II Jember; Dinas Sosial Kabupaten Jember",
            date(2025, 1, 2), date(2027, 12, 31),
        ),)),
    )


SHEET_HELP = gettext_lazy(
    "Mitra: one row per partner organisation, with one contact person. Perjanjian (optional): "
    "one row per agreement (MoU or PKS), linked to the partner by its name."
)


class PartnerImporter(Importer):
    kind = ImportBatch.Kind.PARTNERS
    capability = "partners.manage"

    @property
    def sheets(self):
        return partner_sheets()

    def is_example(self, sheet: str, parsed: dict) -> bool:
        return parsed.get("name" if sheet == PARTNER_SHEET else "partner") == EXAMPLE_NAME

    def example_note(self, number: int) -> str:
        return _("Row %(row)d is the template's example and was skipped.") % {"row": number}

    def judge_main(self, rows: ParsedRows) -> dict[str, tuple]:
        """Judge the partner rows; returns {folded name: ("db", partner) | ("file", row)}."""
        columns = {c.name: c.heading for c in self.sheets[0].columns}
        catalogue = {key(s.name): s for s in Service.objects.filter(is_active=True)}
        # Two partners of the office with the same name: the row matches the first registered
        # (an unordered query would pick either, and a re-import could differ from the first).
        existing: dict[str, Partner] = {}
        for p in Partner.objects.filter(offices=self.office).order_by("pk").prefetch_related(
                "services", "contacts"):
            existing.setdefault(key(p.name), p)
        known: dict[str, tuple] = {name: ("db", p) for name, p in existing.items()}
        seen: dict[str, int] = {}
        for row, parsed in rows:
            name = parsed.get("name") or ""
            folded = key(name)
            row.summary = name
            services = []
            for wanted in SEPARATORS.split(parsed.get("services") or ""):
                if not wanted.strip():
                    continue
                service = catalogue.get(key(wanted))
                if service is None:
                    row.error(columns["services"], _(
                        "“%(service)s” is not in the service catalogue (see the sheet "
                        "“Pilihan”; an administrator adds new services).")
                        % {"service": wanted.strip()[:60]})
                else:
                    services.append(service)
            kind, group = parsed.get("kind"), parsed.get("pokmas_group")
            if kind == Partner.Kind.POKMAS and not group and columns["pokmas_group"] not in \
                    row.errors:
                row.error(columns["pokmas_group"], _("Choose the group of this Pokmas Lipas."))
            contact = {f: parsed.get(f"contact_{f}") or "" for f in
                       ("name", "position", "phone", "email")}
            if not contact["name"] and any(contact.values()):
                row.error(columns["contact_name"], _("Give the contact person's name."))
            if folded in seen:
                row.error(columns["name"], _(
                    "This partner is already in row %(row)d. Use one row per partner (several "
                    "agreements go in the sheet Perjanjian).") % {"row": seen[folded]})
            match = existing.get(folded)
            partner = match or Partner(
                name=name, kind=kind or "", pokmas_group=group or "",
                address=parsed.get("address") or "", phone=parsed.get("phone") or "",
                email=parsed.get("email") or "", is_active=parsed.get("is_active") != "no")
            if match is None:
                try:
                    partner.full_clean(exclude=["offices", "services"])
                except ValidationError as exc:
                    add_model_errors(row, exc, columns)
            if contact["name"]:
                try:
                    PartnerContact(partner=partner, **contact).full_clean(exclude=["partner"])
                except ValidationError as exc:
                    add_model_errors(row, exc, {f: columns[f"contact_{f}"] for f in contact})
            new_services = services
            new_contact = bool(contact["name"])
            if match is not None:
                have = {s.pk for s in match.services.all()}
                new_services = [s for s in services if s.pk not in have]
                names = {key(c.name) for c in match.contacts.all()}
                new_contact = bool(contact["name"]) and key(contact["name"]) not in names
                added = [s.name for s in new_services]
                if new_contact:
                    added.append(_("contact person %(name)s") % {"name": contact["name"]})
                if added:
                    row.status = S.MATCH
                    row.summary = _("%(name)s is already a partner; adds %(what)s.") % {
                        "name": match.name, "what": ", ".join(added)}
                else:
                    row.status = S.EXISTS
                    row.summary = _("%(name)s is already a partner of the office.") % {
                        "name": match.name}
                if any(parsed.get(f) and parsed.get(f) != getattr(match, f)
                       for f in ("address", "phone", "email")):
                    row.warnings.append(_("The register's address, phone and email are kept; "
                                          "edit the partner page to change them."))
            else:
                row.status = S.NEW
                row.summary = _("New partner %(name)s (%(kind)s).") % {
                    "name": name, "kind": Partner.Kind(kind).label if kind else "?"}
            row.payload = {"partner_pk": match.pk if match else None, "partner": partner,
                           "services": new_services,
                           "contact": contact if new_contact else None}
            if folded and folded not in seen:
                seen[folded] = row.number
                if row.ok and match is None:
                    known[folded] = ("file", row)
        return known

    def judge_second(self, rows: ParsedRows, partner_rows: ParsedRows,
                     known: dict[str, tuple]) -> None:
        """Judge the agreement rows: each names a partner of the file or of the office."""
        columns = {c.name: c.heading for c in self.sheets[1].columns}
        partner_ids = [ref.pk for kind, ref in known.values() if kind == "db"]
        taken = {(a.partner_id, key(a.number)) for a in Agreement.objects.filter(
            partner_id__in=partner_ids, office=self.office).only("partner_id", "number")}
        in_file: dict[tuple, int] = {}
        for row, parsed in rows:
            name = parsed.get("partner") or ""
            ref = known.get(key(name))
            if name and ref is None:
                row.error(columns["partner"], _(
                    "No partner of this name, neither in the sheet Mitra (without errors) nor "
                    "among your office's partners."))
            start, end = parsed.get("start_date"), parsed.get("end_date")
            if start and end and end < start:
                row.error(columns["end_date"], _("The agreement cannot end before it starts."))
            agreement = Agreement(
                kind=parsed.get("kind") or "", number=parsed.get("number") or "",
                title=parsed.get("title") or "", start_date=start, end_date=end,
                parties="\n".join(p.strip() for p in SEPARATORS.split(
                    parsed.get("parties") or "") if p.strip()))
            try:
                agreement.full_clean(exclude=["partner", "office", "document", "created_by"],
                                     validate_constraints=False)
            except ValidationError as exc:
                add_model_errors(row, exc, {"kind": columns["kind"], "number": columns["number"],
                                            "title": columns["title"],
                                            "start_date": columns["start_date"],
                                            "end_date": columns["end_date"],
                                            "parties": columns["parties"]})
            row.status = S.NEW
            label = f"{(parsed.get('kind') or '').upper()} {agreement.number}".strip()
            row.summary = _("Agreement %(number)s with %(partner)s.") % {
                "number": label, "partner": name}
            if ref is not None and row.ok:
                identity = ref[1].pk if ref[0] == "db" else f"row{ref[1].number}"
                mark = (identity, key(agreement.number))
                if ref[0] == "db" and (ref[1].pk, key(agreement.number)) in taken:
                    row.status = S.EXISTS
                    row.summary = _("Agreement %(number)s with %(partner)s is already "
                                    "recorded.") % {"number": label, "partner": name}
                elif mark in in_file:
                    row.status = S.EXISTS
                    row.summary = _("The same agreement as row %(row)d.") % {
                        "row": in_file[mark]}
                else:
                    in_file[mark] = row.number
            row.payload = {"ref": (ref[0], ref[1].pk if ref[0] == "db" else ref[1].number)
                           if ref else None, "agreement": agreement}

    def commit(self, judgement: Judgement, progress: Callable[[int, int], None]) -> dict:
        rows = judgement.importable
        created: dict[int, Partner] = {}  # row number -> partner
        counts = {"partners": 0, "contact_people": 0, "agreements": 0}
        offices = [self.office] if self.by.is_admin else None
        for index, row in enumerate(rows, start=1):
            payload = row.payload
            if row.sheet == PARTNER_SHEET:
                if payload["partner_pk"]:
                    partner = Partner.objects.get(pk=payload["partner_pk"])
                    services = [*partner.services.all(), *payload["services"]]
                    partner = partner_save(partner=partner, by=self.by, services=services)
                else:
                    partner = payload["partner"]
                    partner = partner_save(partner=partner, by=self.by,
                                           services=payload["services"], offices=offices)
                    counts["partners"] += 1
                    created[row.number] = partner
                if payload["contact"]:
                    contact = PartnerContact(partner=partner, **payload["contact"])
                    contact._history_user = self.by
                    contact.save()
                    counts["contact_people"] += 1
                row.target = partner.name
            else:
                kind, ref = payload["ref"]
                partner = Partner.objects.get(pk=ref) if kind == "db" else created[ref]
                draft = payload["agreement"]
                agreement_save(
                    partner=partner, by=self.by, office=self.office, kind=draft.kind,
                    number=draft.number, title=draft.title, start_date=draft.start_date,
                    end_date=draft.end_date, parties=draft.parties)
                counts["agreements"] += 1
                row.target = f"{partner.name} · {draft.number}"
            progress(index, len(rows))
        return counts
