"""The JHT next step depends on the reason given and the participant's age.

For BPU, JHT is paid on stopping work or at 56 [S19][S20]: a participant who stops
paying for another reason is not promised a claim.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from bot.resignation.reasons import ReasonKind, reason_kind
from bot.resignation.registry import read_csv
from bot.resignation.requests import next_steps

ROOT = Path(__file__).resolve().parents[3]
DEMO = {r.full_name: r for r in read_csv(ROOT / "bot/data/participants.csv")}
TODAY = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("reason", "kind"),
    [
        ("Sudah tidak bekerja", ReasonKind.STOPPED_WORKING),
        ("udah ga kerja lagi mas", ReasonKind.STOPPED_WORKING),
        ("warung saya tutup", ReasonKind.STOPPED_WORKING),
        ("sudah pensiun", ReasonKind.STOPPED_WORKING),
        ("kena PHK", ReasonKind.STOPPED_WORKING),
        ("mboten nyambut damel malih", ReasonKind.STOPPED_WORKING),
        ("berhenti ngojek", ReasonKind.STOPPED_WORKING),
        ("Pindah menjadi karyawan", ReasonKind.BECAME_EMPLOYEE),
        ("sekarang jadi pegawai pabrik", ReasonKind.BECAME_EMPLOYEE),
        ("Tidak mampu membayar iuran", ReasonKind.OTHER),
        ("iurannya kemahalan", ReasonKind.OTHER),
        ("", ReasonKind.OTHER),
        (None, ReasonKind.OTHER),
    ],
)
def test_reason_kind(reason: str | None, kind: ReasonKind) -> None:
    assert reason_kind(reason) is kind


def _steps(name: str, reason: str | None, **changes: object) -> str:
    record = replace(DEMO[name], **changes)  # type: ignore[arg-type]
    return "\n".join(next_steps(record, TODAY, reason))


def test_stopped_working_under_56_can_claim_after_a_month() -> None:
    steps = _steps("Sutrisno Wibowo", "Sudah tidak bekerja")  # 55, Rp4,25 juta
    assert "1 bulan setelah berhenti bekerja" in steps
    assert "JMO" in steps


@pytest.mark.parametrize(
    "reason", ["Tidak mampu membayar iuran", "Pindah menjadi karyawan", None]
)
def test_another_reason_under_56_is_promised_no_claim(reason: str | None) -> None:
    steps = _steps("Sutrisno Wibowo", reason)
    assert "tetap tercatat" in steps
    assert "berhenti bekerja atau di usia 56 tahun" in steps
    assert "JMO" not in steps and "bisa diklaim" not in steps


def test_at_56_the_reason_does_not_matter_and_the_balance_picks_the_route() -> None:
    steps = _steps("Slamet Riyadi", "Tidak mampu membayar iuran")  # 60, Rp22,5 juta
    assert "usia pensiun" in steps
    assert "di atas Rp15 juta" in steps and "Lapak Asik" in steps


def test_no_jht_no_promise() -> None:
    assert "tidak ikut program JHT" in _steps("Sri Lestari", "Sudah tidak bekerja")


def test_bills_are_not_called_finished_when_only_recorded() -> None:
    steps = _steps("Sutrisno Wibowo", "Sudah tidak bekerja")
    assert "jangan dibayar" not in steps
    assert "sampai petugas memproses" in steps
