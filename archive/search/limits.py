"""What every engine promises about the work one search may do (the seam's numbers, shared by both)."""

#: Wall-clock budget of one search (parse, match, facets, page) on the site; past it the search stops
#: with :class:`~archive.errors.SearchTimeout` instead of holding a worker (DESIGN §5).
TIME_BUDGET_SECONDS = 1.0
#: Budget of the whole-result paths (the CLI, exports, batches, watches): not cut by the site's budget,
#: which protects shared web workers, yet still ending on a busy machine (the query guards bound the work).
WHOLE_SET_TIME_BUDGET_SECONDS = 120.0
#: Snippets per result: the best-matching passages of the article.
MAX_SNIPPETS = 3
