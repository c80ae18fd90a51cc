"""The ceiling: a bare Flask "hello world", served like Konsey (gunicorn, same settings).

gunicorn tests.benchmarks.hello_app:app
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
