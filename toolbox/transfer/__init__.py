"""Import and export: boards brought in from Trello or CSV, taken out as CSV, backed up as JSON.

Nothing in here knows about HTTP except `views.py`; the command line is in `cli.py`.
"""
