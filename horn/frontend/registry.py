"""One lookup for every area (losses, optimizers, activations, ...): `get(identifier)`.

Each area keeps a `Registry` of names (Keras aliases included) that custom objects can join;
an unknown name is an error that suggests the closest known one.
"""

import difflib

_custom_objects = {}


class Registry:
    def __init__(self, area):
        self.area = area
        self.entries = {}

    def register(self, *names):
        def deco(obj):
            for n in names or (getattr(obj, "__name__", None),):
                self.entries[n] = obj
            return obj
        return deco

    def lookup(self, name, custom_objects=None):
        for table in (custom_objects or {}, _custom_objects, self.entries):
            if name in table:
                return table[name]
        known = sorted(self.entries)
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        hint = f" Did you mean '{close[0]}'?" if close else ""
        raise ValueError(f"Unknown {self.area} '{name}'.{hint} Known: {', '.join(known)}. "
                         "Custom ones can be passed with custom_objects={...}.")


def get_custom_objects():
    """The global dict of custom objects, by name, that every `get()` also looks in."""
    return _custom_objects


def register_keras_serializable(package="Custom", name=None):
    def deco(obj):
        _custom_objects[name or obj.__name__] = obj
        _custom_objects[f"{package}>{name or obj.__name__}"] = obj
        return obj
    return deco


class CustomObjectScope:
    """`with CustomObjectScope({'MyLayer': MyLayer}):` makes the names resolvable inside."""

    def __init__(self, *scopes):
        self.scopes = scopes
        self.backup = None

    def __enter__(self):
        self.backup = dict(_custom_objects)
        for s in self.scopes:
            _custom_objects.update(s)
        return self

    def __exit__(self, *exc):
        _custom_objects.clear()
        _custom_objects.update(self.backup)


custom_object_scope = CustomObjectScope
