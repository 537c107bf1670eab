from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Post(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    title = db.Column(db.String(120), nullable=False)


def recent_posts():
    return Post.query.order_by(Post.id.desc()).limit(10).all()
