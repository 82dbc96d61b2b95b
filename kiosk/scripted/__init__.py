"""Scripted visits: drive the real Kivy app through a visit with no one at the screen.

Used by ``tongban kiosk run --script demo`` (``make demo`` on a machine with no
display), by the end-to-end test, by ``make screenshots`` and by the benchmark.
"""
