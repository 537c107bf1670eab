// Every kind of quick fix through vscode.executeCodeActionProvider, applied as the light bulb applies it, and the
// document compared with exactly what the rewrite must produce. The suites never save: each test reverts.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { applyAction, closeAll, codeActions, codeOf, diagnosticOf, openWithDiagnostics, poll, portingDiagnostics, revert } from './util';

const APP_JSONIFY_FIXED = `from flask import Flask, redirect, render_template, request, url_for
from django.http import JsonResponse

app = Flask(__name__)


@app.route("/posts")
def list_posts():
    page = request.args.get("page", 1)
    return JsonResponse({"page": page})


@app.route("/posts/new", methods=["GET", "POST"])
def new_post():
    if request.method == "POST":
        return redirect(url_for("list_posts"))
    return render_template("new_post.html")
`;

const APP_ROUTE_FIXED = `from flask import Flask, jsonify, redirect, render_template, request, url_for
from django.views.decorators.http import require_safe

app = Flask(__name__)


# TODO(port): add to urls.py: path("posts", list_posts, name="list_posts") [flask-route]
@require_safe
def list_posts(request):
    page = request.args.get("page", 1)
    return jsonify({"page": page})


@app.route("/posts/new", methods=["GET", "POST"])
def new_post():
    if request.method == "POST":
        return redirect(url_for("list_posts"))
    return render_template("new_post.html")
`;

const APP_ALL_ROUTES_FIXED = `from flask import Flask, jsonify, redirect, render_template, request, url_for
from django.views.decorators.http import require_http_methods, require_safe

app = Flask(__name__)


# TODO(port): add to urls.py: path("posts", list_posts, name="list_posts") [flask-route]
@require_safe
def list_posts(request):
    page = request.args.get("page", 1)
    return jsonify({"page": page})


# TODO(port): add to urls.py: path("posts/new", new_post, name="new_post") [flask-route]
@require_http_methods(["GET", "POST"])
def new_post(request):
    if request.method == "POST":
        return redirect(url_for("list_posts"))
    return render_template("new_post.html")
`;

const APP_ALL_FIXED = `from flask import Flask
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_safe

# TODO(port): Django has no application object: move its configuration into settings.py, its routes into urls.py (ROOT_URLCONF) and each blueprint into an app listed in INSTALLED_APPS; delete this once nothing uses it [flask-app]
app = Flask(__name__)


# TODO(port): add to urls.py: path("posts", list_posts, name="list_posts") [flask-route]
@require_safe
def list_posts(request):
    page = request.GET.get("page", 1)
    return JsonResponse({"page": page})


# TODO(port): add to urls.py: path("posts/new", new_post, name="new_post") [flask-route]
@require_http_methods(["GET", "POST"])
def new_post(request):
    if request.method == "POST":
        return redirect("list_posts")
    return render(request, "new_post.html")
`;

const MODELS_QUERY_FIXED = `from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Post(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(120), nullable=False)


def recent_posts():
    return Post.objects.order_by("-id")[:10]
`;

async function quickFixes(doc: vscode.TextDocument, d: vscode.Diagnostic) {
  const actions = await codeActions(doc.uri, d.range, vscode.CodeActionKind.QuickFix.value);
  return actions.filter((a) => a.kind?.value === vscode.CodeActionKind.QuickFix.value);
}

/** The quick fix titled `title` on the `rule` diagnostic (at `line`), polled: right after a revert VS Code may still
 *  hold the diagnostics of an older version of the text, for which the server rightly offers nothing. */
