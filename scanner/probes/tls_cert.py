"""Subject and issuer of the certificate the device presents on HTTPS 443 (not verified: devices self-sign)."""

from __future__ import annotations

import asyncio

from cryptography import x509

from ..soap import evidence_digest
from ..tls import tls_context
from .interface import Attempt, Facts, ProbeContext, SideProbe

HTTPS_PORT = 443
_ATTEMPTS = ((0.0, 0.5), (0.1, 1.0), (0.3, 3.0))  # (settle before the ClientHello, attempt timeout)


async def _handshake(address: str, settle_s: float) -> asyncio.StreamWriter:
    if not settle_s:
        _, writer = await asyncio.open_connection(address, HTTPS_PORT, ssl=tls_context(),
                                                  server_hostname=None)
        return writer
    _, writer = await asyncio.open_connection(address, HTTPS_PORT)
    try:
        await asyncio.sleep(settle_s)
        await writer.start_tls(tls_context(), server_hostname=None)
    except BaseException:
        writer.close()
        raise
    return writer


class TlsCertificate(SideProbe):
    name = "tls_certificate"

    async def run(self, facts: Facts, ctx: ProbeContext) -> Attempt:
        # A server that starts TLS only after accept (the simulator does; so do some embedded
        # stacks) loses a ClientHello sent at once, and both sides wait. So: one plain attempt,
        # then attempts that let the TCP connection settle before the handshake.
        der = None
        for attempt, (settle_s, attempt_s) in enumerate(_ATTEMPTS):
            try:
                async with asyncio.timeout(min(attempt_s, ctx.side_timeout_s)):
                    writer = await _handshake(facts.address, settle_s)
                break
            except TimeoutError:
                if attempt == len(_ATTEMPTS) - 1:
                    raise
        try:
            der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
        finally:
            # abort, not close: close() says close_notify and waits for the device's, and a TLS 1.3
            # server need not send one (aio-libs/aiohttp#11091). The transport, its buffers and the
            # socket then live out the loop's shutdown timeout (30 s): at 256 devices in flight
            # that doubled the scanner's memory. We only wanted the certificate.
            writer.transport.abort()
        if not der:
            return Attempt(self.name, "failed", "no certificate presented")
        certificate = x509.load_der_x509_certificate(der)
        digest = evidence_digest(der, "der")
        facts.fingerprints["tls_subject"] = certificate.subject.rfc4514_string()
        facts.evidence["fingerprints.tls_subject"] = ("TLS certificate", digest)
        if certificate.issuer != certificate.subject:  # self-signed: the same name, counted once
            facts.fingerprints["tls_issuer"] = certificate.issuer.rfc4514_string()
            facts.evidence["fingerprints.tls_issuer"] = ("TLS certificate", digest)
        return Attempt(self.name, "ok")
