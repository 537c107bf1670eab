"""Plain-Python helpers whose names merely resemble Flask APIs.

Nothing in this module touches Flask, Flask-SQLAlchemy or Flask-Login:
a binding-aware migration tool must report no findings here.
"""
from urllib.parse import parse_qs, urlsplit

COMMANDS = {}


def route(name):
    """Register a function as a named console command."""
    def decorator(func):
        COMMANDS[name] = func
        return func
    return decorator


class Column:
    """A column in a plain-text report table."""

    def __init__(self, title, width=12):
        self.title = title
        self.width = width

    def format(self, value):
        return str(value).ljust(self.width)[: self.width]


REPORT_COLUMNS = [Column("Name"), Column("Posts", width=6), Column("Joined", width=10)]


def render_template(template, **context):
    """Tiny str.format-based templating for e-mails and console output."""
    return template.format(**context)


class ShoppingSession:
    """A checkout session that collects item ids."""

    def __init__(self):
        self.items = []

    def add(self, item):
        self.items.append(item)
        return len(self.items)


class FakeRequest:
    """A parsed URL that exposes its query string like a web request."""

    def __init__(self, url):
        self.args = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def page_from(request):
    """Read ?page= from any object with an `args` mapping."""
    return int(request.args.get("page", 1))


@route("report")
def user_report(rows):
    header = "".join(column.format(column.title) for column in REPORT_COLUMNS)
    lines = ["".join(c.format(v) for c, v in zip(REPORT_COLUMNS, row)) for row in rows]
    return render_template("{header}\n{body}", header=header, body="\n".join(lines))


@route("dedupe")
def unique_tags(names):
    session = set()
    for name in names:
        session.add(name.lower())
    return sorted(session)


@route("checkout")
def checkout(item_ids):
    session = ShoppingSession()
    for item_id in item_ids:
        session.add(item_id)
    return session.items
