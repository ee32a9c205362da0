"""One device, start to end: ONVIF steps and side probes under one deadline, ending in one status.

Status mapping (DESIGN §5):
- connection refused / no route / reset before any answer   -> unreachable
- the device deadline passes                                 -> timeout
- NotAuthorized fault or HTTP 401 on the identity step       -> auth_failed
- bad XML, oversize or cut-short body, a fault on a required step -> protocol_error
Whatever was read before the failure is kept on the Device.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
from zeep.exceptions import Error as ZeepError
from zeep.exceptions import Fault

from .classify import classify, classify_from_discovery
from .credentials import CredentialBook
from .fingerprint import detect_relabel
from .model import Device, DeviceStatus, FieldEvidence, Fingerprints
from .oui import oui_vendor
from .probes import ONVIF_PHASES, SIDE_PROBES, Facts, OnvifProbe, ProbeContext
from .responses import ResponseStore
from .soap import DeviceContext, SoapProblem, enter_device, evidence_digest
from .vendors import VendorCatalog
from .wsd import Discovered

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InterrogationSettings:
    deadline_s: float = 10.0
    side_timeout_s: float = 10.0  # each fingerprint probe; the device deadline bounds them all anyway
    responses: ResponseStore | None = None  # keep every raw answer as evidence (--keep-responses)


def _failure(exc: BaseException) -> tuple[DeviceStatus, str] | None:
    """Status and reason for an exception that ends a device; None if it is not one of ours."""
    if isinstance(exc, SoapProblem):
        return exc.kind, exc.reason  # type: ignore[return-value]
    if isinstance(exc, (TimeoutError, asyncio.TimeoutError)):
        return "timeout", "no complete answer within the device deadline"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return "unreachable", f"cannot connect: {exc.os_error.strerror or exc.os_error}"
    if isinstance(exc, (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError)):
        return "protocol_error", f"device closed the connection mid-answer ({type(exc).__name__})"
    if isinstance(exc, aiohttp.ClientResponseError):
        return "protocol_error", f"bad HTTP answer: {exc.message}"
    if isinstance(exc, aiohttp.ClientError):
        return "unreachable", f"{type(exc).__name__}: {exc}"
    if isinstance(exc, Fault):
        return "protocol_error", f"SOAP fault: {exc.message}"
    if isinstance(exc, (ZeepError, ValueError, AttributeError, TypeError)):
        return "protocol_error", f"unreadable answer ({type(exc).__name__}: {str(exc)[:200]})"
    if isinstance(exc, OSError):
        return "unreachable", f"{exc.strerror or exc}"
    return None


async def _run_side_probes(facts: Facts, ctx: ProbeContext) -> None:
    async def one(probe):
        try:
            await probe.run(facts, ctx)
        except Exception as exc:  # noqa: BLE001 - a missing banner is normal; it is not the device's status
            log.debug("%s %s: %s: %s", facts.address, probe.name, type(exc).__name__, exc)

    await asyncio.gather(*(one(p) for p in SIDE_PROBES))


async def _step(step: OnvifProbe, facts: Facts, ctx: ProbeContext) -> tuple[DeviceStatus, str] | None:
    """Run one step; a (status, reason) when the device should end here, else None.

    Connection errors and timeouts propagate (they end the device whatever the step);
    a hostile body ends it too; a fault or refusal on an optional step is only a note.
    """
    try:
        attempt = await step.run(facts, ctx)
    except (SoapProblem, Fault) as exc:
        kind, why = _failure(exc)  # type: ignore[misc]
        if step.required or (kind == "protocol_error" and isinstance(exc, SoapProblem) and "HTTP" not in why):
            return kind, why
        facts.notes.append(f"{step.name}: {why}")
        return None
    if attempt.status == "failed":
        facts.notes.append(f"{step.name}: {attempt.reason}")
    return None


async def interrogate(found: Discovered, ctx: ProbeContext, credentials: CredentialBook,
                      catalog: VendorCatalog, settings: InterrogationSettings) -> Device:
    """Never raises for the device's sake (only cancellation escapes)."""
    url = found.service_url() or f"http://{found.address}/onvif/device_service"
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        port = 80
    facts = Facts(address=found.address, port=port, service_url=url, xaddrs=tuple(found.xaddrs),
                  endpoint_reference=found.endpoint_reference)
    if found.scopes:
        facts.values["scopes"] = tuple(found.scopes)  # from discovery; GetScopes replaces them
    device_ctx = enter_device(credentials.for_address(found.address), settings.responses)
    status: DeviceStatus = "ok"
    reason = ""
    loop = asyncio.get_running_loop()
    started = loop.time()
    # An address of a swept range that was silent on WS-Discovery but has an open web port is as
    # likely a printer or a PC as a camera: its fingerprints are read only once it has told us
    # who made it (the TLS handshake alone costs both sides more than the ONVIF calls).
    confirm_first = found.via == "sweep"
    side = None if confirm_first else asyncio.ensure_future(_run_side_probes(facts, ctx))
    try:
        async with asyncio.timeout(settings.deadline_s):
            for phase in ONVIF_PHASES:
                if side is None and facts.values.get("manufacturer"):
                    side = asyncio.ensure_future(_run_side_probes(facts, ctx))
                try:
                    async with asyncio.TaskGroup() as group:  # a failing step cancels its siblings
                        tasks = [group.create_task(_step(step, facts, ctx)) for step in phase]
                except ExceptionGroup as failed:
                    raise failed.exceptions[0] from None
                ending = next((t.result() for t in tasks if t.result() is not None), None)
                if ending is not None:
                    status, reason = ending
                    break
    except asyncio.CancelledError:
        if side is not None:
            side.cancel()
        raise
    except Exception as exc:  # noqa: BLE001 - mapped to a status below; unknown ones still end as data
        mapped = _failure(exc)
        status, reason = mapped if mapped else ("protocol_error", f"unexpected {type(exc).__name__}: {exc}")
    # Fingerprints may use what is left of the device's deadline; a port that never answers
    # costs a missing fingerprint, never the device's status.
    if side is None and status == "ok" and facts.values.get("manufacturer"):
        side = asyncio.ensure_future(_run_side_probes(facts, ctx))
    if side is not None:
        remaining = settings.deadline_s - (loop.time() - started)
        if remaining > 0 and not side.done():
            await asyncio.wait({side}, timeout=remaining)
        if not side.done():
            side.cancel()
            await asyncio.gather(side, return_exceptions=True)
    _mac_from_neighbours(facts, ctx)
    _realm_from_onvif(facts, device_ctx)
    device_ctx.keep_cited({sha for _, sha in facts.evidence.values()})  # before the notes: a full disk adds one
    facts.notes.extend(device_ctx.repairs)
    if status == "ok" and facts.notes:
        reason = "; ".join(facts.notes)  # what an ok device still could not tell us
    elif device_ctx.unkept_note:  # a failed device's reason is its failure, then why its evidence is short
        reason = f"{reason}; {device_ctx.unkept_note}"
    unkept = device_ctx.unkept if settings.responses is not None else None
    return build_device(facts, status, reason, catalog, unkept)


