"""`--generate N --seed S`: a deterministic, realistic site of N devices.

Makers, model names and the shapes of firmware and serial strings follow what each maker's
real devices report (a Dahua firmware reads `2.800.0000018.0.R`, a Hikvision serial is
model + date + a long tail, an Axis serial is its MAC). Every string is invented; MACs come
from each maker's real OUI blocks in config/vendors.yaml, or a locally administered 02:xx
prefix for makers without one. A share of NVRs, encoders and analytics boxes, a few
relabelled cameras (a fictional Korean brand on Chinese-made hardware) and a few quirks.
"""

from __future__ import annotations

import hashlib
import ipaddress
import random
import string
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scanner.vendors import load_vendor_catalog

from .fixture import complete

R = random.Random


@dataclass(frozen=True)
class Maker:
    family: str
    manufacturer: str
    weight: int
    models: dict[str, tuple[str, ...]]  # role -> models
    firmware: Callable[[R], str]
    serial: Callable[[R, str], str]
    hardware_id: Callable[[R, str], str] = lambda r, model: model
    auth: str = "wsse"


def _digits(r: R, n: int) -> str:
    return "".join(r.choice(string.digits) for _ in range(n))


def _alnum(r: R, n: int) -> str:
    return "".join(r.choice(string.ascii_uppercase + string.digits) for _ in range(n))


def _yymm(r: R) -> str:
    return f"{r.randint(19, 24):02d}{r.randint(1, 12):02d}"


MAKERS: tuple[Maker, ...] = (
    Maker("hanwha", "Hanwha Vision", 22,
          {"camera": ("XNO-6080R", "XND-8080RV", "XNV-8081Z", "QNO-6082R", "PNM-9084RQZ", "XNP-6400RW"),
           "nvr": ("XRN-1610", "XRN-3210B4", "QRN-1630S"), "encoder": ("SPE-1630",), "analytics": ("AIB-800",)},
          lambda r: f"2.{r.randint(10, 22)}.{r.randint(0, 60):02d}_2024{r.randint(1, 9):02d}{r.randint(10, 28)}_R{r.randint(1, 5)}",
          lambda r, m: "ZN7Q6HAR" + _alnum(r, 7)),
    Maker("idis", "IDIS Co., Ltd.", 14,
          {"camera": ("DC-D4236RX", "DC-T4236HRX", "DC-S6283HRXL", "DC-Y6C16WRX"), "nvr": ("DR-6516P", "DR-8364"),
           "encoder": ("DE-2204",)},
          lambda r: f"{r.randint(2, 4)}.{r.randint(0, 14)}.{r.randint(0, 9)}",
          lambda r, m: m.replace("-", "")[2:] + _yymm(r) + _digits(r, 6)),
    Maker("truen", "TRUEN", 8,
          {"camera": ("TN-P4220CSL", "TN-B220CS", "TN-D3420R"), "encoder": ("TE-1204", "TE-1801")},
          lambda r: f"1.{r.randint(5, 9)}.{r.randint(0, 9)}",
          lambda r, m: "TRN" + m.split("-")[-1][:4] + _yymm(r) + _digits(r, 5)),
    Maker("cpro", "CPRO", 6,
          {"camera": ("CPN-5031B", "CPD-2031V", "CPN-8041Z"), "nvr": ("CPR-1616N",)},
          lambda r: f"5.{r.randint(0, 3)}.{r.randint(0, 9)}",
          lambda r, m: "CP" + m.split("-")[-1] + _yymm(r) + _digits(r, 4)),
    Maker("innodep", "Innodep", 4,
          {"analytics": ("VURIX-AI-8", "VURIX-AI-16"), "nvr": ("VURIX-NVR-32",)},
          lambda r: f"2.{r.randint(0, 6)}.{r.randint(0, 9)}",
          lambda r, m: f"IND-{m.split('-')[-1]}-{r.randint(21, 24)}-{_digits(r, 5)}"),
    Maker("itx", "ITX Security", 3,
          {"camera": ("ITX-IPD2M", "ITX-IPB5M"), "nvr": ("ITX-NVR1604",)},
          lambda r: f"3.{r.randint(0, 5)}.{r.randint(0, 20)}",
          lambda r, m: "ITX" + _alnum(r, 10)),
    Maker("hikvision", "HIKVISION", 16,
          {"camera": ("DS-2CD2143G2-I", "DS-2CD2386G2-IU", "DS-2DE4425IW-DE", "DS-2CD1047G0-L"),
           "nvr": ("DS-7616NI-K2", "DS-9632NI-I8"), "encoder": ("DS-6704HUHI",)},
          lambda r: f"V5.{r.randint(5, 7)}.{r.randint(0, 15)} build {r.randint(20, 24)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}",
          lambda r, m: f"{m}20{r.randint(19, 24)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}"
                       f"{''.join(r.choice(string.ascii_uppercase) for _ in range(4))}{_digits(r, 9)}",
          lambda r, m: "88"),
    Maker("dahua", "Dahua", 12,
          {"camera": ("IPC-HFW2431S-S-S2", "IPC-HDW2431T-AS-S2", "SD49425XB-HNR", "IPC-HFW3541E-AS"),
           "nvr": ("NVR4216-4KS2", "NVR5232-EI"), "encoder": ("NVS0104HDC",)},
          lambda r: f"2.{r.choice(('800', '820', '840'))}.{r.randint(0, 99):07d}.{r.randint(0, 9)}.R",
          lambda r, m: str(r.randint(1, 9)) + _alnum(r, 14),
          lambda r, m: "1.00"),
    Maker("uniview", "Uniview", 6,
          {"camera": ("IPC2124LB-SF28KM-G", "IPC3614SB-ADF28KM-I0"), "nvr": ("NVR302-16S",)},
          lambda r: f"IPC_G{r.randint(6000, 6199)}-B{r.randint(1, 99):04d}P{r.randint(10, 99)}D{r.randint(1900, 2299)}",
          lambda r, m: "210235" + _alnum(r, 14),
          lambda r, m: m.split("-")[0]),
    Maker("axis", "AXIS", 6,
          {"camera": ("P3265-LVE", "Q6135-LE", "M3086-V"), "encoder": ("M7104",)},
          lambda r: f"{r.choice((9, 10, 11))}.{r.randint(0, 12)}.{r.randint(60, 200)}",
          lambda r, m: "",  # an Axis serial is its MAC; filled in below
          lambda r, m: f"{r.randint(0x700, 0x7FF):X}", auth="digest"),
    Maker("vivotek", "VIVOTEK", 2, {"camera": ("IB9389-EH", "FD9189-H")},
          lambda r: f"IB9389-VVTK-0{r.randint(100, 199)}a", lambda r, m: _alnum(r, 10)),
    Maker("bosch", "Bosch Security Systems", 1, {"camera": ("NBE-3502-AL", "FLEXIDOME IP 5000i")},
          lambda r: f"7.{r.randint(60, 90)}.{r.randint(0, 99):04d}", lambda r, m: _digits(r, 9) + _alnum(r, 5)),
)
RELABEL_BRANDS = (("한빛비전", "HB-IP"), ("가온시큐리티", "GS-N"), ("누리텍", "NT-C"))
ROLE_WEIGHTS = (("camera", 82), ("nvr", 7), ("encoder", 6), ("analytics", 5))
BENIGN_QUIRKS = ("clock_skew", "no_get_services", "zero_xaddrs", "unicast_only", "duplicate_probe_matches",
                 "all_ops_require_auth", "empty_get_services", "soap11_content_type", "foreign_xaddrs",
                 "wrong_relates_to")
