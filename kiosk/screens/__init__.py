"""Kiosk screens: one module per screen; logic lives in kiosk services."""
