"""The translation table: every word the dashboards show, in Bahasa Indonesia and English.

Keys of PANELS are "<dashboard>.<panel>", of ROWS "<dashboard>.<row>". Descriptions
speak to an office manager in plain words: what the number means, not how it is computed.
"""

from dashboards.i18n import PanelText, Text

DASHBOARDS: dict[str, PanelText] = {
    "overview": PanelText(
        Text("Ringkasan Kantor", "Office Overview"),
        Text(
            "Apakah kantor memenuhi standar pelayanan saat ini, di layanan mana, dan mengapa "
            "tidak: antrean, warga yang menunggu melewati standar, loket buka, capaian "
            "terhadap target, jumlah warga dilayani, dan kepuasan masyarakat (IKM).",
            "Is the office meeting its service standard right now, where, and why not: "
            "queue, citizens waiting past the standard, open counters, achievement against "
            "the target, citizens served, and community satisfaction (IKM).",
        ),
    ),
    "region": PanelText(
        Text("Ringkasan Wilayah", "Region Overview"),
        Text(
            "Untuk kepala wilayah (kota atau provinsi) yang membawahi banyak kantor: semua "
            "kantor berdampingan, diurutkan menurut capaian tepat waktu hari ini (menurut "
            "zona waktu masing-masing kantor), dengan antrean, warga yang melewati dan "
            "mendekati standar, loket buka, dan IKM. Pilih beberapa kantor atau semua.",
            "For a head of region (city or province) who oversees many offices: every "
            "office side by side, ranked by today's on-time share (in each office's own "
            "time zone), with the queue, citizens past and near the standard, open counters "
            "and IKM. Choose several offices, or all.",
        ),
    ),
    "service": PanelText(
        Text("Rincian Layanan", "Service Detail"),
        Text(
            "Satu layanan di satu kantor: berapa lama warga menunggu dan dilayani, "
            "dibandingkan dengan standar pelayanannya.",
            "One service at one office: how long citizens wait and are served, compared "
            "with its service standard.",
        ),
    ),
    "counters": PanelText(
        Text("Loket", "Counters"),
        Text(
            "Seberapa sibuk setiap loket dan berapa lama loket melayani satu warga.",
            "How busy each counter is and how long it takes to serve one citizen.",
        ),
    ),
    "sla": PanelText(
        Text("Capaian Standar dan Jatah Keterlambatan", "SLA and Error Budget"),
        Text(
            "Per layanan: capaian terhadap target, sisa jatah keterlambatan (berapa banyak "
            "warga lagi boleh menunggu melewati standar sebelum target terlewati), dan "
            "seberapa cepat jatah itu terpakai.",
            "Per service: achievement against the target, the error budget left (how many "
            "more citizens may wait past the standard before the target is missed), and how "
            "fast it is being spent.",
        ),
    ),
    "pipeline": PanelText(
        Text("Kesehatan Jalur Data", "Pipeline Health"),
        Text(
            "Untuk petugas teknis: apakah pantau menerima, memproses, dan melaporkan "
            "data dari sistem antrean.",
            "For technical staff: is pantau receiving, processing and reporting the "
            "queue systems' data.",
        ),
    ),
}

ROWS: dict[str, Text] = {
    "overview.now": Text("Saat ini", "Right now"),
    "overview.forecast": Text("Perkiraan dan kebutuhan loket", "Outlook and counters needed"),
    "overview.standard": Text("Standar waktu tunggu", "Wait standard"),
    "overview.service": Text("Pelayanan hari ini", "Service today"),
    "overview.satisfaction": Text(
        "Kepuasan masyarakat (IKM), rentang waktu terpilih",
        "Community satisfaction (IKM), selected time range",
    ),
    "region.now": Text("Seluruh kantor saat ini", "All offices right now"),
    "region.ranking": Text("Peringkat kantor hari ini", "Offices ranked, today"),
    "region.trend": Text("Sepanjang hari", "Through the day"),
    "service.live": Text("Saat ini", "Right now"),
    "service.wait": Text("Waktu tunggu", "Waiting time"),
    "service.processing": Text("Waktu proses (lama dilayani)", "Processing time"),
    "counters.now": Text("Loket buka", "Open counters"),
    "counters.per_counter": Text(
        "Per loket, rentang waktu terpilih", "Per counter, selected time range"
    ),
    "sla.summary": Text(
        "Capaian per layanan, rentang waktu terpilih", "Per service, selected time range"
    ),
    "sla.burn": Text("Laju pemakaian jatah keterlambatan", "Error budget burn rate"),
    "sla.alerts": Text("Peringatan", "Alerts"),
    "pipeline.flow": Text("Aliran peristiwa", "Event flow"),
    "pipeline.workers": Text("Pemroses (worker)", "Workers"),
    "pipeline.gateway": Text("Gerbang HTTP (gateway)", "HTTP gateway"),
}

_QUANTILES = {
    "wait": Text(
        "Waktu tunggu: median dan 90% warga, dibanding standar",
        "Waiting time: median and 90% of citizens, against the standard",
    ),
    "processing": Text(
        "Waktu proses: median dan 90% warga, dibanding standar",
        "Processing time: median and 90% of citizens, against the standard",
    ),
}

# The same panel on the office overview and the service detail.
_NEAR_STANDARD = PanelText(
    Text("Mendekati standar", "Near the standard"),
    Text(
        "Warga yang sudah menunggu melewati batas peringatan (warn_at dari waktu tunggu "
        "maksimal, misalnya 80%) tetapi belum melewati standar. Mereka masih bisa "
        "dipanggil tepat waktu: panggil mereka lebih dulu atau buka loket tambahan.",
        "Citizens who have waited past the warning point (warn_at of the maximum "
        "waiting time, e.g. 80%) but not yet past the standard. They can still be "
        "called on time: call them first or open another counter.",
    ),
)

