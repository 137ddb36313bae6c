"""The ``archive`` command: a thin layer over the library for newsroom staff at a terminal."""

from __future__ import annotations

import json
import os
import sys
import traceback
from html import unescape
from pathlib import Path

import click

from archive import config
from archive.errors import ArchiveError, BadQuery
from archive.models import ImportReport

home_option = click.option(
    "--home",
    envvar=config.HOME_ENV,
    default=str(config.DEFAULT_HOME),
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Archive folder (index, catalog, originals); also $ARCHIVE_HOME.",
)
search_url_option = click.option(
    "--search-url",
    envvar=config.SEARCH_URL_ENV,
    metavar="URLS",
    help="The search cluster's node URLs, comma-separated; also $ARCHIVE_SEARCH_URL. Unset: the embedded index.",
)
wait_option = click.option(
    "--wait",
    default=0.0,
    show_default=True,
    type=float,
    metavar="SECONDS",
    help="Wait this long for another writer (import, delete, reindex) to finish.",
)

#: CPU priority an import gives up (nice value added): on a machine that also serves the site, the web
#: workers then take the cores first and search stays quick while a batch imports.
IMPORT_NICENESS = 10
#: Exit status of an import in which some input failed (the rest was imported); 2 is a usage error,
#: 3 "another writer holds the archive" and 4 "the disk is full" (``ArchiveError.exit_code``).
EXIT_SOME_FAILED = 1
#: Exit status of an unexpected error (a bug): never mistaken for "some inputs failed".
EXIT_CRASH = 5


def _fail(exc: ArchiveError) -> None:
    error = click.ClickException(str(exc))
    error.exit_code = exc.exit_code
    raise error


@click.group()
@click.version_option(package_name="newsroom-archive")
def cli() -> None:
    """Import, search and serve a news archive."""


def _estimate_records(paths: tuple[str, ...]) -> int | None:
    """A cheap count of input records for the progress bar's ETA: lines of JSON Lines files, else files."""
    from archive.readers import SUPPORTED_EXTENSIONS

    total = 0
    for raw in paths:
        if raw == "-":
            return None
        path = Path(raw)
        if path.is_dir():  # not following links to folders, like the readers
            files = [Path(root) / name for root, _, names in os.walk(path) for name in names]
        else:
            files = [path]
        for f in files:
            if not f.is_file():
                continue  # a FIFO or a device: the readers refuse it, and opening it could block
            if f.suffix.lower() == ".jsonl":
                with f.open("rb") as fh:
                    total += sum(1 for line in fh if line.strip())
            elif f.name.lower().endswith((".warc", ".warc.gz")):
                return None
            elif f.suffix.lower() in SUPPORTED_EXTENSIONS or f.is_file():
                total += 1
    return total


def _summary(report: ImportReport, seconds: float) -> str:
    data = report.to_dict()
    failed = len(data["failed"])
    rate = (data["imported"] + data["updated"]) / seconds if seconds > 0 else 0.0
    return (
        f"Imported {data['imported']}, updated {data['updated']}, duplicates {data['duplicates']}, "
        f"failed {failed} in {seconds:.1f} s ({rate:.0f} articles/s)."
    )


workers_option = click.option(
    "--workers", type=click.IntRange(1, 64), default=None, help="Worker processes [default: cores]."
)


