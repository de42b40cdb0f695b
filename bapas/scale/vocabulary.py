"""Names, places and proportions for the synthetic national data set (see ``bapas.scale``)."""

from __future__ import annotations


def words(text: str) -> list[str]:
    return text.split()


MALE_FIRST = words(
    "Agus Budi Dedi Eko Fajar Hendra Irwan Joko Rizky Rizki Andi Ahmad Achmad Muhammad Moh. "
    "M. Mochammad Muhamad Abdul Slamet Bambang Wahyu Yusuf Arif Dimas Bayu Kholil Cholil "
    "Syaiful Saiful Imam Hadi Taufik Teguh Rudi Yoga Dwi Tri Rahmat Hasan Husein Zainal "
    "Ilham Fikri Gilang Aditya Ari Iwan Sugeng Anton Heru Edi Yohanes Made Ketut Wayan "
    "Nyoman Kevin Rafi Reza Doni Joni Dodi Ucok Asep Ujang Dadang Cecep Aan Firman Ridho "
    "Zulkifli"
)
FEMALE_FIRST = words(
    "Siti Dewi Sri Rina Nur Ayu Putri Wulan Fitri Yuli Indah Rahma Nurul Dian Ratna Eka Dwi "
    "Tri Anisa Annisa Umi Endang Maya Novi Vivi Lilis Tutik Khusnul Chusnul Yeni Yani Mega "
    "Desi Ni Luh Kadek Maria Agustina Nining Euis Neng Rosita"
)
FAMILY = words(
    "Santoso Hidayat Prasetyo Wijaya Saputra Setiawan Kurniawan Nugroho Pratama Firmansyah "
    "Hakim Rahman Rohman Syahputra Gunawan Susanto Suryadi Hermawan Ramadhan Maulana Fauzi "
    "Ridwan Mulyadi Sholeh Soleh Anwar Basuki Harahap Siregar Nasution Simanjuntak "
    "Sihombing Manurung Tanjung Lubis Wibowo Purnomo Kusuma Lestari Wahyuni Rahayu Puspita "
    "Anggraini Safitri Handayani Kartika Maharani Syahrial Chairul Khairul Effendi Efendi "
    "Hutapea Pangaribuan Sembiring Ginting Tarigan Situmorang Daeng Pattiasina Wenda Kogoya"
)
TITLES = ["S.H.", "S.Sos.", "S.Psi.", "S.H., M.H.", "S.Pd.", "A.Md.", "S.Kom.", "M.Si."]
RELIGIONS = (["islam"] * 86 + ["protestant"] * 7 + ["catholic"] * 3 + ["hindu"] * 2
             + ["buddhist"] + ["confucian"])
EDUCATION = ["none"] * 3 + ["sd"] * 25 + ["smp"] * 30 + ["sma"] * 35 + ["diploma"] * 3 + [
    "s1"] * 4
OCCUPATIONS = ["Buruh harian lepas", "Petani", "Pedagang", "Wiraswasta", "Sopir", "Nelayan",
               "Karyawan swasta", "Tukang bangunan", "Ojek daring", "Belum bekerja",
               "Pelajar", "Montir", "Penjahit", "Buruh pabrik"]
OFFENCES = [
    ("Pencurian", "Pasal 362 KUHP"), ("Pencurian dengan pemberatan", "Pasal 363 KUHP"),
    ("Penggelapan", "Pasal 372 KUHP"), ("Penipuan", "Pasal 378 KUHP"),
    ("Penganiayaan", "Pasal 351 KUHP"), ("Narkotika (penyalahguna)", "Pasal 127 UU 35/2009"),
    ("Narkotika (pengedar)", "Pasal 114 UU 35/2009"), ("Perjudian", "Pasal 303 KUHP"),
    ("Kecelakaan lalu lintas", "Pasal 310 UU 22/2009"), ("Pengeroyokan", "Pasal 170 KUHP"),
]
# (program, weight, months min, months max)
PROGRAMS = [("pb", 40, 6, 30), ("cb", 8, 4, 12), ("cmb", 8, 2, 6), ("asimilasi", 12, 3, 12),
            ("pidana_bersyarat", 8, 6, 24), ("pidana_pengawasan", 6, 6, 36)]
