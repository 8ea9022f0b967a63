"""`python -m embedded SQLITE_PATH`: serve the embedded database (the supervisor starts this)."""

from embedded.server import main

if __name__ == "__main__":
    main()
