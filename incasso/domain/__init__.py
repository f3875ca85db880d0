"""The pure core: money, legal calculations, calendars and rules. No Django, no I/O beyond shipped data files."""
