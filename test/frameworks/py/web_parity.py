"""Sends the same requests to a rule fixture's original Flask code (real Flask 3.1, its test_client) and to its port
(real FastAPI 0.115 through TestClient, or real Django 4.2 through django.test.Client), and prints what each answered.

argv[1]: the work directory: spec.json, original/<case>.py, fastapi/<case>.py, django/<case>.py.
spec.json: {"cases": [{"id", "file", "requests": [{"method", "path", "query"?, "headers"?, "cookies"?, "json"?,
"form"?, "body"?}]}]}. Prints {"results": {case id: {"flask": [...], "fastapi": [...], "django": [...]}}}, one
normalized answer per request (or {"error": ...} when the module could not be loaded); the test compares them.

Glue, kept explicit:
- Flask: the module's Flask app is used, or a new one; every Blueprint the module defines and leaves unregistered is
  registered on it (the fixtures define blueprints without an app).
- FastAPI: the module's FastAPI app is used, or a new one; every APIRouter the module defines is included.
- Django: urlpatterns are built from the port's own `# TODO(port): add to urls.py: path(...)` hints; when the port
  says the blueprint becomes an app (`app_name = "x"` ... `path("prefix/", include("x.urls"))`), they are included
  under that prefix and namespace, as that hint says. When several views share one path (Flask routed them by method), one glue view
  tries each in order and answers with the first that does not refuse the method (405): what a person merging them
  into one view would do.
"""
import http.cookies
import importlib.util
import json
import os
import re
import sys
import traceback
import urllib.parse

work = sys.argv[1]
with open(os.path.join(work, "spec.json")) as f:
    spec = json.load(f)
only = sys.argv[2] if len(sys.argv) > 2 else None


def load(path, name):
    mod_spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(mod_spec)
    sys.modules[name] = mod
    mod_spec.loader.exec_module(mod)
    return mod


def normalize(status, headers, body_bytes):
    """headers: list of (name, value)."""
    ctype = next((v for k, v in headers if k.lower() == "content-type"), "")
    main = ctype.split(";")[0].strip().lower()
    text = body_bytes.decode("utf-8", "replace")
    out = {"status": status, "content_type": main, "text": text}
    if main == "application/json" and text:
        try:
            out["json"] = json.loads(text)
        except ValueError:
            pass
    loc = next((v for k, v in headers if k.lower() == "location"), None)
    if loc is not None:
        u = urllib.parse.urlsplit(loc)
        out["location"] = u.path + (f"?{u.query}" if u.query else "")
    hdrs = {}
    for k, v in headers:
        if k.lower() != "set-cookie":
            hdrs[k.lower()] = v
    out["headers"] = hdrs
    cookies = {}
    for k, v in headers:
        if k.lower() == "set-cookie":
            c = http.cookies.SimpleCookie()
            c.load(v)
            for name, morsel in c.items():
                cookies[name] = morsel.value
    out["cookies"] = cookies
    return out


def failed(e):
    """The request itself raised (the framework did not even answer 500): status 0 and the exception."""
    return {"status": 0, "content_type": "", "text": "".join(traceback.format_exception(e, limit=-3)), "headers": {}, "cookies": {}}


# ---------------------------------------------------------------- Flask
def flask_results(case):
    import flask

    mod = load(os.path.join(work, "original", case["file"]), f"orig_{case['id'].replace('-', '_')}")
    apps = [v for v in vars(mod).values() if isinstance(v, flask.Flask)]
    app = apps[0] if apps else flask.Flask(mod.__name__)
    app.config["TESTING"] = False  # errors become 500 answers, as for the port
    app.testing = False
    for bp in [v for v in vars(mod).values() if isinstance(v, flask.Blueprint)]:
        if bp.name not in app.blueprints:
            app.register_blueprint(bp)
    out = []
    for r in case["requests"]:
        client = app.test_client()
        for k, v in (r.get("cookies") or {}).items():
            client.set_cookie(k, v)
        kw = {"method": r["method"], "query_string": r.get("query"), "headers": r.get("headers") or {}}
        if "json" in r:
            kw["json"] = r["json"]
        if "form" in r:
            kw["data"] = r["form"]
        if "body" in r:
            kw["data"] = r["body"]
        try:
            resp = client.open(r["path"], **kw)
            out.append(normalize(resp.status_code, list(resp.headers.items()), resp.get_data()))
        except Exception as e:  # noqa: BLE001
            out.append(failed(e))
    return out


