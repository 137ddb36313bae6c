"""The OpenSearch engine (issue 13): the archive's articles and passages in a cluster (``ARCHIVE_SEARCH_URL``).

- :mod:`.client`: one connection to the cluster, retried on the other node, failures as archive errors;
- :mod:`.layout`: the index settings and mappings, nested and parent/child, and the documents of an article;
- :mod:`.search`: a search request (words, filters) as a query with highlighted passages and exact facets.

The layout chosen by measurement (``benchmarks/opensearch_layout.py``) is :data:`.layout.DEFAULT_LAYOUT`.
"""
