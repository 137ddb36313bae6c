"""The journalists' site: search, filter, read and export in the browser, plus the JSON API (DESIGN 3.4)."""
