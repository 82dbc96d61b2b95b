"""PDF renderers of the standard's forms, shared by the kiosk and the server workspace.

Each renderer takes the form's data model (``shared_schema.forms``) and returns PDF
bytes; nothing here knows where the PDF goes (a kiosk printer, a browser download).
"""