PANELS: dict[str, PanelText] = {
    # Office overview
    "overview.queue_now": PanelText(
        Text("Antrean sekarang", "Queue now"),
        Text(
            "Jumlah warga yang sedang menunggu dipanggil saat ini.",
            "How many citizens are waiting to be called right now.",
        ),
    ),
    "overview.near_standard_now": _NEAR_STANDARD,
    "overview.over_standard_now": PanelText(
        Text("Menunggu melewati standar", "Waiting past the standard"),
        Text(
            "Warga yang saat ini sudah menunggu lebih lama dari waktu tunggu maksimal "
            "layanannya dan belum dipanggil. Idealnya nol; jika tidak, panggil mereka lebih "
            "dulu atau buka loket tambahan.",
            "Citizens who have already waited longer than their service's maximum waiting "
            "time and have not been called yet. Ideally zero; if not, call them first or "
            "open another counter.",
        ),
    ),
    "overview.counters_open": PanelText(
        Text("Loket buka", "Open counters"),
        Text(
            "Jumlah loket yang sedang buka melayani (tidak termasuk loket yang sedang jeda).",
            "How many counters are open and serving now (paused counters not included).",
        ),
    ),
    "overview.oldest_wait": PanelText(
        Text("Tunggu terlama", "Longest wait"),
        Text(
            "Sudah berapa menit warga yang paling lama menunggu berada dalam antrean.",
            "How many minutes the citizen who has waited longest has been in the queue.",
        ),
    ),
    "overview.queue_by_service": PanelText(
        Text("Antrean per layanan", "Queue per service"),
        Text(
            "Warga yang menunggu saat ini, per layanan: di mana antrean menumpuk.",
            "Citizens waiting now, per service: where the queue builds up.",
        ),
    ),
    "overview.predicted_wait": PanelText(
        Text("Perkiraan waktu tunggu", "Predicted wait"),
        Text(
            "Berapa menit warga yang mengambil nomor antrean sekarang kira-kira akan "
            "menunggu, per layanan, dibandingkan dengan waktu tunggu maksimal menurut "
            "standar (batang bertanda standar). Jika perkiraan mendekati atau melewati "
            "standar, buka loket tambahan atau pindahkan petugas ke layanan itu sebelum "
            "warga terlambat.",
            "How many minutes a citizen who takes a ticket now should expect to wait, per "
            "service, compared with the standard's maximum waiting time (the bars marked "
            "standard). If the prediction comes near or above the standard, open another "
            "counter or move an officer to that service before citizens are late.",
        ),
    ),
    "overview.predicted_wait_trend": PanelText(
        Text("Perkiraan waktu tunggu sepanjang hari", "Predicted wait through the day"),
        Text(
            "Perkiraan waktu tunggu setiap layanan pada setiap saat; garis putus-putus merah "
            "adalah waktu tunggu maksimal setiap layanan. Garis yang naik mendekati standarnya "
            "memberi tanda lebih awal, sebelum ada warga yang terlambat.",
            "Each service's predicted wait at each moment; the dashed red lines are each "
            "service's maximum waiting time. A line climbing towards its standard warns "
            "early, before any citizen is late.",
        ),
    ),
    "overview.counters_needed": PanelText(
        Text("Loket dibutuhkan dan loket buka", "Counters needed and open"),
        Text(
            "Dibutuhkan: paling sedikit berapa loket harus buka agar setiap layanan mencapai "
            "targetnya, dengan jumlah warga yang datang dan lama pelayanan saat ini, jika "
            "semua loket yang buka saling membantu. Buka: loket yang buka sekarang. Selisih "
            "merah (di bawah nol) berarti loket kurang: buka loket lagi atau tunda istirahat "
            "petugas. Hijau berarti cukup.",
            "Needed: the fewest counters that must be open for every service to meet its "
            "target, at the current arrivals and service times, with all open counters "
            "helping each other. Open: the counters open now. A red gap (below zero) means "
            "too few counters: open another counter or put off an officer's break. Green "
            "means enough.",
        ),
    ),
    "overview.counters_by_service": PanelText(
        Text(
            "Loket dibutuhkan dan melayani per layanan",
            "Counters needed and serving per service",
        ),
        Text(
            "Per layanan: loket yang dibutuhkan seandainya layanan itu punya loket sendiri, "
            "dan loket yang sekarang melayaninya (setiap loket dibagi menurut panggilan "
            "terakhirnya, jadi bisa pecahan). Layanan yang dilayani lebih sedikit loket "
            "daripada yang dibutuhkan perlu petugas dari layanan yang loketnya lebih dari "
            "cukup. Jumlah per layanan bisa lebih besar daripada kebutuhan kantor, karena "
            "loket yang saling membantu cukup dengan lebih sedikit loket.",
            "Per service: the counters needed if the service had counters of its own, and "
            "the counters serving it now (each counter split by its recent calls, so it can "
            "be a fraction). A service with fewer counters serving than needed needs "
            "officers from services with more counters than they need. The services "
            "together may need more than the office does, because counters that help each "
            "other manage with fewer.",
        ),
    ),
    "overview.counters_trend": PanelText(
        Text(
            "Loket dibutuhkan dan buka sepanjang hari", "Counters needed and open through the day"
        ),
        Text(
            "Loket yang dibutuhkan (garis putus-putus merah) dan loket yang buka pada setiap "
            "saat: kapan loket kurang. Pakai untuk menyusun jadwal petugas dan jam istirahat "
            "hari-hari berikutnya.",
            "Counters needed (dashed red line) and counters open at each moment: when there "
            "were too few counters. Use it to plan officers' shifts and breaks for the next "
            "days.",
        ),
    ),
    "overview.prediction_error": PanelText(
        Text("Ketepatan perkiraan waktu tunggu", "Accuracy of the predicted wait"),
        Text(
            "Seberapa jauh perkiraan waktu tunggu saat nomor diambil meleset dari tunggu "
            "sebenarnya, dalam rentang waktu terpilih: untuk separuh warga paling banyak "
            "sebesar Median, untuk 9 dari 10 warga paling banyak sebesar angka 90%. Angka "
            "kecil berarti perkiraan dan kebutuhan loket dapat dipercaya; angka besar "
            "(misalnya setelah loket tiba-tiba tutup) berarti gunakan dengan hati-hati.",
            "How far the predicted wait at ticket issue was from the actual wait, in the "
            "selected time range: for half of the citizens at most the median, for 9 in 10 "
            "at most the 90% figure. Small numbers mean the predictions and counters needed "
            "can be trusted; large ones (for example after counters closed suddenly) mean "
            "use them with care.",
        ),
    ),
    "overview.prediction_error_by_service": PanelText(
        Text(
            "Meleset perkiraan per layanan, 90% warga",
            "Prediction error per service, 90% of citizens",
        ),
        Text(
            "Per layanan, untuk 9 dari 10 warga perkiraan waktu tunggu meleset paling banyak "
            "sebesar ini (rentang waktu terpilih). Di layanan dengan angka besar, jangan "
            "hanya mengandalkan perkiraan: lihat langsung antreannya.",
            "Per service, for 9 in 10 citizens the predicted wait was off by at most this "
            "much (selected time range). At a service with a large number, do not rely on "
            "the prediction alone: look at its queue.",
        ),
    ),
    "overview.compliance_hour": PanelText(
        Text("Tepat waktu, 1 jam terakhir", "On time, last hour"),
        Text(
            "Dari warga yang dipanggil dalam satu jam terakhir, berapa persen menunggu tidak "
            "lebih lama dari standar (Capaian), berapa persen yang ditargetkan (Target), dan "
            "selisihnya. Selisih hijau: target tercapai; merah: di bawah target.",
            "Of the citizens called in the last hour, the share who waited no longer than "
            "the standard (Achieved), the share aimed for (Target), and the gap. A green gap "
            "means the target is met; red means below target.",
        ),
    ),
    "overview.compliance_today": PanelText(
        Text("Tepat waktu, hari ini", "On time, today"),
        Text(
            "Seperti panel satu jam terakhir, tetapi sejak tengah malam hari ini di zona "
            "waktu kantor (WIB, WITA atau WIT). Warga yang pulang atau batal setelah "
            "menunggu melewati standar juga dihitung terlambat.",
            "Like the last-hour panel, but since midnight today in the office's time zone "
            "(WIB, WITA or WIT). Citizens who left or cancelled after waiting past the "
            "standard also count as late.",
        ),
    ),
    "overview.gap_by_service_today": PanelText(
        Text("Selisih dari target per layanan, hari ini", "Gap to target per service, today"),
        Text(
            "Per layanan, capaian tepat waktu hari ini dikurangi targetnya. Di atas nol "
            "(hijau) berarti target tercapai; di bawah nol (merah) menunjukkan layanan "
            "yang perlu perhatian.",
            "Per service, today's on-time share minus its target. Above zero (green) means "
            "the target is met; below zero (red) shows the services that need attention.",
        ),
    ),
    "overview.compliance_trend": PanelText(
        Text("Tepat waktu per layanan sepanjang hari", "On time per service through the day"),
        Text(
            "Untuk setiap saat, persentase warga yang menunggu tidak lebih lama dari standar "
            "dalam satu jam sebelumnya: kapan dan di layanan mana capaian turun.",
            "At each moment, the share of citizens who waited no longer than the standard "
            "in the hour before: when and at which service the achievement dropped.",
        ),
    ),
    "overview.issued_today": PanelText(
        Text("Nomor antrean diambil", "Tickets taken"),
        Text(
            "Jumlah warga yang mengambil nomor antrean sejak tengah malam hari ini (zona "
            "waktu kantor).",
            "How many citizens took a queue ticket since midnight today (the office's time zone).",
        ),
    ),
    "overview.served_today": PanelText(
        Text("Selesai dilayani", "Served"),
        Text(
            "Jumlah warga yang selesai dilayani sejak tengah malam hari ini (zona waktu kantor).",
            "How many citizens were fully served since midnight today (the office's time zone).",
        ),
    ),
    "overview.not_served_today": PanelText(
        Text("Tidak jadi dilayani", "Not served"),
        Text(
            "Warga yang tidak hadir saat dipanggil, dan warga yang membatalkan antreannya, "
            "sejak tengah malam hari ini. Angka yang naik sering berarti antrean terlalu lama.",
            "Citizens who did not show up when called, and citizens who cancelled, since "
            "midnight today. A rising number often means the queue is too long.",
        ),
    ),
    "overview.served_per_hour": PanelText(
        Text("Dilayani per jam", "Served per hour"),
        Text(
            "Jumlah warga yang selesai dilayani dalam setiap jam, per layanan.",
            "How many citizens were served in each hour, per service.",
        ),
    ),
    "overview.ikm": PanelText(
        Text("Nilai IKM", "IKM score"),
        Text(
            "Indeks Kepuasan Masyarakat (25 sampai 100) dari survei kepuasan dalam rentang "
            "waktu terpilih: rata-rata nilai setiap unsur survei yang dijawab, dikali 25. "
            "Warna mengikuti mutu pelayanan A sampai D.",
            "Community Satisfaction Index (25 to 100) from the satisfaction survey in the "
            "selected time range: the average score of each survey element answered, times "
            "25. The colour follows the service grade A to D.",
        ),
    ),
    "overview.ikm_category": PanelText(
        Text("Mutu pelayanan", "Service grade"),
        Text(
            "Mutu pelayanan menurut nilai IKM: A Sangat Baik (88,31-100), B Baik "
            "(76,61-88,30), C Kurang Baik (65,00-76,60), D Tidak Baik (25,00-64,99).",
            "Service grade from the IKM score: A Very good (88.31-100), B Good "
            "(76.61-88.30), C Fair (65.00-76.60), D Poor (25.00-64.99).",
        ),
    ),
    "overview.responses": PanelText(
        Text("Jawaban survei", "Survey responses"),
        Text(
            "Jumlah warga yang mengisi survei kepuasan dalam rentang waktu terpilih. Dengan "
            "sedikit jawaban, nilai IKM mudah berubah.",
            "How many citizens filled in the satisfaction survey in the selected time "
            "range. With few responses the IKM score moves easily.",
        ),
    ),
    "overview.ikm_by_service": PanelText(
        Text("IKM per layanan", "IKM per service"),
        Text(
            "Nilai IKM setiap layanan dalam rentang waktu terpilih, diwarnai menurut mutu "
            "pelayanan A sampai D.",
            "Each service's IKM score in the selected time range, coloured by service "
            "grade A to D.",
        ),
    ),
    # Service detail
    # Region overview
    "region.offices_below_target": PanelText(
        Text("Kantor di bawah target hari ini", "Offices below target today"),
        Text(
            "Berapa kantor yang hari ini memanggil lebih sedikit warga tepat waktu daripada "
            "targetnya.",
            "How many offices called fewer citizens on time today than their target.",
        ),
    ),
    "region.queue_total": PanelText(
        Text("Antrean sekarang, semua kantor", "Queue now, all offices"),
        Text(
            "Jumlah warga yang sedang menunggu di semua kantor yang dipilih.",
            "How many citizens are waiting now at all the chosen offices.",
        ),
    ),
    "region.near_standard_total": PanelText(
        Text("Mendekati standar, semua kantor", "Near the standard, all offices"),
        Text(
            "Warga yang sudah menunggu melewati batas peringatan tetapi belum melewati "
            "standar, di semua kantor yang dipilih: masih bisa dipanggil tepat waktu.",
            "Citizens past the warning point but not yet past the standard, at all the "
            "chosen offices: they can still be called on time.",
        ),
    ),
    "region.over_standard_total": PanelText(
        Text("Melewati standar, semua kantor", "Past the standard, all offices"),
        Text(
            "Warga yang sudah menunggu lebih lama dari waktu tunggu maksimal dan belum "
            "dipanggil, di semua kantor yang dipilih. Idealnya nol.",
            "Citizens who have waited longer than the maximum waiting time and have not "
            "been called yet, at all the chosen offices. Ideally zero.",
        ),
    ),
    "region.offices": PanelText(
        Text("Kantor berdampingan", "Offices side by side"),
        Text(
            "Satu baris per kantor, yang capaiannya paling rendah di atas: persentase warga "
            "yang dipanggil tepat waktu hari ini (sejak tengah malam di zona waktu kantor), "
            "target, selisih (merah: di bawah target), jumlah warga yang dipanggil hari ini, "
            "antrean sekarang, warga yang melewati dan mendekati standar sekarang, loket "
            "buka, dan IKM dalam rentang waktu dasbor. Klik judul kolom untuk mengurutkan "
            "menurut kolom lain.",
            "One row per office, the lowest achievement first: the share of citizens called "
            "on time today (since midnight in the office's time zone), the target, the gap "
            "(red: below target), citizens called today, the queue now, citizens past and "
            "near the standard now, open counters, and IKM over the dashboard's time range. "
            "Click a column's header to sort by it.",
        ),
    ),
    "region.gap_by_office": PanelText(
        Text("Selisih dari target per kantor, hari ini", "Gap to target per office, today"),
        Text(
            "Per kantor, capaian tepat waktu hari ini dikurangi targetnya, yang terendah di "
            "atas. Di bawah nol (merah): kantor yang perlu perhatian.",
            "Per office, today's on-time share minus its target, the lowest first. Below "
            "zero (red): the offices that need attention.",
        ),
    ),
    "region.queue_by_office": PanelText(
        Text("Antrean sekarang per kantor", "Queue now per office"),
        Text(
            "Warga yang menunggu saat ini per kantor, yang terpanjang di atas.",
            "Citizens waiting now per office, the longest queue first.",
        ),
    ),
    "region.over_standard_by_office": PanelText(
        Text("Melewati standar per kantor", "Past the standard per office"),
        Text(
            "Warga yang saat ini sudah menunggu melewati standar per kantor, yang terbanyak "
            "di atas.",
            "Citizens waiting past the standard now per office, the most first.",
        ),
    ),
    "region.ikm_by_office": PanelText(
        Text("IKM per kantor", "IKM per office"),
        Text(
            "Indeks Kepuasan Masyarakat (25 sampai 100) per kantor dalam rentang waktu "
            "dasbor, yang terendah di atas. Warna mengikuti mutu pelayanan A sampai D.",
            "Community satisfaction index (25 to 100) per office over the dashboard's time "
            "range, the lowest first. Colours follow the service grades A to D.",
        ),
    ),
    "region.compliance_trend": PanelText(
        Text("Tepat waktu per kantor sepanjang hari", "On time per office through the day"),
        Text(
            "Untuk setiap saat, persentase warga yang menunggu tidak lebih lama dari standar "
            "dalam satu jam sebelumnya, per kantor.",
            "At each moment, the share of citizens who waited no longer than the standard in "
            "the hour before, per office.",
        ),
    ),
    "region.queue_trend": PanelText(
        Text("Antrean per kantor sepanjang hari", "Queue per office through the day"),
        Text(
            "Jumlah warga yang menunggu per kantor: kapan antrean menumpuk di mana.",
            "Citizens waiting per office: when and where the queues build up.",
        ),
    ),
    "service.queue_now": PanelText(
        Text("Antrean sekarang", "Queue now"),
        Text(
            "Jumlah warga yang sedang menunggu layanan ini.",
            "How many citizens are waiting for this service now.",
        ),
    ),
    "service.near_standard_now": _NEAR_STANDARD,
    "service.over_standard_now": PanelText(
        Text("Menunggu melewati standar", "Waiting past the standard"),
        Text(
            "Warga yang sudah menunggu lebih lama dari waktu tunggu maksimal layanan ini "
            "dan belum dipanggil. Idealnya nol.",
            "Citizens who have waited longer than this service's maximum waiting time and "
            "have not been called yet. Ideally zero.",
        ),
    ),
    "service.oldest_wait": PanelText(
        Text("Tunggu terlama dan standar", "Longest wait and standard"),
        Text(
            "Sudah berapa menit warga yang paling lama menunggu berada dalam antrean, "
            "dibandingkan dengan waktu tunggu maksimal menurut standar pelayanan.",
            "How many minutes the longest-waiting citizen has been in the queue, compared "
            "with the maximum waiting time of the service standard.",
        ),
    ),
    "service.compliance_today": PanelText(
        Text("Tepat waktu, hari ini", "On time, today"),
        Text(
            "Dari warga yang dipanggil sejak tengah malam (zona waktu kantor), berapa persen "
            "menunggu tidak lebih lama dari standar (Capaian), berapa persen yang ditargetkan "
            "(Target), dan selisihnya: hijau berarti target tercapai, merah di bawah target.",
            "Of the citizens called since midnight (the office's time zone), the share who "
            "waited no longer than the standard (Achieved), the share aimed for (Target), and "
            "the gap: green means the target is met, red below target.",
        ),
    ),
    "service.wait_quantiles": PanelText(
        _QUANTILES["wait"],
        Text(
            "Dalam satu jam sebelum setiap titik: separuh warga menunggu paling lama "
            "sebesar garis median, dan 9 dari 10 warga paling lama sebesar garis 90%. Garis "
            "putus-putus merah adalah waktu tunggu maksimal menurut standar; garis 90% di "
            "atasnya berarti lebih dari satu dari sepuluh warga menunggu terlalu lama.",
            "In the hour before each point: half of the citizens waited at most the median "
            "line, and 9 in 10 at most the 90% line. The dashed red line is the standard's "
            "maximum waiting time; a 90% line above it means more than one citizen in ten "
            "waited too long.",
        ),
    ),
    "service.wait_heatmap": PanelText(
        Text("Sebaran waktu tunggu sepanjang waktu", "Spread of waiting times over time"),
        Text(
            "Setiap kotak menunjukkan berapa warga yang dipanggil dalam selang waktu itu "
            "dengan waktu tunggu dalam rentang tertentu (sumbu tegak). Warna lebih gelap "
            "berarti lebih banyak warga.",
            "Each cell shows how many citizens called in that interval waited for a time in "
            "a given range (vertical axis). Darker means more citizens.",
        ),
    ),
    "service.wait_distribution": PanelText(
        Text("Sebaran waktu tunggu, rentang terpilih", "Spread of waiting times, selected range"),
        Text(
            "Berapa warga yang menunggu sampai 30 detik, 1 menit, 2 menit, dan seterusnya "
            "(batas dalam detik) dalam rentang waktu terpilih.",
            "How many citizens waited up to 30 seconds, 1 minute, 2 minutes and so on "
            "(limits in seconds) in the selected time range.",
        ),
    ),
    "service.wait_breaches": PanelText(
        Text("Menunggu melewati standar, per jam", "Waits past the standard, per hour"),
        Text(
            "Jumlah warga dalam setiap jam yang menunggu lebih lama dari standar, termasuk "
            "yang akhirnya pulang atau batal.",
            "How many citizens in each hour waited longer than the standard, including "
            "those who finally left or cancelled.",
        ),
    ),
    "service.wait_compliance": PanelText(
        Text("Tepat waktu dan target", "On time and target"),
        Text(
            "Persentase warga yang menunggu tidak lebih lama dari standar dalam satu jam "
            "sebelum setiap titik. Garis putus-putus merah adalah target; di bawahnya "
            "berarti target tidak tercapai.",
            "The share of citizens who waited no longer than the standard in the hour before "
            "each point. The dashed red line is the target; below it the target is missed.",
        ),
    ),
    "service.processing_quantiles": PanelText(
        _QUANTILES["processing"],
        Text(
            "Lama warga dilayani di loket dalam satu jam sebelum setiap titik: separuh warga "
            "selesai dalam waktu garis median, dan 9 dari 10 warga dalam waktu garis 90%. "
            "Garis putus-putus merah adalah waktu proses maksimal menurut standar.",
            "How long citizens were served at the counter in the hour before each point: "
            "half were done within the median line, and 9 in 10 within the 90% line. The "
            "dashed red line is the standard's maximum processing time.",
        ),
    ),
    "service.processing_heatmap": PanelText(
        Text("Sebaran waktu proses sepanjang waktu", "Spread of processing times over time"),
        Text(
            "Setiap kotak menunjukkan berapa warga yang selesai dilayani dalam selang waktu "
            "itu dengan lama pelayanan dalam rentang tertentu (sumbu tegak).",
            "Each cell shows how many citizens finished in that interval after being served "
            "for a time in a given range (vertical axis).",
        ),
    ),
    "service.processing_distribution": PanelText(
        Text(
            "Sebaran waktu proses, rentang terpilih", "Spread of processing times, selected range"
        ),
        Text(
            "Berapa warga yang dilayani sampai 30 detik, 1 menit, 2 menit, dan seterusnya "
            "(batas dalam detik) dalam rentang waktu terpilih.",
            "How many citizens were served within 30 seconds, 1 minute, 2 minutes and so on "
            "(limits in seconds) in the selected time range.",
        ),
    ),
    "service.processing_breaches": PanelText(
        Text("Pelayanan melewati standar, per jam", "Processing past the standard, per hour"),
        Text(
            "Jumlah warga dalam setiap jam yang dilayani lebih lama dari waktu proses "
            "maksimal menurut standar.",
            "How many citizens in each hour were served for longer than the standard's "
            "maximum processing time.",
        ),
    ),
    "service.processing_compliance": PanelText(
        Text("Proses tepat waktu dan target", "Processing on time and target"),
        Text(
            "Persentase warga yang dilayani tidak lebih lama dari standar dalam satu jam "
            "sebelum setiap titik. Garis putus-putus merah adalah target.",
            "The share of citizens served within the standard in the hour before each "
            "point. The dashed red line is the target.",
        ),
    ),
    # Counters
    "counters.counters_open": PanelText(
        Text("Loket buka sekarang", "Counters open now"),
        Text(
            "Jumlah loket yang sedang buka melayani (tidak termasuk yang sedang jeda).",
            "How many counters are open and serving now (paused ones not included).",
        ),
    ),
    "counters.counters_open_trend": PanelText(
        Text("Loket buka sepanjang waktu", "Open counters over time"),
        Text(
            "Berapa loket yang buka pada setiap saat: bandingkan dengan antrean untuk "
            "melihat apakah jumlah loket mengikuti jumlah warga.",
            "How many counters were open at each moment: compare with the queue to see "
            "whether the counters follow the number of citizens.",
        ),
    ),
    "counters.utilisation": PanelText(
        Text("Kesibukan loket", "Counter utilisation"),
        Text(
            "Bagian waktu buka setiap loket yang dipakai untuk melayani warga. Waktu buka "
            "tercatat setiap kali loket jeda atau tutup, jadi loket yang masih buka sejak "
            "pagi baru terlihat lengkap setelah jeda atau tutup pertamanya.",
            "The share of each counter's open time spent serving citizens. Open time is "
            "recorded whenever a counter pauses or closes, so a counter open since the "
            "morning is only complete after its first pause or close.",
        ),
    ),
    "counters.busy_hours": PanelText(
        Text("Jam melayani per loket", "Serving hours per counter"),
        Text(
            "Total waktu setiap loket melayani warga dalam rentang waktu terpilih.",
            "Total time each counter spent serving citizens in the selected time range.",
        ),
    ),
    "counters.served_by_counter": PanelText(
        Text("Warga dilayani per loket", "Citizens served per counter"),
        Text(
            "Jumlah pelayanan yang selesai di setiap loket (termasuk yang dialihkan ke "
            "layanan lain) dalam rentang waktu terpilih.",
            "How many services each counter completed (including those transferred to "
            "another service) in the selected time range.",
        ),
    ),
    "counters.processing_p50": PanelText(
        Text("Lama melayani, median per loket", "Processing time, median per counter"),
        Text(
            "Separuh warga di loket ini selesai dilayani dalam waktu ini (rentang waktu terpilih).",
            "Half of the citizens at this counter were served within this time (selected "
            "time range).",
        ),
    ),
    "counters.processing_p90": PanelText(
        Text("Lama melayani, 90% per loket", "Processing time, 90% per counter"),
        Text(
            "Sembilan dari sepuluh warga di loket ini selesai dilayani dalam waktu ini: "
            "loket dengan angka jauh lebih tinggi mungkin butuh bantuan.",
            "Nine in ten citizens at this counter were served within this time: a counter "
            "far above the others may need help.",
        ),
    ),
    "counters.processing_trend": PanelText(
        Text("Lama melayani per loket sepanjang waktu", "Processing time per counter over time"),
        Text(
            "Median lama melayani setiap loket dalam satu jam sebelum setiap titik.",
            "Median processing time of each counter in the hour before each point.",
        ),
    ),
    # SLA and error budget
    "sla.compliance_by_service": PanelText(
        Text("Capaian tepat waktu", "On-time share"),
        Text(
            "Per layanan, persentase warga yang menunggu tidak lebih lama dari standar dalam "
            "rentang waktu terpilih (misalnya bulan ini).",
            "Per service, the share of citizens who waited no longer than the standard in "
            "the selected time range (for example this month).",
        ),
    ),
    "sla.target_by_service": PanelText(
        Text("Target", "Target"),
        Text(
            "Persentase warga yang menurut standar pelayanan harus menunggu tidak lebih lama "
            "dari waktu tunggu maksimal.",
            "The share of citizens who, by the service standard, must wait no longer than "
            "the maximum waiting time.",
        ),
    ),
    "sla.budget_left": PanelText(
        Text("Sisa jatah keterlambatan", "Error budget left"),
        Text(
            "Target memberi jatah: sebagian kecil warga boleh menunggu melewati standar. "
            "Angka ini menunjukkan berapa persen jatah itu masih tersisa dalam rentang waktu "
            "terpilih. 100% berarti belum ada yang terlambat; di bawah 0% (merah) berarti "
            "target sudah terlewati.",
            "The target leaves a budget: a small share of citizens may wait past the "
            "standard. This shows how much of that budget is left in the selected time "
            "range. 100% means nobody was late yet; below 0% (red) means the target is "
            "already missed.",
        ),
    ),
    "sla.waits_by_service": PanelText(
        Text("Warga dipanggil", "Citizens called"),
        Text(
            "Jumlah warga yang waktu tunggunya dinilai dalam rentang waktu terpilih: dengan "
            "sedikit warga, satu keterlambatan berpengaruh besar pada persentase.",
            "How many citizens' waits were judged in the selected time range: with few "
            "citizens, one late wait moves the percentage a lot.",
        ),
    ),
    "sla.burn_1h": PanelText(
        Text("Laju pemakaian jatah 1 jam, terhadap ambang", "Budget burn, 1 hour, vs threshold"),
        Text(
            "Seberapa cepat jatah keterlambatan terpakai dalam satu jam terakhir, dibagi "
            "dengan ambang peringatan untuk target layanan itu (ambang mengikuti target: "
            "tabel di docs/runbooks.md). Di atas garis merah (1) pemakaian cukup cepat untuk "
            "memanggil pengelola kantor, jika juga masih berlangsung dalam 5 menit terakhir "
            "(jam buka saja, dengan cukup banyak warga).",
            "How fast the error budget was spent in the last hour, divided by the alert "
            "threshold for that service's target (the threshold follows the target: table "
            "in docs/runbooks.md). Above the red line (1) it burns fast enough to page the "
            "office's managers, if it still does in the last 5 minutes (opening hours only, "
            "with enough citizens).",
        ),
    ),
    "sla.burn_6h": PanelText(
        Text("Laju pemakaian jatah 6 jam, terhadap ambang", "Budget burn, 6 hours, vs threshold"),
        Text(
            "Seperti panel 1 jam, dalam enam jam terakhir (dan 30 menit terakhir). Di atas "
            "garis merah (1) pengelola kantor dipanggil.",
            "Like the 1-hour panel, over the last six hours (and the last 30 minutes). Above "
            "the red line (1) the office's managers are paged.",
        ),
    ),
    "sla.burn_1d": PanelText(
        Text("Laju pemakaian jatah 1 hari, terhadap ambang", "Budget burn, 1 day, vs threshold"),
        Text(
            "Seperti panel 1 jam, dalam satu hari terakhir (dan 2 jam terakhir). Di atas "
            "garis merah (1) dibuat tiket tindak lanjut.",
            "Like the 1-hour panel, over the last day (and the last 2 hours). Above the red "
            "line (1) a follow-up ticket is raised.",
        ),
    ),
    "sla.burn_3d": PanelText(
        Text("Laju pemakaian jatah 3 hari, terhadap ambang", "Budget burn, 3 days, vs threshold"),
        Text(
            "Seperti panel 1 jam, dalam tiga hari terakhir (dan 6 jam terakhir). Di atas "
            "garis merah (1) target terlewati jika keadaan tidak berubah; dibuat tiket "
            "tindak lanjut.",
            "Like the 1-hour panel, over the last three days (and the last 6 hours). Above "
            "the red line (1) the target will be missed if nothing changes; a follow-up "
            "ticket is raised.",
        ),
    ),
    "sla.alerts_firing": PanelText(
        Text("Peringatan aktif", "Alerts firing"),
        Text(
            "Jumlah peringatan untuk kantor ini yang sedang aktif.",
            "How many alerts about this office are firing now.",
        ),
    ),
    "sla.alerts_by_name": PanelText(
        Text("Peringatan aktif per jenis", "Alerts firing by kind"),
        Text(
            "Peringatan yang sedang aktif untuk kantor ini, per jenis peringatan.",
            "The alerts firing about this office now, per kind of alert.",
        ),
    ),
    # Pipeline health
    "pipeline.consumed": PanelText(
        Text("Peristiwa diproses per detik", "Events processed per second"),
        Text(
            "Peristiwa dari sistem antrean yang diproses setiap detik, menurut hasilnya: "
            "diterima (accepted), duplikat (duplicate), atau ditolak (rejected).",
            "Events from the queue systems processed each second, by outcome: accepted, "
            "duplicate, or rejected.",
        ),
    ),
    "pipeline.rejected": PanelText(
        Text("Peristiwa ditolak per alasan", "Rejected events by reason"),
        Text(
            "Peristiwa yang ditolak setiap detik, menurut alasannya: rusak (malformed), "
            "urutan salah (out_of_sequence), atau yatim (orphan). Semuanya disimpan di "
            "topik dead-letter untuk diperiksa.",
            "Events rejected each second, by reason: malformed, out_of_sequence or orphan. "
            "All of them are kept on the dead-letter topic for inspection.",
        ),
    ),
    "pipeline.parked": PanelText(
        Text("Peristiwa tertahan", "Parked events"),
        Text(
            "Peristiwa yang datang lebih dulu dari peristiwa sebelumnya dan sedang menunggu "
            "(paling lama 10 menit), per kantor.",
            "Events that arrived before the event they follow and are waiting for it (10 "
            "minutes at most), per office.",
        ),
    ),
    "pipeline.lag": PanelText(
        Text("Peristiwa belum diproses", "Consumer lag"),
        Text(
            "Berapa pesan di setiap partisi yang belum dibaca pemroses. Naik terus berarti "
            "pemroses tertinggal dan angka di dasbor lain terlambat.",
            "How many messages of each partition the workers have not read yet. Rising "
            "steadily means the workers are falling behind and other dashboards lag.",
        ),
    ),
    "pipeline.workers_up": PanelText(
        Text("Pemroses hidup", "Workers up"),
        Text(
            "Berapa pemroses yang menjawab Prometheus, dari semua yang terdaftar.",
            "How many workers answer Prometheus, out of all configured.",
        ),
    ),
    "pipeline.partitions": PanelText(
        Text("Partisi dipegang", "Partitions owned"),
        Text(
            "Jumlah partisi topik peristiwa yang dipegang semua pemroses bersama.",
            "How many partitions of the events topic the workers own together.",
        ),
    ),
    "pipeline.last_batch": PanelText(
        Text("Terakhir memproses", "Last batch"),
        Text(
            "Berapa detik lalu pemroses terakhir kali memproses peristiwa.",
            "How many seconds ago a worker last processed events.",
        ),
    ),
    "pipeline.gateway_up": PanelText(
        Text("Gerbang hidup", "Gateways up"),
        Text(
            "Berapa gerbang HTTP yang menjawab Prometheus, dari semua yang terdaftar.",
            "How many HTTP gateways answer Prometheus, out of all configured.",
        ),
    ),
    "pipeline.up_trend": PanelText(
        Text("Hidup sepanjang waktu", "Up over time"),
        Text(
            "Setiap pemroses dan gerbang: 1 saat menjawab Prometheus, 0 saat mati.",
            "Each worker and gateway: 1 while it answers Prometheus, 0 while it is down.",
        ),
    ),
    "pipeline.gateway_requests": PanelText(
        Text("Permintaan ke gerbang per detik", "Gateway requests per second"),
        Text(
            "Permintaan HTTP ke gerbang setiap detik, menurut kode status jawabannya.",
            "HTTP requests to the gateway each second, by response status code.",
        ),
    ),
    "pipeline.gateway_events": PanelText(
        Text("Peristiwa lewat gerbang per detik", "Gateway events per second"),
        Text(
            "Peristiwa yang dikirim lewat gerbang setiap detik: diterima (accepted) atau "
            "ditolak (rejected).",
            "Events sent through the gateway each second: accepted or rejected.",
        ),
    ),
}

