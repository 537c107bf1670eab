"""Checks that every framework name the ported fixtures import exists in the real frameworks.

argv[1]: a directory of .py files (the fixtures, copied in). Prints one JSON object:
{"versions": {...}, "files": {name: {"checked": ["django.http.JsonResponse", ...], "missing": ["x.y: why", ...]}}}
Only imports of django, fastapi, starlette, sqlalchemy and pydantic are checked (flask and werkzeug are what is being
ported away). Imports anywhere in the file count, inside functions too; relative imports are skipped.
"""
import ast
import importlib
import json
import os
import sys

CHECKED = ("django", "fastapi", "starlette", "sqlalchemy", "pydantic")

import django
from django.conf import settings

settings.configure(
    DEBUG=True,
    SECRET_KEY="framework-porter-test",
    INSTALLED_APPS=[
        "django.contrib.contenttypes",
        "django.contrib.auth",
        "django.contrib.sessions",
        "django.contrib.messages",
    ],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    ROOT_URLCONF=__name__,
    MIDDLEWARE=[],
    TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates", "DIRS": [], "APP_DIRS": True}],
    USE_TZ=True,
)
django.setup()
urlpatterns = []


def wanted(module):
    return module.split(".")[0] in CHECKED


def check_name(module, name):
    try:
        mod = importlib.import_module(module)
    except Exception as e:  # noqa: BLE001 — any failure to import is the finding
        return f"{module}: cannot import: {type(e).__name__}: {e}"
    if name is None or hasattr(mod, name):
        return None
    try:  # `from pkg import submodule`
        importlib.import_module(f"{module}.{name}")
        return None
    except ImportError:
        return f"{module}.{name}: no such name in {module} ({getattr(mod, '__file__', '?')})"


def main():
    root = sys.argv[1]
    files = {}
    for fname in sorted(os.listdir(root)):
        if not fname.endswith(".py"):
            continue
        with open(os.path.join(root, fname), encoding="utf-8") as f:
            tree = ast.parse(f.read(), fname)
        checked, missing = [], []
        for node in ast.walk(tree):
            pairs = []
            if isinstance(node, ast.Import):
                pairs = [(a.name, None) for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                pairs = [(node.module, a.name) for a in node.names]
            for module, name in pairs:
                if not wanted(module):
                    continue
                label = module if name is None else f"{module}.{name}"
                if name == "*":
                    name = None
                checked.append(label)
                err = check_name(module, name)
                if err:
                    missing.append(err)
        files[fname] = {"checked": checked, "missing": missing}
    import fastapi, pydantic, sqlalchemy, starlette

    versions = {
        "python": sys.version.split()[0],
        "django": django.get_version(),
        "fastapi": fastapi.__version__,
        "starlette": starlette.__version__,
        "sqlalchemy": sqlalchemy.__version__,
        "pydantic": pydantic.VERSION,
    }
    print(json.dumps({"versions": versions, "files": files}))


main()
