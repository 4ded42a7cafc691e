"""``python -m model.predict``: the command-line front of :mod:`model.recognizer`."""
from .recognizer import main

if __name__ == "__main__":
    main()