async function offered(doc: vscode.TextDocument, rule: string, title: string, line?: number) {
  let seen: string[] = [];
  try {
    return await poll(`"${title}" offered on ${rule}`, async () => {
      const actions = await quickFixes(doc, diagnosticOf(doc.uri, rule, line));
      seen = titles(actions);
      return actions.find((a) => a.title === title);
    }, 10000);
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : e}; offered: ${JSON.stringify(seen)}`);
  }
}

function titles(actions: readonly vscode.CodeAction[]) {
  return actions.map((a) => a.title);
}

describe('quick fixes', function () {
  this.timeout(60000);
  after(closeAll);

  it('quick fix (safe rewrite): "Replace jsonify() with JsonResponse()" is preferred and rewrites the call and its imports exactly', async () => {
    const { doc } = await openWithDiagnostics('app.py');
    try {
      const fix = await offered(doc, 'flask-jsonify', 'Replace jsonify() with JsonResponse()');
      assert.equal(fix.isPreferred, true, 'a safe fix is the preferred one (Ctrl+. then Enter, or auto-fix)');
      await applyAction(fix);
      assert.equal(doc.getText(), APP_JSONIFY_FIXED);
      await poll('the jsonify diagnostic to go', () => !portingDiagnostics(doc.uri).some((x) => codeOf(x) === 'flask-jsonify'));
    } finally {
      await revert(doc);
    }
  });

  it('quick fix (rewrite to review): @app.route becomes a Django view with a TODO for urls.py, titled "(review the TODO)" and not preferred', async () => {
    const { doc } = await openWithDiagnostics('app.py');
    try {
      const fix = await offered(doc, 'flask-route', 'Convert to a Django view (and note its urls.py entry) (review the TODO)', 5);
      assert.notEqual(fix.isPreferred, true, 'an unsafe fix is never preferred');
      await applyAction(fix);
      assert.equal(doc.getText(), APP_ROUTE_FIXED);
      // the TODO the fix left is reported for a person
      await poll('a port-todo diagnostic on the TODO comment', () => portingDiagnostics(doc.uri).some((x) => codeOf(x) === 'port-todo' && x.range.start.line === 6));
    } finally {
      await revert(doc);
    }
  });

  it('quick fix (ORM): Post.query… becomes a Django queryset exactly', async () => {
    const { doc } = await openWithDiagnostics('models.py');
    try {
      const fix = await offered(doc, 'fsa-query', 'Rewrite as a Django queryset');
      await applyAction(fix);
      assert.equal(doc.getText(), MODELS_QUERY_FIXED);
    } finally {
      await revert(doc);
    }
  });

  it('quick fix (fix all of a rule): "Fix all flask-route in this file" resolves and rewrites both routes exactly', async () => {
    const { doc } = await openWithDiagnostics('app.py');
    try {
      const fix = await offered(doc, 'flask-route', 'Fix all flask-route in this file', 5);
      assert.ok(fix.edit, 'the action resolves to an edit (codeAction/resolve)');
      await applyAction(fix);
      assert.equal(doc.getText(), APP_ALL_ROUTES_FIXED);
    } finally {
      await revert(doc);
    }
  });

  it('quick fix (ignore on this line): "Ignore flask-jsonify on this line" adds # port: ignore[flask-jsonify] and the diagnostic goes away', async () => {
    const { doc } = await openWithDiagnostics('app.py');
    const original = doc.getText().split('\n');
    try {
      const ignore = await offered(doc, 'flask-jsonify', 'Ignore flask-jsonify on this line');
      await applyAction(ignore);
      const lines = doc.getText().split('\n');
      assert.equal(lines.length, original.length, 'no line added or removed');
      assert.equal(lines[8], `${original[8]}  # port: ignore[flask-jsonify]`);
      lines.forEach((l, i) => i !== 8 && assert.equal(l, original[i], `line ${i + 1} unchanged`));
      await poll('the flask-jsonify diagnostic to go', () => !portingDiagnostics(doc.uri).some((x) => codeOf(x) === 'flask-jsonify'));
      assert.ok(portingDiagnostics(doc.uri).some((x) => codeOf(x) === 'flask-request-args'), 'the other findings stay');
    } finally {
      await revert(doc);
    }
  });

  it('fix-all: the source.fixAll.frameworkPorter action rewrites every fixable idiom of the file exactly', async () => {
    const { doc } = await openWithDiagnostics('app.py');
    try {
      const whole = new vscode.Range(0, 0, doc.lineCount, 0);
      const actions = await codeActions(doc.uri, whole, 'source.fixAll.frameworkPorter');
      const fixAll = actions.find((a) => a.kind?.value === 'source.fixAll.frameworkPorter');
      assert.ok(fixAll, `the fix-all source action is offered (got ${JSON.stringify(titles(actions))})`);
      assert.equal(fixAll.title, 'Fix all porting idioms in this file');
      await applyAction(fixAll);
      assert.equal(doc.getText(), APP_ALL_FIXED);
      await poll('only the TODOs left to do by hand', () => portingDiagnostics(doc.uri).every((x) => ['port-todo', 'flask-app'].includes(codeOf(x))));
    } finally {
      await revert(doc);
    }
  });

  it('fix-all: the "Fix All Porting Idioms in This File" command fixes the active editor exactly like the source action', async () => {
    const { doc } = await openWithDiagnostics('app.py');
    try {
      await vscode.commands.executeCommand('frameworkPorter.fixAllInFile');
      await poll('the command to rewrite app.py', () => doc.getText() === APP_ALL_FIXED || undefined, 10000);
    } finally {
      await revert(doc);
    }
  });
});
