"""The brigade of experts: a board's schedule of slots, claims, bookings, calendars and mail."""
