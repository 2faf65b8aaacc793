"""The report's words in Bahasa Indonesia and English, number formats and the summary."""
# ruff: noqa: RUF001 (the ranges of the categories are written with en dashes)

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from .figures import Figures
from .periods import Period

LANGS = ("id", "en")

ELEMENT_NAMES = {
    "id": ("Persyaratan", "Sistem, mekanisme dan prosedur", "Waktu penyelesaian",
           "Biaya/tarif", "Produk spesifikasi jenis pelayanan", "Kompetensi pelaksana",
           "Perilaku pelaksana", "Penanganan pengaduan, saran dan masukan",
           "Sarana dan prasarana"),
    "en": ("Requirements", "Procedure", "Completion time", "Cost", "Service product",
           "Officer competence", "Officer behaviour", "Complaint handling", "Facilities"),
}  # fmt: skip
CATEGORY_NAMES = {
    "id": {"A": "Sangat Baik", "B": "Baik", "C": "Kurang Baik", "D": "Tidak Baik"},
    "en": {"A": "Very good", "B": "Good", "C": "Poor", "D": "Very poor"},
}
WEEKDAYS = {
    "id": ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}

T: dict[str, dict[str, str]] = {
    "id": {
        "title": "Laporan Standar Pelayanan dan Survei Kepuasan Masyarakat",
        "period": "Periode",
        "previous": "Periode lalu",
        "zone": "Zona waktu",
        "source": "Sumber data",
        "made": "Dibuat",
        "summary": "Ringkasan",
        "key": "Angka utama",
        "ikm": "Indeks Kepuasan Masyarakat (IKM)",
        "issued": "Tiket diambil",
        "served": "Dilayani",
        "no_show": "Tidak hadir",
        "cancelled": "Batal",
        "wait_share": "Waktu tunggu sesuai standar",
        "utilisation": "Utilisasi loket",
        "services": "Layanan",
        "service": "Layanan",
        "tickets": "Tiket dan hasil kunjungan",
        "live_breaches": "Lewat standar (antre)",
        "transfers_out": "Dialihkan keluar",
        "transfers_in": "Dialihkan masuk",
        "wait": "Waktu tunggu terhadap standar",
        "processing": "Waktu proses terhadap standar",
        "standard": "Standar",
        "target": "Target",
        "met": "Sesuai",
        "breached": "Melewati",
        "share": "Capaian",
        "median": "Median",
        "p90": "Persentil 90",
        "missed": "di bawah target",
        "transfers": "Pengalihan antarlayanan",
        "from": "Dari",
        "to": "Ke",
        "count": "Jumlah",
        "heatmap": "Kapan kantor paling ramai",
        "heatmap_caption": "Tiket diambil per hari dan jam (waktu setempat), seluruh periode.",
        "hour": "Jam",
        "counters": "Loket",
        "counter": "Loket",
        "open_hours": "Jam buka",
        "busy_hours": "Jam melayani",
        "total": "Jumlah",
        "skm": "Survei Kepuasan Masyarakat (SKM)",
        "element": "Unsur",
        "answers": "Jawaban",
        "points": "Nilai",
        "nrr": "NRR",
        "respondents": "Responden",
        "population": "Warga dilayani (populasi)",
        "minimum": "Sampel minimum (Krejcie–Morgan)",
        "category": "Mutu pelayanan",
        "per_service_ikm": "IKM per layanan",
        "sample_low": "Perhatian: responden ({n}) kurang dari sampel minimum ({m}) untuk {p} "
        "warga yang dilayani; IKM periode ini belum dapat dianggap mewakili.",
        "sample_ok": "Responden ({n}) memenuhi sampel minimum ({m}) untuk {p} warga yang dilayani.",
        "notes": "Catatan",
        "method_quantiles": "Median dan persentil 90 diinterpolasi dari kelompok (bucket) "
        "histogram kontrak (30 dtk, 1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180 mnt), "
        "bukan dari setiap waktu; tanda \u201e>\u201c berarti lebih dari 180 menit.",
        "method_wait": "\u201eMelewati\u201c pada waktu tunggu juga menghitung warga yang tidak "
        "hadir atau batal setelah menunggu lebih lama dari standar (KONTRAK §4).",
        "method_ikm": "IKM = rata-rata NRR unsur yang dijawab × 25 (bobot sama, 1/9 bila "
        "sembilan unsur dijawab), dibulatkan dua desimal; kategori: A Sangat Baik 88,31–100, "
        "B Baik 76,61–88,30, C Kurang Baik 65,00–76,60, D Tidak Baik 25,00–64,99.",
        "method_sample": "Sampel minimum: Krejcie dan Morgan (1970), χ² = 3,841, P = 0,5, "
        "d = 0,05, dari jumlah warga yang dilayani dalam periode.",
        "method_utilisation": "Utilisasi = jam melayani ÷ jam buka loket (jam buka dihitung "
        "saat loket dijeda atau ditutup).",
        "events_source": "rekaman kejadian {file}, diproses dengan inti pantau (angka pasti)",
        "prometheus_source": "Prometheus {url}, dari increase() selama periode (angka "
        "perkiraan: Prometheus mengekstrapolasi di tepi periode)",
        "malformed": "{n} baris rusak di {file} dilewati.",
        "rejected": "Kejadian kantor ini yang ditolak: {items}.",
        "no_data": "Tidak ada data untuk {what} dari {a} sampai {b}.",
        "no_data_all": "Tidak ada data sama sekali untuk {what}.",
        "not_over": "Periode ini belum selesai: angka sampai {at}.",
        "this_period": "periode ini",
        "prev_period": "periode lalu",
        "nothing": "Tidak ada kegiatan tercatat pada periode ini.",
        "none": "—",
        "hours_unit": "jam",
        "min_unit": "mnt",
        "sum_issued": "Tiket diambil: {now} ({change} dibanding {prev} pada periode lalu).",
        "sum_issued_new": "Tiket diambil: {now}; periode lalu tidak ada data pembanding.",
        "sum_wait": "Waktu tunggu sesuai standar: {now} dari seluruh kunjungan ({change}).",
        "sum_ikm": "IKM {now} ({cat}){change}.",
        "sum_ikm_change": ", periode lalu {prev}",
        "sum_no_ikm": "Belum ada jawaban survei pada periode ini.",
        "sum_missed": "Layanan yang belum mencapai target: {items}.",
        "sum_missed_item": "{name} ({what})",
        "sum_all_met": "Semua layanan mencapai target waktu tunggu dan waktu proses.",
        "sum_util": "Utilisasi loket {now} ({change}).",
        "up": "naik {d}",
        "down": "turun {d}",
        "same": "tetap",
        "points_unit": "poin",
        "wait_word": "waktu tunggu",
        "processing_word": "waktu proses",
        "and": "dan",
    },
    "en": {
        "title": "Service Standards and Community Satisfaction Survey Report",
        "period": "Period",
        "previous": "Previous period",
        "zone": "Time zone",
        "source": "Data source",
        "made": "Made",
        "summary": "Summary",
        "key": "Key figures",
        "ikm": "Community Satisfaction Index (IKM)",
        "issued": "Tickets issued",
        "served": "Served",
        "no_show": "No-show",
        "cancelled": "Cancelled",
        "wait_share": "Waits within the standard",
        "utilisation": "Counter utilisation",
        "services": "Services",
        "service": "Service",
        "tickets": "Tickets and outcomes",
        "live_breaches": "Passed standard (queue)",
        "transfers_out": "Transferred out",
        "transfers_in": "Transferred in",
        "wait": "Waiting time against the standard",
        "processing": "Processing time against the standard",
        "standard": "Standard",
        "target": "Target",
        "met": "Met",
        "breached": "Breached",
        "share": "Share met",
        "median": "Median",
        "p90": "90th percentile",
        "missed": "below target",
        "transfers": "Transfers between services",
        "from": "From",
        "to": "To",
        "count": "Count",
        "heatmap": "When the office is busiest",
        "heatmap_caption": "Tickets issued per weekday and hour (local time), whole period.",
        "hour": "Hour",
        "counters": "Counters",
        "counter": "Counter",
        "open_hours": "Hours open",
        "busy_hours": "Hours serving",
        "total": "Total",
        "skm": "Community Satisfaction Survey (SKM)",
        "element": "Element",
        "answers": "Answers",
        "points": "Points",
        "nrr": "NRR",
        "respondents": "Respondents",
        "population": "Citizens served (population)",
        "minimum": "Minimum sample (Krejcie–Morgan)",
        "category": "Service quality",
        "per_service_ikm": "IKM per service",
        "sample_low": "Warning: {n} respondents are fewer than the minimum sample of {m} for "
        "{p} citizens served; this period's index cannot be taken as representative.",
        "sample_ok": "{n} respondents meet the minimum sample of {m} for {p} citizens served.",
        "notes": "Notes",
        "method_quantiles": "Medians and 90th percentiles are interpolated within the "
        "contract's histogram buckets (30 s, 1, 2, 3, 5, 10, 15, 20, 30, 45, 60, 90, 120, "
        "180 min), not taken from each duration; \u201c>\u201d means more than 180 minutes.",
        "method_wait": "\u201cBreached\u201d waits include citizens who left (no-show or "
        "cancelled) after waiting longer than the standard (CONTRACT §4).",
        "method_ikm": "IKM = mean NRR of the answered elements × 25 (equal weights, 1/9 when "
        "all nine are answered), rounded to two decimals; categories: A Very good 88.31–100, "
        "B Good 76.61–88.30, C Poor 65.00–76.60, D Very poor 25.00–64.99.",
        "method_sample": "Minimum sample: Krejcie and Morgan (1970), χ² = 3.841, P = 0.5, "
        "d = 0.05, for the citizens served in the period.",
        "method_utilisation": "Utilisation = hours serving ÷ hours open (open time counts "
        "when a counter pauses or closes).",
        "events_source": "recorded events {file}, run through the pantau core (exact)",
        "prometheus_source": "Prometheus {url}, increase() over the period (estimates: "
        "Prometheus extrapolates at the period's edges)",
        "malformed": "{n} malformed line(s) in {file} skipped.",
        "rejected": "Rejected events of this office: {items}.",
        "no_data": "No data for {what} from {a} to {b}.",
        "no_data_all": "No data at all for {what}.",
        "not_over": "This period is not over: figures up to {at}.",
        "this_period": "this period",
        "prev_period": "the previous period",
        "nothing": "Nothing was recorded in this period.",
        "none": "—",
        "hours_unit": "h",
        "min_unit": "min",
        "sum_issued": "Tickets issued: {now} ({change} against {prev} in the previous period).",
        "sum_issued_new": "Tickets issued: {now}; no data for the previous period to compare.",
        "sum_wait": "Waits within the standard: {now} of all visits ({change}).",
        "sum_ikm": "IKM {now} ({cat}){change}.",
        "sum_ikm_change": ", previous period {prev}",
        "sum_no_ikm": "No survey answers in this period yet.",
        "sum_missed": "Services that missed their target: {items}.",
        "sum_missed_item": "{name} ({what})",
        "sum_all_met": "Every service met its waiting and processing targets.",
        "sum_util": "Counter utilisation {now} ({change}).",
        "up": "up {d}",
        "down": "down {d}",
        "same": "unchanged",
        "points_unit": "points",
        "wait_word": "waiting",
        "processing_word": "processing",
        "and": "and",
    },
}


