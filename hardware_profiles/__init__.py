"""Per-kiosk-model hardware settings (YAML), loaded and validated by kiosk.hardware."""