CHILD_PROGRAMS = [("diversi", 70, 3, 12), ("pb", 20, 6, 18), ("pidana_bersyarat", 10, 6, 12)]
RISK = ["rendah"] * 55 + ["sedang"] * 35 + ["tinggi"] * 10
INTERVAL = {"rendah": 30, "sedang": 14, "tinggi": 7}
CONTACT_KINDS = (["wajib_lapor"] * 70 + ["kunjungan_rumah"] * 12 + ["telepon"] * 8
                 + ["lapor_daring"] * 3 + ["kunjungan_kerja"] * 3 + ["kunjungan_penjamin"] * 2
                 + ["video", "kelompok"])
VISITS = {"kunjungan_rumah", "kunjungan_kerja", "kunjungan_penjamin"}
OUTCOMES = {  # per risk level: attended, attended-but-not-compliant, excused, missed
    "rendah": ["hadir_patuh"] * 84 + ["hadir_tidak_patuh"] * 6 + ["tidak_hadir_sah"] * 6
    + ["tidak_hadir"] * 4,
    "sedang": ["hadir_patuh"] * 78 + ["hadir_tidak_patuh"] * 8 + ["tidak_hadir_sah"] * 7
    + ["tidak_hadir"] * 7,
    "tinggi": ["hadir_patuh"] * 68 + ["hadir_tidak_patuh"] * 10 + ["tidak_hadir_sah"] * 8
    + ["tidak_hadir"] * 14,
}
NOTES = {
    "hadir_patuh": ["Klien melapor, kondisi baik.", "Klien hadir, bekerja sebagai buruh.",
                    "Kondisi klien baik, mengikuti bimbingan kepribadian.", ""],
    "hadir_tidak_patuh": ["Klien hadir tetapi belum mengikuti kegiatan kemandirian.",
                          "Klien hadir, belum melapor perubahan alamat."],
    "tidak_hadir_sah": ["Klien sakit, surat keterangan dokter.", "Ada keperluan keluarga."],
    "tidak_hadir": ["Klien tidak datang, tidak dapat dihubungi.", ""],
}
PARTNER_TEMPLATES = [
    # (name pattern, kind, pokmas group, services offered)
    ("Pokmas Lipas {city} Bidang Kemandirian dan Kepribadian", "pokmas", "independence",
     ["Pelatihan keterampilan kerja", "Bimbingan keagamaan", "Bantuan modal usaha"]),
    ("Pokmas Lipas {city} Bidang Hukum dan Kemasyarakatan", "pokmas", "law",
     ["Bantuan hukum", "Konseling psikososial"]),
    ("Dinas Sosial {regency}", "government", "", ["Bantuan sosial", "Konseling psikososial"]),
    ("Dinas Kependudukan dan Pencatatan Sipil {regency}", "government", "",
     ["Pembuatan dokumen kependudukan (KTP/KK)"]),
    ("Dinas Kesehatan {regency}", "government", "", ["Layanan kesehatan"]),
    ("BNN {regency}", "government", "", ["Rehabilitasi narkoba", "Konseling psikososial"]),
    ("Balai Latihan Kerja {city}", "government", "",
     ["Pelatihan keterampilan kerja", "Penempatan kerja"]),
    ("KUA Kecamatan {district}", "government", "", ["Pencatatan pernikahan",
                                                     "Bimbingan keagamaan"]),
]
PARTNER_WEIGHTS = [30, 12, 14, 10, 8, 10, 10, 6]  # the first partner is the busiest
REFERRAL_GOALS = ["Klien memiliki KTP-el dan KK yang sah.", "Klien mengikuti pelatihan sampai "
                  "selesai.", "Klien bebas dari penyalahgunaan narkoba.", "Klien memperoleh "
                  "pekerjaan tetap.", "Klien rutin mengikuti bimbingan keagamaan."]
SESSION_ACTIVITIES = ["Sesi pelatihan praktik.", "Konseling individu.", "Pemeriksaan kesehatan.",
                      "Pendampingan pengurusan dokumen.", "Bimbingan kelompok.",
                      "Kunjungan usaha klien."]


def title_name(raw: str) -> str:
    for prefix in ("KABUPATEN ", "KOTA ADM. ", "KOTA "):
        if raw.startswith(prefix):
            return raw[len(prefix):].title()
    return raw.title()
