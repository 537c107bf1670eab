"""WSGI entry point: `flask --app wsgi run` or `gunicorn wsgi:app`."""
from blog import create_app

app = create_app()

if __name__ == "__main__":
    app.run(debug=True)
