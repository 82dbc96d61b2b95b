"""The resident's visit as plain Python: state, search, checklist, PIN, health.

Nothing here imports Kivy, so every decision the kiosk makes is testable without a
screen; ``kiosk/screens/`` only shows this state and forwards taps.
"""
