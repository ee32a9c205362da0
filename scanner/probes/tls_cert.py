"""Subject of the certificate the device presents on HTTPS 443 (not verified: devices self-sign)."""

from __future__ import annotations

import asyncio
import hashlib
import ssl

from cryptography import x509

from .interface import Attempt, Facts, ProbeContext, SideProbe

HTTPS_PORT = 443


def _context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # we read the certificate, we do not trust it
    return context


_CONTEXT = _context()


class TlsCertificate(SideProbe):
    name = "tls_certificate"

    async def run(self, facts: Facts, ctx: ProbeContext) -> Attempt:
        async with asyncio.timeout(ctx.side_timeout_s):
            _, writer = await asyncio.open_connection(facts.address, HTTPS_PORT, ssl=_CONTEXT,
                                                      server_hostname=None)
            try:
                der = writer.get_extra_info("ssl_object").getpeercert(binary_form=True)
            finally:
                writer.close()
        if not der:
            return Attempt(self.name, "failed", "no certificate presented")
        subject = x509.load_der_x509_certificate(der).subject.rfc4514_string()
        facts.fingerprints["tls_subject"] = subject
        facts.evidence["fingerprints.tls_subject"] = ("TLS certificate", hashlib.sha256(der).hexdigest())
        return Attempt(self.name, "ok")
