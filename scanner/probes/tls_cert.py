"""Subject of the certificate the device presents on HTTPS 443 (not verified: devices self-sign)."""

from __future__ import annotations

import asyncio
import hashlib
import ssl

from cryptography import x509

from .interface import Attempt, Facts, ProbeContext, SideProbe

HTTPS_PORT = 443
_ATTEMPTS_S = (0.5, 1.0, 3.0)


def _context() -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # we read the certificate, we do not trust it
    return context


_CONTEXT = _context()


class TlsCertificate(SideProbe):
    name = "tls_certificate"

    async def run(self, facts: Facts, ctx: ProbeContext) -> Attempt:
        # Short attempts that grow, rather than one long one: a server that loses an early
        # ClientHello (TLS started after accept, as the simulator and some embedded stacks do)
        # answers a fresh handshake at once, and a slow RSA device still gets 3 s at the end.
        der = None
        for attempt, attempt_s in enumerate(_ATTEMPTS_S):
            try:
                async with asyncio.timeout(min(attempt_s, ctx.side_timeout_s)):
                    _, writer = await asyncio.open_connection(facts.address, HTTPS_PORT, ssl=_CONTEXT,
                                                              server_hostname=None)
                break
            except TimeoutError:
                if attempt == len(_ATTEMPTS_S) - 1:
                    raise
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
