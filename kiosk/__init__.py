"""Self-service kiosk (自助终端): offline-first, Kivy UI over plain-Python services."""
