"""Past the resolution deadline: which tickets escalate, and the chronology text."""

from __future__ import annotations

from datetime import date, datetime, timezone

from bot.complaints.escalation import ChronologyFacts, chronology, is_overdue
from bot.store.models import ComplaintDetails, Ticket

FILED = datetime(2025, 12, 2, 5, 0, tzinfo=timezone.utc)  # Tue 2 Dec, 12:00 WIB


def _ticket(status: str = "baru", kind: str = "complaint") -> Ticket:
    return Ticket(
        reference="ADU-7K3M-Q9TZ",
        kind=kind,
        status=status,
        channel="telegram",
        category="penyimpangan prosedur",
        office_id="kcp_boyolali",
        event_at="2025-12-02T09:30+07:00",
        staff_role="satpam",
        staff_said="harus ke kantor semarang",
        resolution_wanted="dilayani di boyolali saja",
        resolution_due=date(2025, 12, 22),
        created_at=FILED,
    )


def test_overdue_only_when_past_the_date_and_not_finished() -> None:
    assert not is_overdue(_ticket(), date(2025, 12, 22))
    assert is_overdue(_ticket(), date(2025, 12, 23))
    assert is_overdue(_ticket("menunggu_peserta"), date(2025, 12, 23))
    assert not is_overdue(_ticket("selesai"), date(2026, 1, 30))
    assert not is_overdue(_ticket("ditolak"), date(2026, 1, 30))
    assert not is_overdue(_ticket(kind="resignation"), date(2026, 1, 30))


def test_chronology_is_numbered_first_person_and_complete() -> None:
    details = ComplaintDetails(
        service_wanted="berhenti sebagai peserta BPU",
        harm="tagihan iuran tetap berjalan",
        earlier_attempts="sudah menelepon, tidak diangkat",
        destination_office="kc_semarang_pemuda",
    )
    facts = ChronologyFacts.from_ticket(
        _ticket(), details, "Kantor Cabang Perintis Boyolali"
    )
    text = chronology(facts)
    assert text.splitlines() == [
        "Kronologi aduan ADU-7K3M-Q9TZ",
        "1. Pada Selasa, 2 Desember 2025 pukul 09.30 saya datang ke Kantor Cabang "
        "Perintis Boyolali untuk mengurus berhenti sebagai peserta BPU.",
        '2. Satpam menolak melayani saya dan mengatakan: "harus ke kantor semarang".',
        "3. Saya diarahkan ke kantor lain tanpa dijelaskan dasar aturannya.",
        "4. Akibatnya: tagihan iuran tetap berjalan.",
        "5. Upaya sebelumnya: sudah menelepon, tidak diangkat.",
        "6. Pada Selasa, 2 Desember 2025 saya mengadukan hal ini ke BPJS "
        "Ketenagakerjaan dengan nomor ADU-7K3M-Q9TZ. Kategori: penyimpangan prosedur.",
        "7. Target penyelesaian Senin, 22 Desember 2025 dari layanan ini sudah lewat"
        " dan aduan belum diselesaikan (status: baru diterima).",
        "8. Yang saya minta: dilayani di boyolali saja.",
    ]


def test_chronology_leaves_out_what_the_ticket_does_not_know() -> None:
    ticket = _ticket()
    ticket.staff_said = None
    facts = ChronologyFacts.from_ticket(
        ticket, ComplaintDetails(harm="tidak ada"), None
    )
    text = chronology(facts)
    assert "Akibatnya" not in text
    assert "mengatakan" not in text
    assert "Saya diarahkan" not in text
    assert "ADU-7K3M-Q9TZ" in text.splitlines()[0]
