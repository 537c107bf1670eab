from flask import Flask, jsonify, redirect, render_template, request, url_for

app = Flask(__name__)


@app.route("/posts")
def list_posts():
    page = request.args.get("page", 1)
    return jsonify({"page": page})


@app.route("/posts/new", methods=["GET", "POST"])
def new_post():
    if request.method == "POST":
        return redirect(url_for("list_posts"))
    return render_template("new_post.html")
