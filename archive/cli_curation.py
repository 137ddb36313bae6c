"""``archive people``, ``archive places`` and ``archive history``: editors correct the registry.

Thin wrappers over :mod:`archive.registry` (reading) and :mod:`archive.corrections` (writing, under the
one-writer lock). Registered on the main group by :mod:`archive.cli`.
"""

from __future__ import annotations

import json
from datetime import datetime

import click

from archive.errors import ArchiveError

#: Rows ``list`` prints unless asked for more (the Reuters registry holds thousands of names).
LIST_LIMIT = 50


def _fail(exc: ArchiveError) -> None:
    from archive.cli import _fail as fail

    fail(exc)


def _options(func):
    """``--home``, ``--wait`` and ``--as`` for a correction."""
    from archive.cli import home_option, wait_option

    func = click.option(
        "--as", "who", metavar="NAME", help="Who made it, for the history [default: OS user]."
    )(func)
    return home_option(wait_option(func))


def _catalog(home):
    from archive.store import Catalog

    return Catalog(home)


def _when(at: float | None) -> str:
    return datetime.fromtimestamp(at).strftime("%Y-%m-%d %H:%M") if at else ""


def _done(result: dict, what: str) -> None:
    click.echo(f"Correction #{result['id']}: {what}; {result['articles']} articles rewritten.")


def _write(home, kind, verb, keys, who, wait, **opts) -> dict:
    from archive.corrections import correct, os_user

    try:
        return correct(home, kind, verb, list(keys), who or os_user(), wait=wait, **opts)
    except ArchiveError as exc:
        _fail(exc)


def _group(kind: str, noun: str, plural: str) -> click.Group:
    """The verbs shared by ``archive people`` and ``archive places``."""
    from archive.cli import home_option

    @click.group(name=plural)
    def group() -> None:
        pass

    group.help = (
        f"List, inspect and correct the {plural} the archive found (corrections outlive re-imports).\n\n"
        f"Example:\n\n    archive {plural} list --query karp"
    )

    @group.command(name="list")
    @click.option("--query", default="", help="Keys, names or spellings containing this.")
    @click.option("--limit", type=click.IntRange(1), default=LIST_LIMIT, show_default=True)
    @click.option("--json", "as_json", is_flag=True, help="Print the list as JSON.")
    @home_option
    def list_(query, limit, as_json, home) -> None:
        from archive.registry import listing

        try:
            with _catalog(home) as catalog:
                found = listing(catalog, kind, query, limit=limit)
        except ArchiveError as exc:
            _fail(exc)
        if as_json:
            click.echo(json.dumps(found, ensure_ascii=False, indent=1))
            return
        for item in found["items"]:
            others = [v for v in item["variants"] if v != item["name"]]
            also = f"  ({'; '.join(others)})" if others else ""
            click.echo(f"{item['articles']:6}  {item['key']}  {item['name']}{also}")
        click.echo(
            f"{found['total']} {plural}" + (f" (first {limit} shown)" if found["total"] > limit else "")
        )

    list_.help = (
        f"List {plural} with their spellings and article counts.\n\nExample:\n\n    archive {plural} list"
    )

    @group.command()
    @click.argument("key")
    @click.option("--json", "as_json", is_flag=True, help="Print it as JSON.")
    @home_option
    def show(key, as_json, home) -> None:
        from archive.registry import entity

        try:
            with _catalog(home) as catalog:
                found = entity(catalog, kind, key)
        except ArchiveError as exc:
            _fail(exc)
        if as_json:
            click.echo(json.dumps(found, ensure_ascii=False, indent=1))
            return
        click.echo(f"{found['name']}  [{found['key']}]" + ("  (hidden)" if found["hidden"] else ""))
        if found.get("country"):
            click.echo(f"country: {found['country']}")
        click.echo(f"articles: {found['articles']}")
        click.echo(f"spellings: {'; '.join(found['variants'])}")
        for c in found["corrections"]:
            undone = f" (undone by {c['undone_by']})" if c["undone_at"] else ""
            click.echo(f"#{c['id']} {_when(c['at'])} {c['who']}: {c['what']}{undone}")

    show.help = f"Show one {noun}: name, spellings, articles, corrections.\n\nExample:\n\n    archive {plural} show KEY"

    @group.command()
    @click.argument("keys", nargs=-1, required=True)
    @click.option("--name", help="The name the merged entry takes.")
    @_options
    def merge(keys, name, home, wait, who) -> None:
        result = _write(home, kind, "merge", keys, who, wait, name=name)
        _done(result, f"{', '.join(keys[1:])} merged into {keys[0]}")

    merge.help = (
        f"Merge {plural} into the first KEY.\n\nExample:\n\n    archive {plural} merge KEY OTHER --name NAME"
    )

    @group.command()
    @click.argument("key")
    @click.option("--variant", "variants", multiple=True, required=True, help="A spelling to split off.")
    @_options
    def split(key, variants, home, wait, who) -> None:
        result = _write(home, kind, "split", [key], who, wait, variants=list(variants))
        _done(result, f"{'; '.join(variants)} split off {key} as {result['rule']['to']}")

    split.help = (
        f"Split spellings off a {noun} into a {noun} of their own.\n\n"
        f"Example:\n\n    archive {plural} split KEY --variant SPELLING"
    )

    @group.command()
    @click.argument("key")
    @click.argument("name")
    @_options
    def rename(key, name, home, wait, who) -> None:
        result = _write(home, kind, "rename", [key], who, wait, name=name)
        _done(result, f"{key} renamed {result['rule']['name']!r}")

    rename.help = (
        f"Give a {noun} the name shown for it.\n\nExample:\n\n    archive {plural} rename KEY 'NAME'"
    )

    @group.command()
    @click.argument("key")
    @_options
    def hide(key, home, wait, who) -> None:
        result = _write(home, kind, "hide", [key], who, wait)
        _done(result, f"{key} hidden")

    hide.help = f"Hide a {noun} (not a {noun}) from facets, filters and pages.\n\nExample:\n\n    archive {plural} hide KEY"

    @group.command()
    @click.argument("key")
    @_options
    def unhide(key, home, wait, who) -> None:
        result = _write(home, kind, "unhide", [key], who, wait)
        _done(result, f"{key} shown again")

    unhide.help = f"Show a hidden {noun} again.\n\nExample:\n\n    archive {plural} unhide KEY"

    if kind == "place":

        @group.command()
        @click.argument("key")
        @click.option("--to", "to", required=True, metavar="KEY", help="The place it really is.")
        @click.option("--article", "articles", multiple=True, help="Only in this article (repeatable).")
        @_options
        def move(key, to, articles, home, wait, who) -> None:
            """Say which place a name really is (this Georgia is the US state).

            Example:

                archive places move GE --to US/4197000 --article a-123
            """
            result = _write(home, kind, "move", [key], who, wait, to=to, articles=list(articles))
            _done(result, f"{key} moved to {to}")

    return group