@dataclass(frozen=True, slots=True)
class Fmt:
    """Numbers as the language writes them (Indonesian: 1.234,5)."""

    lang: str

    def _local(self, text: str) -> str:
        if self.lang != "id":
            return text
        return text.replace(",", "_").replace(".", ",").replace("_", ".")

    def count(self, value: float) -> str:
        """Whole when it is (increase() from Prometheus may not be)."""
        if abs(value - round(value)) < 0.05:
            return self._local(f"{round(value):,}")
        return self._local(f"{value:,.1f}")

    def number(self, value: float | Decimal | Fraction | None, places: int = 2) -> str:
        if value is None:
            return T[self.lang]["none"]
        return self._local(f"{float(value):,.{places}f}")

    def index(self, value: Decimal | None) -> str:
        return T[self.lang]["none"] if value is None else self._local(f"{value:.2f}")

    def percent(self, share: float | None, places: int = 1) -> str:
        if share is None:
            return T[self.lang]["none"]
        return self._local(f"{share * 100:.{places}f}") + " %"

    def minutes(self, seconds: float | None, beyond: bool = False) -> str:
        if seconds is None:
            return T[self.lang]["none"]
        unit = T[self.lang]["min_unit"]
        text = self._local(f"{seconds / 60:.1f}").removesuffix(",0").removesuffix(".0")
        return f"> {text} {unit}" if beyond else f"{text} {unit}"

    def hours(self, hours: float) -> str:
        return self._local(f"{hours:,.1f}")


