"""The analyst's map: pure view logic (filters, timeline, map, popups) used by app.py."""