@cli.command(name="import")
@click.argument("paths", nargs=-1, required=True)
@home_option
@workers_option
@click.option("--json", "as_json", is_flag=True, help="Print the import report as JSON.")
@click.option("--quiet", is_flag=True, help="No progress bar or summary.")
@click.option("--no-entities", is_flag=True, hidden=True, help="Skip entity extraction (benchmarks).")
@wait_option
@search_url_option
def import_(paths, home, workers, as_json, quiet, no_entities, wait, search_url) -> None:
    """Import article files, folders, web archives or JSON Lines (``-`` reads stdin).

    Every input ends imported, updated, duplicate or failed with a reason; a bad file never stops the
    batch. Exit status 1 when any input failed.

    Example:

        archive import seeds/ ~/exports/october.jsonl
    """
    import time

    from archive.importer import import_paths

    for raw in paths:
        if raw != "-" and not Path(raw).exists():
            raise click.UsageError(f"No such file or folder: {raw}")
    os.nice(IMPORT_NICENESS)  # a batch job: searches in the newsroom come first
    show_bar = not quiet and not as_json and sys.stderr.isatty()
    bar = None
    if show_bar:
        from tqdm import tqdm

        bar = tqdm(total=_estimate_records(paths), unit=" articles", file=sys.stderr, dynamic_ncols=True)
    started = time.monotonic()
    try:
        report = import_paths(
            list(paths),
            home,
            workers=workers or config.default_workers(),
            with_entities=not no_entities,
            progress=bar.update if bar else None,
            stdin=sys.stdin.buffer,
            wait=wait,
            url=search_url,
        )
    except ArchiveError as exc:
        _fail(exc)
    finally:
        if bar is not None:
            bar.close()
    if as_json:
        from archive.entities.ner import model_name  # names the spaCy pipeline without loading spaCy

        data = _with_watches(report, home)
        data["entities_model"] = None if no_entities else model_name()
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
    elif not quiet:
        for warning in report.warnings:
            where = f"{warning.source}:{warning.line}" if warning.line else warning.source
            click.echo(f"warning: {where}: {warning.id}: {warning.message}", err=True)
        for item in report.failed:
            where = f"{item.source}:{item.line}" if item.line else item.source
            click.echo(f"failed: {where}: {item.reason}", err=True)
        click.echo(_summary(report, time.monotonic() - started))
    if report.failed:
        sys.exit(EXIT_SOME_FAILED)


@cli.command()
@click.argument("query", default="")
@home_option
@click.option("--person", multiple=True, help="Only articles naming this person (key, name or spelling).")
@click.option(
    "--place", multiple=True, help="Only articles naming this place (a country includes its cities)."
)
@click.option("--from", "date_from", help="Published on or after (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--to", "date_to", help="Published on or before.")
@click.option("--mentioned-from", help="Mentions a date on or after.")
@click.option("--mentioned-to", help="Mentions a date on or before.")
@click.option("--source", help="Only articles from this outlet.")
@click.option("--language", help="Only articles in this language (ISO 639-1: en, ru, uk, be, pl).")
@click.option(
    "--sort", type=click.Choice(["relevance", "newest", "oldest"]), default="relevance", show_default=True
)
@click.option("--exact", is_flag=True, help="Literal text: no folding, stemming or name variants.")
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True, help="Results to show.")
@click.option(
    "--collapse", is_flag=True, help="One result per story: wire copies listed under the best match."
)
@click.option("--json", "as_json", is_flag=True, help="Print exactly what /api/search returns.")
@search_url_option
def search(
    query,
    home,
    person,
    place,
    date_from,
    date_to,
    mentioned_from,
    mentioned_to,
    source,
    language,
    sort,
    exact,
    limit,
    collapse,
    as_json,
    search_url,
) -> None:
    """Search the archive.

    Example:

        archive search '"security forces" NOT protest' --place Belarus --from 2020
    """
    from archive.home import Archive
    from archive.search.request import SearchRequest

    # a plain mapping, not werkzeug's MultiDict: importing werkzeug costs the CLI ~0.1 s
    args: dict = {"q": query, "sort": sort, "mode": "exact" if exact else "normal"}
    if collapse:
        args["collapse"] = "1"
    args["person"], args["place"] = list(person), list(place)
    optional = {
        "from": date_from,
        "to": date_to,
        "mentioned_from": mentioned_from,
        "mentioned_to": mentioned_to,
        "source": source,
        "language": language,
    }
    args.update({key: value for key, value in optional.items() if value})
    try:
        req = SearchRequest.from_args(args)
        req.per_page = limit  # the CLI has no page cap: --limit N returns N results
        # a terminal holds no shared web worker: the whole result set, not the site's budget
        searcher = Archive(home, search_url).reader(whole_set=True)
        try:
            result = searcher.search(req, facets=as_json)  # the text output shows no facets
        finally:
            searcher.close()
    except BadQuery as exc:
        raise click.UsageError(str(exc)) from exc
    except ArchiveError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=1))
        return
    for notice in result.get("notices") or []:
        click.echo(f"Note: {notice}", err=True)
    click.echo(f"{result['total']} articles" + (f" in {result['stories']} stories" if collapse else ""))
    for hit in result["results"]:
        click.echo(f"\n{hit['id']}  {hit.get('published') or '':10}  {hit['title']}")
        for snippet in hit["snippets"][:1]:
            text = snippet["html"].replace("<mark>", "[").replace("</mark>", "]")
            click.echo(f"    p{snippet['passage']}: {unescape(text)}")
        for copy in hit.get("copies", []):
            click.echo(f"    also: {copy['id']}  {copy.get('source') or ''}  {copy.get('published') or ''}")
    if result.get("suggestion"):
        click.echo(f"\nDid you mean: {result['suggestion']}")