@dataclass(frozen=True, slots=True)
class Context:
    """What the summary compares: this period and the previous one."""

    current: Figures
    previous: Figures
    has_previous: bool  # whether there is any data for the previous period
    period: Period
    notes: Sequence[str] = field(default_factory=tuple)


def _change(now: float | None, before: float | None, fmt: Fmt, unit: str = "pp") -> str:
    t = T[fmt.lang]
    if now is None or before is None:
        return t["none"]
    diff = now - before
    if unit == "pp":  # shares, in percentage points
        d = f"{fmt.number(abs(diff) * 100, 1)} {'poin persen' if fmt.lang == 'id' else 'pp'}"
        small = abs(diff) < 0.0005
    elif unit == "index":
        d = f"{fmt.number(abs(diff), 2)} {t['points_unit']}"
        small = abs(diff) < 0.005
    else:  # a relative change of counts
        if before == 0:
            return t["none"]
        d = fmt.percent(abs(diff) / before)
        small = abs(diff) / before < 0.0005
    if small:
        return t["same"]
    return t["up" if diff > 0 else "down"].format(d=d)


def _wait_share(f: Figures) -> float | None:
    met = sum(r.wait.met for r in f.services)
    judged = met + sum(r.wait.breached for r in f.services)
    return met / judged if judged > 0 else None


