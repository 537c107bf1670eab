"""Application factory for the Flask blog example."""
import os
import time

from flask import Flask, g, jsonify, render_template, request

from .extensions import db, login_manager


def create_app(config_object="config.Config"):
    app = Flask(__name__)
    app.config.from_object(config_object)
    app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", app.config.get("SECRET_KEY", "dev"))

    db.init_app(app)
    login_manager.init_app(app)

    from .api import api as api_blueprint
    from .auth import auth
    from .posts import posts_bp

    app.register_blueprint(auth)
    app.register_blueprint(posts_bp)
    app.register_blueprint(api_blueprint, url_prefix="/api")

    @app.before_request
    def start_timer():
        g.request_started = time.perf_counter()
        g.site_name = app.config.get("SITE_NAME", "Blog")

    @app.after_request
    def add_headers(response):
        elapsed = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Response-Time-Ms"] = f"{elapsed:.1f}"
        return response

    @app.errorhandler(404)
    def not_found(error):
        if request.path.startswith("/api/"):
            return jsonify(error="not found"), 404
        return render_template("404.html"), 404

    @app.cli.command("init-db")
    def init_db():
        """Create all database tables."""
        db.create_all()
        print("Initialized the database.")

    return app