# ---------------------------------------------------------------- FastAPI
def fastapi_results(case):
    from fastapi import APIRouter, FastAPI
    from fastapi.testclient import TestClient

    mod = load(os.path.join(work, "fastapi", case["file"]), f"fa_{case['id'].replace('-', '_')}")
    apps = [v for v in vars(mod).values() if isinstance(v, FastAPI)]
    app = apps[0] if apps else FastAPI()
    for router in [v for v in vars(mod).values() if isinstance(v, APIRouter)]:
        app.include_router(router)
    out = []
    for r in case["requests"]:
        client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
        for k, v in (r.get("cookies") or {}).items():
            client.cookies.set(k, v)
        kw = {"params": r.get("query"), "headers": r.get("headers") or {}}
        if "json" in r:
            kw["json"] = r["json"]
        if "form" in r:
            kw["data"] = r["form"]
        if "body" in r:
            kw["content"] = r["body"]
        try:
            resp = client.request(r["method"], r["path"], **kw)
            out.append(normalize(resp.status_code, list(resp.headers.multi_items()), resp.content))
        except Exception as e:  # noqa: BLE001
            out.append(failed(e))
    return out


# ---------------------------------------------------------------- Django
django_ready = False
HINT = re.compile(r'# TODO\(port\): add to urls\.py: path\("([^"]*)", (\w+), name="(\w+)"\)')
APP_HINT = re.compile(r'app_name = "(\w+)".*?path\("([^"]*)", include\(')


def django_setup():
    global django_ready
    if django_ready:
        return
    import django
    from django.conf import settings

    settings.configure(
        DEBUG=False,
        SECRET_KEY="framework-porter-test",
        ALLOWED_HOSTS=["*"],
        INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.sessions", "django.contrib.messages"],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
        ROOT_URLCONF="fp_urls",
        MIDDLEWARE=[],
        USE_TZ=True,
        LOGGING_CONFIG=None,
    )
    django.setup()
    sys.modules["fp_urls"] = type(sys)("fp_urls")
    django_ready = True


def by_method(views):
    from django.http import HttpResponseNotAllowed

    def dispatch(request, *args, **kwargs):
        resp = None
        for view in views:
            resp = view(request, *args, **kwargs)
            if not isinstance(resp, HttpResponseNotAllowed):
                return resp
        return resp

    return dispatch


def django_results(case):
    django_setup()
    from django.test import Client
    from django.urls import clear_url_caches, path, re_path

    file = os.path.join(work, "django", case["file"])
    mod = load(file, f"dj_{case['id'].replace('-', '_')}")
    with open(file) as f:
        text = f.read()
    hints = HINT.findall(text)
    if not hints:
        raise RuntimeError("no `add to urls.py` hint in the port")
    routes = {}
    for route, view, name in hints:
        routes.setdefault(route, []).append((getattr(mod, view), name))
    patterns = [path(route, views[0][0] if len(views) == 1 else by_method([v for v, _ in views]), name=views[0][1]) for route, views in routes.items()]
    app = APP_HINT.search(text)
    if app:
        from django.urls import include

        patterns = [path(app.group(2), include((patterns, app.group(1)), namespace=app.group(1)))]
    sys.modules["fp_urls"].urlpatterns = patterns
    clear_url_caches()
    out = []
    for r in case["requests"]:
        client = Client(raise_request_exception=False)
        for k, v in (r.get("cookies") or {}).items():
            client.cookies[k] = v
        p = r["path"]
        if r.get("query"):
            p += "?" + urllib.parse.urlencode(r["query"], doseq=True)
        kw = {"headers": r.get("headers") or {}}
        if "json" in r:
            kw.update(data=json.dumps(r["json"]), content_type="application/json")
        elif "form" in r:
            from django.test.client import MULTIPART_CONTENT, encode_multipart, BOUNDARY

            kw.update(data=encode_multipart(BOUNDARY, r["form"]), content_type=MULTIPART_CONTENT)
        elif "body" in r:
            kw.update(data=r["body"], content_type="text/plain")
        try:
            resp = client.generic(r["method"], p, **kw)
            body = b"".join(resp.streaming_content) if resp.streaming else resp.content
            headers = list(resp.items()) + [("Set-Cookie", m.OutputString()) for m in resp.cookies.values()]
            out.append(normalize(resp.status_code, headers, body))
        except Exception as e:  # noqa: BLE001
            out.append(failed(e))
    return out


results = {}
for case in spec["cases"]:
    if only and case["id"] != only:
        continue
    res = {}
    for fw, fn in (("flask", flask_results), ("fastapi", fastapi_results), ("django", django_results)):
        if fw == "django" and case.get("django") is False:
            continue
        try:
            res[fw] = fn(case)
        except Exception:  # noqa: BLE001 — a module that does not load is the finding
            res[fw] = {"error": traceback.format_exc(limit=4)}
    results[case["id"]] = res
print(json.dumps({"results": results}))