def summary(ctx: Context, lang: str) -> list[str]:
    """A few plain sentences: what changed since the previous period, who missed the target."""
    t, fmt = T[lang], Fmt(lang)
    now, before = ctx.current, ctx.previous
    if now.empty:
        return [t["nothing"]]
    lines = []
    issued, issued_before = now.total("issued"), before.total("issued")
    if ctx.has_previous and issued_before:
        lines.append(t["sum_issued"].format(
            now=fmt.count(issued), prev=fmt.count(issued_before),
            change=_change(issued, issued_before, fmt, "count"),
        ))  # fmt: skip
    else:
        lines.append(t["sum_issued_new"].format(now=fmt.count(issued)))
    share, share_before = _wait_share(now), _wait_share(before)
    if share is not None:
        change = _change(share, share_before if ctx.has_previous else None, fmt)
        if change == t["none"]:
            change = t["prev_period"] + ": " + t["none"]
        lines.append(t["sum_wait"].format(now=fmt.percent(share), change=change))
    survey = now.survey
    if survey.index is not None and survey.category is not None:
        prev_index = before.survey.index if ctx.has_previous else None
        change = ""
        if prev_index is not None:
            diff = _change(float(survey.index), float(prev_index), fmt, "index")
            change = t["sum_ikm_change"].format(prev=fmt.index(prev_index)) + f", {diff}"
        category = f"{survey.category}, {CATEGORY_NAMES[lang][survey.category]}"
        lines.append(t["sum_ikm"].format(now=fmt.index(survey.index), cat=category, change=change))
        key = "sample_ok" if survey.enough else "sample_low"
        lines.append(t[key].format(
            n=fmt.count(survey.respondents), m=survey.minimum, p=fmt.count(survey.population)
        ))  # fmt: skip
    else:
        lines.append(t["sum_no_ikm"])
    missed = [
        t["sum_missed_item"].format(name=row.name, what=", ".join(
            f"{t[word]} {fmt.percent(timing.share)} < {fmt.percent(timing.target, 0)}"
            for word, timing in (("wait_word", row.wait), ("processing_word", row.processing))
            if timing.missed
        ))
        for row in now.missed
    ]  # fmt: skip
    lines.append(t["sum_missed"].format(items="; ".join(missed)) if missed else t["sum_all_met"])
    if now.utilisation is not None:
        change = _change(now.utilisation, before.utilisation if ctx.has_previous else None, fmt)
        if change == t["none"]:
            change = t["prev_period"] + ": " + t["none"]
        lines.append(t["sum_util"].format(now=fmt.percent(now.utilisation), change=change))
    return lines
