"""The ``tongban`` command: one console script, a sub-command group per part."""