@cli.command()
@click.argument("article_id")
@home_option
@click.option("--json", "as_json", is_flag=True, help="Print exactly what /api/articles/<id> returns.")
@search_url_option
def show(article_id, home, as_json, search_url) -> None:
    """Show one article with its people, places and dates.

    Example:

        archive show reuters-1234 --json
    """
    from archive.present import article_json
    from archive.store import Catalog

    try:
        if search_url:  # the cluster holds what readers see: no home needed
            from archive.home import Archive

            engine = Archive(home, search_url).reader()
            try:
                article = engine.article(article_id)
                shown = article_json(article, engine) if article is not None and as_json else None
            finally:
                engine.close()
        else:
            with Catalog(home) as catalog:
                article = catalog.get_article(article_id)
                shown = article_json(article, catalog) if article is not None and as_json else None
    except ArchiveError as exc:
        _fail(exc)
    if article is None:
        raise click.ClickException(f"No article with id {article_id!r} in {search_url or home}.")
    if shown is not None:
        click.echo(json.dumps(shown, ensure_ascii=False, indent=1))
        return
    click.echo(article.title)
    meta = [x for x in (article.published, article.source, ", ".join(article.author), article.url) if x]
    click.echo(" | ".join(meta))
    click.echo("")
    click.echo(article.text)
    if article.persons:
        click.echo("\nPeople: " + "; ".join(f"{p.name} ({', '.join(p.variants)})" for p in article.persons))
    if article.places:
        click.echo("Places: " + "; ".join(f"{p.name}, {p.country}" for p in article.places))
    if article.dates:
        click.echo("Dates: " + "; ".join(f"{d.text} = {d.value}" for d in article.dates))


@cli.command()
@home_option
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def stats(home, as_json) -> None:
    """Count articles, passages, people and places in the archive.

    Example:

        archive stats --json
    """
    from archive.store import Catalog

    try:
        with Catalog(home) as catalog:
            figures = catalog.stats()
    except ArchiveError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(figures))
    else:
        for name, value in figures.items():
            click.echo(f"{name:>10}: {value}")


@cli.command()
@click.argument("ids", nargs=-1, required=True)
@home_option
@wait_option
def delete(ids, home, wait) -> None:
    """Delete articles by id from the catalog and the index.

    Example:

        archive delete reuters-1234 reuters-1235
    """
    from archive.importer import delete as delete_ids

    try:
        missing = delete_ids(list(ids), home, wait=wait)
    except ArchiveError as exc:
        _fail(exc)
    for article_id in missing:
        click.echo(f"not found: {article_id}", err=True)
    click.echo(f"Deleted {len(ids) - len(missing)} articles.")
    if missing:
        sys.exit(EXIT_SOME_FAILED)


@cli.command()
@home_option
@workers_option
@wait_option
@click.option(
    "--reextract", is_flag=True, help="Read the stored originals and extract people, places, dates again."
)
@click.option(
    "--to",
    "to_url",
    metavar="URL",
    help="Copy the archive into this search cluster (node URLs, comma-separated) instead; resumable.",
)
@click.option("--fresh", is_flag=True, help="With --to: start over in empty indexes.")
def reindex(home, workers, wait, reextract, to_url, fresh) -> None:
    """Rebuild the search index from the catalog (after a crash, a lost index or a schema change).

    Editors' corrections are applied again; with --reextract a better extractor reaches old articles.
    With --to, the articles go to a search cluster in parallel bulk requests; a move that was stopped
    continues where it stopped when run again.

    Example:

        archive reindex --home /srv/archive
        archive reindex --home /srv/archive --to http://search-1:9200,http://search-2:9200
    """
    if to_url:
        from archive.search.opensearch.migrate import move, printer

        try:
            count = move(home, to_url, wait=wait, fresh=fresh, progress=printer(click.echo))
        except ArchiveError as exc:
            _fail(exc)
        click.echo(f"Sent {count} articles to {to_url}.")
        return
    from archive.reindex import reindex as rebuild

    try:
        count = rebuild(home, wait=wait, workers=workers or config.default_workers(), reextract=reextract)
    except ArchiveError as exc:
        _fail(exc)
    click.echo(f"Reindexed {count} articles.")


