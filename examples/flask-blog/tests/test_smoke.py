"""End-to-end smoke tests against an in-memory SQLite database."""
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from blog import create_app  # noqa: E402
from blog.extensions import db  # noqa: E402
from blog import lookalikes  # noqa: E402
from config import TestConfig  # noqa: E402

API_HEADERS = {"X-Api-Key": TestConfig.API_KEY}


class BlogSmokeTest(unittest.TestCase):
    def setUp(self):
        self.app = create_app(TestConfig)
        self.ctx = self.app.app_context()
        self.ctx.push()
        db.create_all()
        self.client = self.app.test_client()

    def tearDown(self):
        db.session.remove()
        db.drop_all()
        self.ctx.pop()

    def register_and_login(self, username="alice", password="s3cret"):
        resp = self.client.post("/auth/register", data={"username": username, "password": password})
        self.assertEqual(resp.status_code, 302)
        resp = self.client.post("/auth/login", data={"username": username, "password": password},
                                follow_redirects=True)
        self.assertEqual(resp.status_code, 200)
        self.assertIn(f"Welcome back, {username}!".encode(), resp.data)

    def test_html_flow(self):
        self.assertEqual(self.client.get("/").status_code, 200)
        self.assertEqual(self.client.get("/create").status_code, 302)  # login required
        self.register_and_login()
        resp = self.client.post("/create", data={"title": "Hello Flask", "body": "First post",
                                                 "tags": "python, web"})
        self.assertEqual(resp.status_code, 302)
        resp = self.client.get(resp.headers["Location"])
        self.assertIn(b"Hello Flask", resp.data)
        self.assertEqual(resp.headers["X-Content-Type-Options"], "nosniff")
        self.assertIn(b"Hello Flask", self.client.get("/tag/python").data)
        self.assertIn(b"Hello Flask", self.client.get("/search?q=Flask").data)
        self.assertIn(b"Hello Flask", self.client.get("/?page=1").data)
        self.assertEqual(self.client.get("/tag/nope").status_code, 404)
        self.assertEqual(self.client.get("/post/999").status_code, 404)
        resp = self.client.post("/post/1/delete", follow_redirects=True)
        self.assertIn(b"Post deleted.", resp.data)
        resp = self.client.get("/auth/logout", follow_redirects=True)
        self.assertIn(b"You have been logged out.", resp.data)

    def test_bad_login(self):
        resp = self.client.post("/auth/login", data={"username": "x", "password": "y"})
        self.assertEqual(resp.status_code, 401)
        self.assertIn(b"Invalid username or password.", resp.data)

    def test_json_api(self):
        self.register_and_login("bob")
        self.assertEqual(self.client.post("/api/posts", json={"title": "t"}).status_code, 401)
        resp = self.client.post("/api/posts", json={"title": "From API", "author": "bob"},
                                headers=API_HEADERS)
        self.assertEqual(resp.status_code, 201)
        post_id = resp.get_json()["id"]
        dup = self.client.post("/api/posts", json={"title": "From API", "author": "bob"},
                               headers=API_HEADERS)
        self.assertEqual(dup.status_code, 409)
        self.assertEqual(self.client.get("/api/posts").get_json()[0]["title"], "From API")
        self.assertEqual(self.client.get(f"/api/posts/{post_id}").get_json()["author"], "bob")
        self.assertEqual(self.client.get("/api/posts/999").get_json(), {"error": "not found"})
        resp = self.client.put(f"/api/items/{post_id}", json={"title": "Edited", "rating": 4.5},
                               headers=API_HEADERS)
        self.assertEqual(resp.get_json()["rating"], 4.5)
        self.assertEqual(self.client.get("/api/recent").get_json(), {"total": 1, "recent": []})
        self.assertEqual(self.client.get("/api/files/a/b.txt").get_json()["parts"], ["a", "b.txt"])
        self.assertEqual(self.client.get("/api/convert/100.0").get_json()["fahrenheit"], 212.0)
        cookieless = self.app.test_client(use_cookies=False)  # send a raw Cookie header
        resp = cookieless.get("/api/settings", headers={"Cookie": "theme=dark"})
        self.assertEqual(resp.get_json()["theme"], "dark")
        self.assertEqual(resp.headers["Cache-Control"], "no-store")
        resp = self.client.delete(f"/api/items/{post_id}", headers=API_HEADERS)
        self.assertEqual(resp.status_code, 204)


class LookalikesTest(unittest.TestCase):
    def test_lookalikes_are_plain_python(self):
        self.assertEqual(set(lookalikes.COMMANDS), {"report", "dedupe", "checkout"})
        self.assertIn("Name", lookalikes.user_report([("alice", 3, "2024-01-01")]))
        self.assertEqual(lookalikes.unique_tags(["Web", "web", "Python"]), ["python", "web"])
        self.assertEqual(lookalikes.checkout([1, 2]), [1, 2])
        self.assertEqual(lookalikes.page_from(lookalikes.FakeRequest("/x?page=3")), 3)


if __name__ == "__main__":
    unittest.main()
