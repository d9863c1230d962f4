"""A stand-in for tyro.cli where tyro is not installed, enough for CleanRL's scripts: `--field-name value` or
`--field-name=value` into the dataclass's fields, converted by their types."""
import dataclasses
import sys


def cli(cls):
    values = {}
    argv = sys.argv[1:]
    i = 0
    while i < len(argv):
        name, _, value = argv[i][2:].partition("=")
        if not value:
            i += 1
            value = argv[i]
        values[name.replace("-", "_")] = value
        i += 1
    fields = {f.name: f for f in dataclasses.fields(cls)}
    args = cls()
    for name, text in values.items():
        kind = fields[name].type
        kind = kind if isinstance(kind, type) else eval(kind)  # annotations may be strings
        setattr(args, name, text.lower() in ("1", "true", "yes") if kind is bool else kind(text))
    return args
