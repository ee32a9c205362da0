"""The one TLS client context the scanner uses, for ONVIF over HTTPS and for reading certificates.

It is onvif-zeep-async's own (`onvif.util.create_no_verify_ssl_context`, which its ONVIFCamera uses):
no verification (devices self-sign; we read a certificate, we do not trust it), OpenSSL's DEFAULT
cipher list and legacy server connects allowed. Python's own default context offers no static-RSA key
exchange since 3.10, and older Dahua firmware offers nothing else (home-assistant/core#91130, fixed in
the library by openvideolibs/python-onvif-zeep-async#46): with it, such a camera's certificate could
not be read, nor its ONVIF spoken over HTTPS.
"""

from __future__ import annotations

import os
import ssl

from onvif.util import create_no_verify_ssl_context

_CONTEXTS: dict[int, ssl.SSLContext] = {}


def tls_context() -> ssl.SSLContext:
    """This process's context (made after fork: each worker builds its own)."""
    pid = os.getpid()
    if pid not in _CONTEXTS:
        _CONTEXTS[pid] = create_no_verify_ssl_context()
    return _CONTEXTS[pid]
