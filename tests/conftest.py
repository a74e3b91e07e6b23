import os

# The suite runs with DEBUG on (a dev SECRET_KEY, plain static storage) unless CI says otherwise.
os.environ.setdefault("DEBUG", "1")