def _mac_from_neighbours(facts: Facts, ctx: ProbeContext) -> None:
    """A device that gave no MAC over ONVIF, on our own subnet: the MAC its NIC answered ARP with."""
    if "mac" in facts.values or ctx.neighbours is None:
        return
    mac = ctx.neighbours.mac_of(facts.address)
    if mac:
        entry = f"{facts.address} {mac}".encode()
        facts.set("mac", mac, "ARP neighbour table", evidence_digest(entry, "txt"))


def _realm_from_onvif(facts: Facts, device_ctx: DeviceContext) -> None:
    """The realm an ONVIF call's HTTP 401 asked for, where the web UI's own 401 gave none (it comes
    first: it is asked for by the page the web UI serves, the ONVIF one by the SOAP service)."""
    if device_ctx.http_realm is None or "http_realm" in facts.fingerprints:
        return
    realm, operation, sha = device_ctx.http_realm
    facts.fingerprints["http_realm"] = realm
    facts.evidence["fingerprints.http_realm"] = (operation, sha)


def build_device(facts: Facts, status: DeviceStatus, reason: str, catalog: VendorCatalog,
                 unkept: set[str] | None = None) -> Device:
    """`unkept`: with --keep-responses, the digests whose answer could not be written (None: not keeping)."""
    values = facts.values
    mac = values.get("mac")
    prints = Fingerprints(oui_vendor=oui_vendor(mac), **facts.fingerprints)  # type: ignore[arg-type]
    cited = sorted(facts.evidence.items())
    if prints.oui_vendor and "mac" in facts.evidence:
        cited.append(("fingerprints.oui_vendor", facts.evidence["mac"]))
    evidence = [FieldEvidence(name, op, sha, None if unkept is None else sha not in unkept)
                for name, (op, sha) in cited]
    services = tuple(values.get("services", ()))  # type: ignore[arg-type]
    scopes = tuple(values.get("scopes", ()))  # type: ignore[arg-type]
    if status == "ok" or values.get("manufacturer"):
        role, role_reason = classify(services, scopes, values.get("video_sources"))  # type: ignore[arg-type]
    else:
        role, role_reason = classify_from_discovery(scopes, status)
    manufacturer = values.get("manufacturer")
    return Device(
        address=facts.address, port=facts.port, status=status, status_reason=reason, xaddrs=facts.xaddrs,
        endpoint_reference=facts.endpoint_reference, manufacturer=manufacturer, model=values.get("model"),
        firmware=values.get("firmware"), serial=values.get("serial"), hardware_id=values.get("hardware_id"),
        mac=mac, hostname=values.get("hostname"), scopes=scopes, services=services, role=role,
        role_reason=role_reason, clock_skew_s=values.get("clock_skew_s"), video_sources=values.get("video_sources"),
        profiles=values.get("profiles"), recordings=values.get("recordings"), fingerprints=prints,
        suspected_relabel=detect_relabel(manufacturer, prints, catalog, values.get("firmware"),  # type: ignore[arg-type]
                                         values.get("serial"),  # type: ignore[arg-type]
                                         names=(values.get("hostname"), facts.address)),  # type: ignore[arg-type]
        evidence=tuple(evidence),
    )  # type: ignore[arg-type]
