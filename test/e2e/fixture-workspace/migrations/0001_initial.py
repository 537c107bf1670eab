# Excluded by frameworkPorter.exclude (**/migrations/**): never flagged although it uses Flask.
from flask import jsonify


def legacy():
    return jsonify({})
