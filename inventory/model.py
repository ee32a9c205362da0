"""What the inventory hands to `reports`: plain, frozen data.

SQLAlchemy rows never leave `inventory/`; the store converts them to these
values. `reports` reads only these (and `scanner.model`), never a session.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, get_args

from scanner.model import Device, ScanResult

# Certificate types, as canonical ids. Korean labels and source spellings are
# mapped to these in config/registry_columns.yaml.
CertificateType = Literal[
    "domestic_origin",  # 국내 생산품 원산지증명서
    "direct_production",  # 직접생산확인
    "innovative_product",  # 혁신제품
    "performance_epc",  # 성능인증 (EPC)
    "gs",  # GS 인증
    "excellent_procurement",  # 우수조달
    "cctv_security",  # TTA/KISA CCTV 보안인증, 보안기능 확인서
]
CERTIFICATE_TYPES: tuple[str, ...] = get_args(CertificateType)

# Part ids of the video surveillance system (DESIGN §2). Policies map roles to these.
PartId = Literal["camera", "recorder_analytics", "terminal_server"]

# How a device was tied to a registry entry, strongest first.
#   exact     normalized maker and model equal
#   alias     maker equal only through the vendor alias table, model equal
#   pattern   registry model pattern (XNO-6080R*) or series rule
#   maker     maker-level entry (business no. + item no., no model): weaker evidence
#   candidate fuzzy; shown for review, never counted as covered
MatchLevel = Literal["exact", "alias", "pattern", "maker", "candidate"]
MATCH_LEVELS: tuple[str, ...] = get_args(MatchLevel)

# At the scan's date. Only `valid` counts: a certificate counts only if valid at the scan's date, and
# one whose registry row gave no dates (`undated`) cannot be shown to be; it is kept as a match so the
# report can name it (validity unknown), like `expired` and `not_yet_valid`.
Validity = Literal["valid", "expired", "not_yet_valid", "undated"]


@dataclass(frozen=True)
class RegistrySource:
    """A registry file as imported: its provenance travels with every entry."""

    name: str  # --source NAME, or the file name
    file_name: str
    sha256: str
    imported_at: datetime


@dataclass(frozen=True)
class RegistryEntry:
    id: int
    manufacturer: str
    business_no: str | None  # 사업자등록번호, digits only as text: "1234567890"
    model: str | None  # None for a maker-level entry
    model_pattern: str | None  # glob such as "XNO-6080R*", when the source gives a series
    firmware: str | None  # security certifications are per model and firmware
    item_name: str | None  # 품명/세부품명
    item_no: str | None  # 세부품명번호, e.g. "4617162201"
    part: PartId | None
    certificate_type: CertificateType
    certificate_no: str
    valid_from: date | None
    valid_to: date | None
    source: RegistrySource
    source_row: int

    @property
    def is_maker_level(self) -> bool:
        return self.model is None and self.model_pattern is None


@dataclass(frozen=True)
class Match:
    """One registry entry tied to one device, judged at the scan's date."""

    entry: RegistryEntry
    level: MatchLevel
    reason: str  # e.g. "maker 'Hanwha Techwin' is an alias of 'Hanwha Vision'; model equal"
    validity: Validity  # at the scan's date

    @property
    def counts(self) -> bool:
        """Whether this match may cover a part (policy still decides which certificate types): never a
        candidate, and only a certificate valid at the scan's date (not expired, not yet valid, or undated)."""
        return self.level != "candidate" and self.validity == "valid"


@dataclass(frozen=True)
class MatchedDevice:
    device: Device
    device_key: str  # stable identity across scans: "serial:<maker>:<serial>" | "mac:<mac>" | "endpoint:<ref>"
    matches: tuple[Match, ...]  # every entry that matched, any certificate type, strongest first


@dataclass(frozen=True)
class DeclaredItem:
    """One line of the contract's equipment list (declared equipment)."""

    part: PartId | None
    manufacturer: str
    model: str
    quantity: int
    serials: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    source_row: int = 0


@dataclass(frozen=True)
class MatchedScan:
    """Everything `reports` needs to assess one scan of one site."""

    scan: ScanResult
    devices: tuple[MatchedDevice, ...]  # includes the agent host as a terminal device when present
    declared: tuple[DeclaredItem, ...]
    registry_sources: tuple[RegistrySource, ...]
    matched_at: datetime
