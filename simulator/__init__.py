"""Simulated ONVIF lab: fixtures, WS-Discovery responder, SOAP services, auth, quirks, banners.

Entry points: `cctv-inventory simulate` (cctv_inventory/commands/simulate.py) and, for tests of
other stages, `simulator.testing.running_lab`. Shares no code with scanner/'s protocol handling.
"""
