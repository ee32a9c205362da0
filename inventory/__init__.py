"""Scans, the registry of certified components, and matching. See inventory/model.py."""
