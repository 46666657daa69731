"""The one place a trained model shipped in newsdigest/data/ is opened (python-crfsuite).

The line, date and name models are each opened once per process by their own module;
training and cross-validation pass the path of a model they just wrote instead.
"""

from __future__ import annotations

from importlib import resources


def open_model(name: str, path: str | None = None):
    """A pycrfsuite.Tagger over `path`, or over the shipped newsdigest/data/`name`."""
    import pycrfsuite  # here: a build that cleans nothing never loads it

    tagger = pycrfsuite.Tagger()
    if path is not None:
        tagger.open(path)
        return tagger
    with resources.as_file(resources.files("newsdigest") / "data" / name) as file:
        tagger.open(str(file))
    return tagger