def _history_group() -> click.Group:
    from archive.cli import home_option

    @click.group(invoke_without_command=True)
    @click.option("--json", "as_json", is_flag=True, help="Print the corrections as JSON.")
    @home_option
    @click.pass_context
    def history(ctx, as_json, home) -> None:
        """List every correction (when, who, what); ``history undo ID`` reverts one.

        Example:

            archive history --json
        """
        if ctx.invoked_subcommand is not None:
            return
        from archive.registry import history_item

        try:
            with _catalog(home) as catalog:
                items = [history_item(r) for r in catalog.corrections()]
        except ArchiveError as exc:
            _fail(exc)
        if as_json:
            click.echo(json.dumps(items, ensure_ascii=False, indent=1))
            return
        for c in items:
            undone = f"  [undone by {c['undone_by']} {_when(c['undone_at'])}]" if c["undone_at"] else ""
            click.echo(f"#{c['id']}  {_when(c['at'])}  {c['who']}: {c['what']}{undone}")
        if not items:
            click.echo("No corrections yet.", err=True)

    @click.command()
    @click.argument("correction_id", type=int)
    @_options
    def undo(correction_id, home, wait, who) -> None:
        """Revert one correction (the articles it changed are rewritten).

        Example:

            archive history undo 3
        """
        from archive.corrections import os_user
        from archive.corrections import undo as undo_correction

        try:
            result = undo_correction(home, correction_id, who or os_user(), wait=wait)
        except ArchiveError as exc:
            _fail(exc)
        click.echo(f"Undid correction #{correction_id}; {result['articles']} articles rewritten.")

    history.add_command(undo)
    return history


def register(cli: click.Group) -> None:
    """Add ``people``, ``places`` and ``history`` to the ``archive`` command."""
    for group in (_group("person", "person", "people"), _group("place", "place", "places"), _history_group()):
        cli.add_command(group)
