"""`python -m api`: serve the API with the settings from the environment."""

from api.serve import serve
from api.settings import Settings

if __name__ == "__main__":
    serve(Settings())