@cli.command()
@home_option
@click.option(
    "--repair", is_flag=True, help="Fix what can be fixed (takes the write lock), then check again."
)
@wait_option
def check(home, repair, wait) -> None:
    """Check that the index opens and agrees with the catalog, and look for a killed writer's leftovers.

    The check holds the write lock while it looks (a writer that is running is noted, not reported as
    killed). Exit status 1 when problems remain, 3 when --repair cannot get the lock.

    Example:

        archive check --repair --home /srv/archive
    """
    from archive.check import check as run_check

    try:
        report = run_check(home, repair=repair, wait=wait)
    except ArchiveError as exc:
        _fail(exc)
    for line in report.repaired:
        click.echo(f"repaired: {line}")
    for problem in report.problems:
        click.echo(f"problem: {problem}", err=True)
    if report.leftovers:
        names = ", ".join(p.name for p in report.leftovers[:10])
        click.echo(f"problem: {len(report.leftovers)} leftover files of a killed writer: {names}", err=True)
    if report.writer_running:
        click.echo(
            "note: an import, delete or reindex is writing now: its work in progress was not checked; "
            "run `archive check` again when it has finished.",
            err=True,
        )
    if not report.ok:
        click.echo(
            "Run `archive check --repair` to fix this." if not repair else "Problems remain.", err=True
        )
        sys.exit(1)
    leftovers = "" if report.writer_running else ", no leftovers"
    click.echo(f"OK: {report.articles} articles, {report.passages} passages{leftovers}.")


@cli.group()
def users() -> None:
    """Make the archive private: manage who may log in to the site.

    Users live in <home>/users.json (or $ARCHIVE_USERS) with hashed passwords. While the file names at
    least one user, every page, API route and export asks for a login; with none, the site is open.

    Example:

        archive users add alice --home /srv/archive
    """


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@users.command(name="add")
@click.argument("name")
@home_option
@click.option(
    "--role",
    type=click.Choice(["reader", "editor"]),
    default=None,
    help="editor: may correct people and places.",
)
def users_add(name, home, role) -> None:
    """Add a user, or set a new password (which ends their sessions); asked for, or read from stdin.

    Example:

        archive users add alice --home /srv/archive
    """
    from archive import users as users_file

    path = users_file.users_path(home)
    try:
        new = users_file.add(path, name, _read_password(), role=role)
    except ArchiveError as exc:
        _fail(exc)
    click.echo(
        f"{'Added' if new else 'Changed the password of'} {name} in {path}; the site now asks for a login."
    )


@users.command(name="remove")
@click.argument("name")
@home_option
def users_remove(name, home) -> None:
    """Remove a user (their sessions end; with no users left the site is open again).

    Example:

        archive users remove alice
    """
    from archive import users as users_file

    path = users_file.users_path(home)
    try:
        removed = users_file.remove(path, name)
        left = len(users_file.load(path)["users"])
    except ArchiveError as exc:
        _fail(exc)
    if not removed:
        raise click.ClickException(f"No user {name!r} in {path}.")
    click.echo(f"Removed {name}; {left} users left" + ("." if left else ": the site is open to anyone."))


@users.command(name="list")
@home_option
def users_list(home) -> None:
    """List the users who may log in."""
    from archive import users as users_file

    try:
        data = users_file.load(users_file.users_path(home))
    except ArchiveError as exc:
        _fail(exc)
    names = sorted(data["users"])
    for name in names:
        role = users_file.role_of(data, name)
        click.echo(name if role == users_file.READER else f"{name} ({role})")
    if not names:
        click.echo("No users: the site is open to anyone.", err=True)


