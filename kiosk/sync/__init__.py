"""The kiosk's sync client: push the outbox, pull statuses and catalog, report health.

Entry points: :class:`kiosk.sync.service.SyncService` (one cycle) and
:class:`kiosk.sync.worker.SyncWorker` (the background thread the app runs).
"""