WORDS: dict[str, Text] = {
    "no_data": Text("Belum ada data", "No data yet"),
    "other_dashboards": Text("Dasbor pantau lain", "Other pantau dashboards"),
    "var_datasource": Text("Sumber data", "Data source"),
    "var_office": Text("Kantor", "Office"),
    "var_service": Text("Layanan", "Service"),
    "achieved": Text("Capaian", "Achieved"),
    "target": Text("Target", "Target"),
    "gap": Text("Selisih", "Gap"),
    "standard": Text("Standar", "Standard"),
    "oldest": Text("Terlama", "Longest"),
    "needed": Text("Dibutuhkan", "Needed"),
    "open": Text("Buka", "Open"),
    "service_needed": Text("{{service}} · dibutuhkan", "{{service}} · needed"),
    "service_serving": Text("{{service}} · melayani", "{{service}} · serving"),
    "service_standard": Text("{{service}} · standar", "{{service}} · standard"),
    "p50": Text("Median", "Median"),
    "p90": Text("90% warga", "90% of citizens"),
    "bucket": Text("≤ {{le}} detik", "≤ {{le}} s"),
    "breached": Text("Melewati standar", "Past the standard"),
    "no_show": Text("Tidak hadir", "No-show"),
    "cancelled": Text("Batal", "Cancelled"),
    "up": Text("Hidup", "Up"),
    "configured": Text("Terdaftar", "Configured"),
    "achieved_today": Text("Capaian hari ini", "Achieved today"),
    "called_today": Text("Dipanggil hari ini", "Called today"),
    "queue_now": Text("Antrean", "Queue"),
    "over_standard_now": Text("Melewati standar", "Past the standard"),
    "near_standard_now": Text("Mendekati standar", "Near the standard"),
    "counters_open": Text("Loket buka", "Open counters"),
    "ikm": Text("IKM", "IKM"),
    "column_office": Text("Kantor", "Office"),
    "ikm_a": Text("A · Sangat Baik", "A · Very good"),
    "ikm_b": Text("B · Baik", "B · Good"),
    "ikm_c": Text("C · Kurang Baik", "C · Fair"),
    "ikm_d": Text("D · Tidak Baik", "D · Poor"),
}

#: Grafana units: custom suffixes, so that numbers read in the dashboard's language.
UNITS: dict[str, Text] = {
    "people": Text("suffix: orang", "suffix: people"),
    "counters": Text("suffix: loket", "suffix: counters"),
    "offices": Text("suffix: kantor", "suffix: offices"),
    "minutes": Text("suffix: menit", "suffix: min"),
    "hours": Text("suffix: jam", "suffix: h"),
    "responses": Text("suffix: jawaban", "suffix: responses"),
    "times": Text("suffix: \N{MULTIPLICATION SIGN}", "suffix: \N{MULTIPLICATION SIGN}"),
    "alerts": Text("suffix: peringatan", "suffix: alerts"),
    "per_second": Text("suffix: /detik", "suffix: /s"),
    "events": Text("suffix: peristiwa", "suffix: events"),
    "messages": Text("suffix: pesan", "suffix: messages"),
    "partitions": Text("suffix: partisi", "suffix: partitions"),
    "seconds_ago": Text("suffix: detik lalu", "suffix: s ago"),
}
