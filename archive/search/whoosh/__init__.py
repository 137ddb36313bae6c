"""The embedded engine: a Whoosh index in the archive's home (``<home>/whoosh``).

Nothing outside ``archive/search/`` imports this package: the rest of the archive reaches it through
:mod:`archive.search.engines` (``open_reader``, ``open_writer``) and the archive's home
(:mod:`archive.home`), which calls :mod:`archive.search.whoosh.maintenance` for what only an embedded
index needs (recovery of a killed reindex, leftovers, rebuild, check).
"""