HOSTILE_QUIRKS = ("hang", "malformed_xml", "slow")


def _mac(r: R, family: str, index: int) -> str:
    prefixes = load_vendor_catalog().by_id(family).oui_prefixes
    if prefixes:
        prefix = r.choice(prefixes).lower()
    else:  # locally administered (02:xx), one stable second octet per maker
        prefix = f"02:{hashlib.sha256(family.encode()).digest()[0]:02x}:00"
    tail = (index * 7919 + 13) & 0xFFFFFF  # unique per index within one maker prefix
    return f"{prefix}:{tail >> 16:02x}:{(tail >> 8) & 0xFF:02x}:{tail & 0xFF:02x}"


def _pick_maker(r: R, role: str) -> Maker:
    able = [m for m in MAKERS if role in m.models]
    return r.choices(able, weights=[m.weight for m in able])[0]


def _channels(r: R, role: str, model: str) -> int:
    if role == "nvr":
        return r.choice((8, 16, 32, 64))
    if role in ("encoder", "analytics"):
        return r.choice((4, 8, 16))
    return 4 if model.startswith("PNM-") else 1


def generate_site(n: int, *, seed: int = 1, network: Any = None) -> dict[str, Any]:
    """The completed fixture of a generated site of `n` devices."""
    network = ipaddress.ip_network(network or "127.10.0.0/16")
    if not network.subnet_of(ipaddress.ip_network("127.0.0.0/8")):
        raise ValueError(f"--base-address {network} is not inside 127.0.0.0/8")
    addresses = [a for a in network.hosts() if a.packed[3] not in (0, 255) and str(a) != "127.0.0.1"]
    addresses = addresses[10:] if len(addresses) - 10 >= n else addresses
    if len(addresses) < n:
        raise ValueError(f"--base-address {network} holds {len(addresses)} usable addresses, fewer than {n}")
    r = random.Random(seed)
    password = "Sim!" + _alnum(r, 8)
    devices = []
    for i in range(n):
        role = r.choices([x for x, _ in ROLE_WEIGHTS], weights=[w for _, w in ROLE_WEIGHTS])[0]
        maker = _pick_maker(r, role)
        model = r.choice(maker.models[role])
        mac = _mac(r, maker.family, i)
        device: dict[str, Any] = {
            "address": str(addresses[i]), "manufacturer": maker.manufacturer, "model": model,
            "firmware": maker.firmware(r), "serial": maker.serial(r, model) or mac.replace(":", "").upper(),
            "hardware_id": maker.hardware_id(r, model), "mac": mac, "role": role,
            "channels": _channels(r, role, model), "auth": maker.auth,
            "https_port": 443 if r.random() < 0.7 else None,
        }
        if role == "nvr" and r.random() < 0.3:
            device["port"] = r.choice((8000, 8080))
        if role == "camera" and maker.family in ("dahua", "hikvision") and r.random() < 0.12:
            brand, prefix = r.choice(RELABEL_BRANDS)
            device.update(manufacturer=brand, model=f"{prefix}{r.randint(2000, 4999)}", relabel_of=maker.family,
                          hardware_id=device["hardware_id"])
        roll = r.random()
        if roll < 0.10:
            device["quirks"] = [r.choice(BENIGN_QUIRKS)]
        elif roll < 0.11 and n >= 50:
            q = r.choice(HOSTILE_QUIRKS)
            device["quirks"] = [{"name": "slow", "delay": 2.0} if q == "slow" else q]
        if r.random() < 0.03:
            device["password"] = "changed-" + _alnum(r, 6)
        devices.append(device)
    raw = {"site": {"name": f"Generated site (seed {seed}, {n} devices)", "location": "simulated",
                    "credentials": {"username": "admin", "password": password}},
           "seed": seed, "devices": devices}
    return complete(raw, seed=seed)