def _with_watches(report: ImportReport, home: Path) -> dict:
    """The import report with, per watch, how many of the batch's new or updated articles match it."""
    from archive.watches import batch_matches

    data = report.to_dict()
    ids = [item.id for item in report.items if item.status in ("imported", "updated") and item.id]
    try:
        data["watches"] = batch_matches(home, ids)
    except ArchiveError as exc:  # the import is done; a watch that cannot be counted does not undo it
        data["watches"] = [{"name": None, "new": None, "error": str(exc)}]
    return data


def search_filter_options(command):
    """The search filters (as ``archive search`` takes them), for commands that save or run searches."""
    options = [
        click.option("--person", multiple=True, help="Only articles naming this person."),
        click.option("--place", multiple=True, help="Only articles naming this place."),
        click.option("--from", "date_from", help="Published on or after (YYYY, YYYY-MM or YYYY-MM-DD)."),
        click.option("--to", "date_to", help="Published on or before."),
        click.option("--mentioned-from", help="Mentions a date on or after."),
        click.option("--mentioned-to", help="Mentions a date on or before."),
        click.option("--source", help="Only articles from this outlet."),
        click.option("--language", help="Only articles in this language (ISO 639-1: en, ru, uk, be, pl)."),
        click.option("--exact", is_flag=True, help="Literal text: no folding, stemming or name variants."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _search_request(query: str, person, place, exact: bool, **filters):
    """A validated :class:`SearchRequest` from the command line's filters."""
    from archive.search.request import SearchRequest

    return SearchRequest(
        q=query,
        persons=list(person),
        places=list(place),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        mentioned_from=filters.get("mentioned_from"),
        mentioned_to=filters.get("mentioned_to"),
        source=filters.get("source"),
        language=filters.get("language"),
        mode="exact" if exact else "normal",
    )


@cli.group()
def watch() -> None:
    """Saved searches that report what is new: add, list, remove, run.

    A watch reports the articles that match it and arrived (were imported or updated) since its last
    run; `archive import --json` counts each watch's matches in the batch.

    Example:

        archive watch add lukashenka Lukashenka --place Belarus
    """


@watch.command(name="add")
@click.argument("name")
@click.argument("query", default="")
@home_option
@search_filter_options
def watch_add(name, query, home, **filters) -> None:
    """Save a search as a watch; it reports what arrives from now on.

    Example:

        archive watch add belarus-protests 'protest*' --place Belarus --from 2020
    """
    from archive import watches
    from archive.store import Catalog

    try:
        req = _search_request(query, **filters)
        with Catalog(home) as catalog:
            catalog.ensure_watches()
            added = watches.add(catalog, name, req)
    except BadQuery as exc:
        raise click.UsageError(str(exc)) from exc
    except ArchiveError as exc:
        _fail(exc)
    click.echo(f"Added watch {added.name}: {added.search_path()}")


@watch.command(name="list")
@home_option
@click.option("--json", "as_json", is_flag=True, help="Print the watches as JSON.")
def watch_list(home, as_json) -> None:
    """List the watches with their searches.

    Example:

        archive watch list --json
    """
    from archive import watches
    from archive.store import Catalog

    try:
        with Catalog(home) as catalog:
            found = watches.watches(catalog)
    except ArchiveError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps([w.to_dict() for w in found], ensure_ascii=False, indent=1))
        return
    for w in found:
        checked = w.to_dict()["checked"] or "never run"
        click.echo(f"{w.name}  {w.search_path()}  ({checked})")
    if not found:
        click.echo("No watches: add one with `archive watch add NAME QUERY`.", err=True)


@watch.command(name="remove")
@click.argument("name")
@home_option
def watch_remove(name, home) -> None:
    """Remove a watch.

    Example:

        archive watch remove belarus-protests
    """
    from archive import watches
    from archive.store import Catalog

    try:
        with Catalog(home) as catalog:
            watches.remove(catalog, name)
    except ArchiveError as exc:
        _fail(exc)
    click.echo(f"Removed watch {name}.")


@watch.command(name="run")
@home_option
@click.option("--json", "as_json", is_flag=True, help="Print [{name, query, new, error}] as JSON.")
def watch_run(home, as_json) -> None:
    """Report each watch's matches that arrived since its last run, then mark them seen.

    A watch whose search no longer runs says why (exit status 1); the others still run.

    Example:

        archive watch run --json
    """
    from archive import watches
    from archive.store import Catalog

    try:
        with Catalog(home) as catalog:
            catalog.ensure_watches()  # an archive older than watches gains the arrival index once
        report = watches.run(home)
    except ArchiveError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        for entry in report:
            if entry["error"]:
                click.echo(f"{entry['name']}: {entry['error']}", err=True)
                continue
            click.echo(f"{entry['name']}: {len(entry['new'])} new")
            for item in entry["new"]:
                click.echo(f"  {item['id']}  {item.get('published') or '':10}  {item.get('title') or ''}")
        if not report:
            click.echo("No watches: add one with `archive watch add NAME QUERY`.", err=True)
    if any(entry["error"] for entry in report):
        sys.exit(EXIT_SOME_FAILED)


@cli.command(name="batch-search")
@click.argument("file", type=click.File("r", encoding="utf-8-sig"))
@home_option
@click.option("--limit", type=click.IntRange(0, 100), default=3, show_default=True, help="Articles per row.")
@click.option("--json", "as_json", is_flag=True, help="Print [{query, total, results, url, error}] as JSON.")
def batch_search(file, home, limit, as_json) -> None:
    """Run one search per row of a CSV with a `query` column (and optional filter columns).

    Filter columns: person, place (several split by ";"), from, to, mentioned_from, mentioned_to,
    source, language, mode, sort; other columns are reported and ignored. A row that cannot be searched
    gets its error and the rest go on (exit status 1). `-` reads the CSV from stdin.

    Example:

        archive batch-search officials.csv --json > totals.json
    """
    from archive import batch
    from archive.home import Archive

    try:
        rows = batch.parse_csv(file.read())
        for notice in rows.notices:
            click.echo(f"Note: {notice}", err=True)
        engine = Archive(home).reader(whole_set=True)
        try:
            report = batch.run(engine, rows, limit=limit)
        finally:
            engine.close()
    except UnicodeDecodeError as exc:
        raise click.UsageError(f"{file.name} is not UTF-8 text: {exc.reason} at byte {exc.start}.") from exc
    except ArchiveError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        click.echo(_batch_table(report))
    if any(entry["error"] for entry in report):
        sys.exit(EXIT_SOME_FAILED)


def _batch_table(report: list[dict]) -> str:
    """The batch as a plain-text table: query, total, first result or the error, link."""
    lines = [f"{'query':30}  {'total':>7}  first match / error"]
    for entry in report:
        query = (" ".join(entry["query"].split()) or "(filters only)")[:30]
        if entry["error"]:
            lines.append(f"{query:30}  {'error':>7}  {entry['error']}")
            continue
        first = entry["results"][0] if entry["results"] else None
        title = f"{first['id']}  {first.get('title') or ''}"[:60] if first else ""
        lines.append(f"{query:30}  {entry['total']:>7,}  {title}")
        lines.append(f"{'':30}  {'':>7}  {entry['url']}")
    return "\n".join(lines)


@cli.command()
@home_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@search_url_option
def serve(home, host, port, search_url) -> None:
    """Serve the search site (development server; use gunicorn via the Procfile in production).

    Example:

        archive serve --port 8000
    """
    from archive.memory import keep_search_memory
    from archive.web.app import create_app

    keep_search_memory()
    app = create_app({"ARCHIVE_HOME": str(home), "SEARCH_URL": search_url})
    app.run(host=host, port=port)


from archive.cli_curation import register  # noqa: E402 - its commands use the options above

register(cli)


def main() -> None:
    try:
        cli(prog_name="archive")
    except Exception:  # noqa: BLE001 - a bug: its traceback for the report, and an exit status of its own
        traceback.print_exc()
        click.echo(
            f"archive: internal error (exit status {EXIT_CRASH}); what was committed before it is kept. "
            "Please report the traceback above.",
            err=True,
        )
        sys.exit(EXIT_CRASH)
