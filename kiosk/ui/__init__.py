"""Kivy building blocks shared by the screens: theme, big buttons, keypads, header."""
