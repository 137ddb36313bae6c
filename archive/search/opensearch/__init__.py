"""The OpenSearch engine (issue 13): the archive's articles and passages in a cluster (``ARCHIVE_SEARCH_URL``).

- :mod:`.client`: one connection to the cluster, retried on the other node, failures as archive errors;
- :mod:`.layout`: the indexes' names, settings and mappings, and the documents of an article (its text
  pre-analysed by our own analyser) and of the registry;
- :mod:`.engine`: :class:`~.engine.OpenSearchEngine`, the read side of the seam (``archive.search.engines``);
- :mod:`.translate`: the embedded engine's rewritten query as an OpenSearch query, same semantics;
- :mod:`.search`: filters, sorts, exact facets, pattern expansion; :mod:`.suggest`: did-you-mean;
- :mod:`.registry`: persons and places read from the cluster, cached per generation.

The layout chosen by measurement (``benchmarks/opensearch_layout.py``, removed after commit bd6d837) is :data:`.layout.DEFAULT_LAYOUT`.
"""
