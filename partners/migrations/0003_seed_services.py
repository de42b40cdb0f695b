"""The service catalogue of domain.md, named as users see them. Administrators edit it later."""

from django.db import migrations

SERVICES = [
    ("Pelatihan keterampilan kerja",
     "Pelatihan keterampilan kerja dan kewirausahaan (menjahit, las, otomotif, tata boga, dll.)."),
    ("Konseling psikososial", "Konseling individu atau kelompok, dukungan psikologis dan sosial."),
    ("Layanan kesehatan", "Pemeriksaan dan pengobatan, BPJS Kesehatan, rujukan ke puskesmas."),
    ("Rehabilitasi narkoba", "Asesmen dan rehabilitasi rawat jalan atau rawat inap."),
    ("Pembuatan dokumen kependudukan (KTP/KK)",
     "Perekaman KTP-el, penerbitan atau perubahan Kartu Keluarga dan akta."),
    ("Bimbingan keagamaan", "Bimbingan rohani dan keagamaan oleh tokoh agama atau penyuluh."),
    ("Pencatatan pernikahan", "Bimbingan perkawinan dan pencatatan nikah di KUA."),
    ("Bantuan sosial", "Bantuan sosial dan pendataan DTKS (PKH, BPNT, sembako)."),
    ("Bantuan hukum", "Konsultasi dan pendampingan hukum oleh pemberi bantuan hukum."),
    ("Penempatan kerja", "Informasi lowongan, penyaluran dan penempatan kerja."),
    ("Bantuan modal usaha", "Bantuan modal atau peralatan usaha dan pendampingan usaha mikro."),
]


def seed(apps, schema_editor):
    Service = apps.get_model("partners", "Service")
    for name, description in SERVICES:
        Service.objects.get_or_create(name=name, defaults={"description": description})


class Migration(migrations.Migration):

    dependencies = [
        ("partners", "0002_services_agreements_referrals"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
