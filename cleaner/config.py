"""Project configuration: `cleaner.yaml` or `[tool.cleaner]` in pyproject.toml, found like ruff finds its own.

Discovery walks up from the current directory; in each directory `cleaner.yaml` wins over
`pyproject.toml`, and a pyproject.toml without a `[tool.cleaner]` table is passed over.
Relative paths in a config file (rule directories, excludes) are relative to that file's
directory. Command-line flags override config values; every resolved value remembers where
it came from, so `cleaner config` can say why a setting is what it is.
"""

from __future__ import annotations

import fnmatch
import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Mapping

import regex

from .io.discover import TEXT_SUFFIXES
from .io.readers import Fields
from .rulebook.yamlfile import FileProblems, LineMap, load_yaml, suggest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

YAML_NAMES = ("cleaner.yaml", "cleaner.yml")
PYPROJECT = "pyproject.toml"
DEFAULT_COMMENTS = "{name}.comments.jsonl"


class ConfigError(FileProblems):
    """The project config is broken; `problems` holds every `file:line: message`."""


# --------------------------------------------------------------------------- keys


class Invalid(ValueError):
    """A config value of the wrong shape; the message completes "'key' ..."."""


def _str_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise Invalid("must be a list of strings")


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise Invalid("must be true or false")
    return value


def _one_path(value: Any) -> tuple[str, ...]:
    if isinstance(value, str) and value.strip():
        return (value,)
    if isinstance(value, (list, tuple)) and len(value) == 1 and isinstance(value[0], str):
        return tuple(value)
    raise Invalid("must be one folder path")


def _field_name(value: Any) -> str:
    if not (isinstance(value, str) and value.strip()):
        raise Invalid("must be a non-empty string")
    return value


def _comments(value: Any) -> str | None:
    """A sidecar name template with {name} or {stem}, or false/off for no sidecar."""
    if value is None or value is False or (isinstance(value, str) and value.strip().lower() in ("off", "false", "none", "")):
        return None
    if not isinstance(value, str):
        raise Invalid("must be a file name template such as '{name}.comments.jsonl', or false")
    if "{name}" not in value and "{stem}" not in value:
        raise Invalid("must contain {name} or {stem}, or every file would share one sidecar")
    try:
        value.format(name="x.txt", stem="x")
    except (KeyError, IndexError, ValueError) as exc:
        raise Invalid(f"is not a valid template ({exc}); use {{name}} or {{stem}}") from exc
    if os.path.isabs(value) or ".." in Path(value).parts:
        raise Invalid("must name a file beside the document (no absolute path, no '..')")
    if Path(value).suffix.lower() in TEXT_SUFFIXES:
        raise Invalid(f"must not end in {Path(value).suffix}: fix would then clean the sidecar as a document")
    return value


@dataclass(frozen=True)
class Key:
    """One config key: its default, how a raw value is checked, and the flag that overrides it."""

    default: Any
    check: Callable[[Any], Any]  # returns the checked value or raises Invalid
    flag: str
    help: str
    paths: bool = False  # values are paths relative to the config file


KEYS: dict[str, Key] = {
    "rules": Key((), _str_list, "--rules", "extra rule directories", paths=True),
    "disable": Key((), _str_list, "--disable", "rule ids or pack names to switch off"),
    "builtin-rules": Key(True, _bool, "--no-builtin-rules", "use the rule packs shipped with cleaner"),
    "exclude": Key((), _str_list, "--exclude", "glob patterns of files fix/check leave alone"),
    "comments": Key(DEFAULT_COMMENTS, _comments, "--comments/--no-comments", "sidecar for comment threads (fix)"),
    "text-field": Key("text", _field_name, "--text-field", "JSONL field holding plain text"),
    "html-field": Key("html", _field_name, "--html-field", "JSONL field holding raw HTML"),
    "id-field": Key("id", _field_name, "--id-field", "JSONL field holding the document id"),
    "models": Key((), _one_path, "--models", "folder of learned model files (`cleaner train -o DIR`)", paths=True),
}


# --------------------------------------------------------------------------- the resolved config


@dataclass(frozen=True)
class Setting:
    value: Any
    source: str  # "default", "FILE:LINE" or the command-line flag


@dataclass(frozen=True)
class Config:
    """Resolved settings; `root` is where relative config paths and excludes are anchored."""

    file: Path | None = None
    root: Path = field(default_factory=Path.cwd)
    settings: Mapping[str, Setting] = field(default_factory=lambda: {k: Setting(v.default, "default") for k, v in KEYS.items()})

    def __getitem__(self, key: str) -> Any:
        return self.settings[key].value

    def override(self, key: str, value: Any, source: str) -> "Config":
        return replace(self, settings={**self.settings, key: Setting(value, source)})

    def options(self, timeout: float = 30.0):
        from .options import Options

        models = self["models"][0] if self["models"] else None
        if models is not None and not Path(models).is_dir():
            raise ConfigError([f"{self.settings['models'].source}: models folder {models} does not exist "
                               "(write one with `cleaner train GOLD... -o DIR`)"])
        return Options(rules_dirs=tuple(self["rules"]), disabled=tuple(self["disable"]),
                       builtin_rules=self["builtin-rules"], timeout=timeout, models_dir=models)

    def fields(self) -> Fields:
        """The input fields; a content field named by a flag or the config file is the one cleaned."""
        named = [k for k in ("text", "html") if self.settings[f"{k}-field"].source != "default"]
        return Fields(text=self["text-field"], html=self["html-field"], id=self["id-field"],
                      explicit=named[0] if len(named) == 1 else "")

    def excluded(self, path: Path) -> bool:
        """True when a pattern of `exclude` matches the path (relative to root) or one of its folders."""
        patterns = self["exclude"]
        if not patterns:
            return False
        rel = Path(os.path.relpath(Path(path).resolve(), self.root.resolve())).as_posix()
        parts = rel.split("/")
        candidates = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)] if not rel.startswith("../") else []
        names = parts
        for pattern in patterns:
            pat = pattern.rstrip("/")
            if any(fnmatch.fnmatchcase(c, pat) for c in candidates):
                return True
            if "/" not in pat and any(fnmatch.fnmatchcase(n, pat) for n in names):
                return True
        return False

    def describe(self) -> list[tuple[str, Any, str]]:
        return [(key, self.settings[key].value, self.settings[key].source) for key in KEYS]


# --------------------------------------------------------------------------- discovery


def find_config(start: Path | None = None) -> Path | None:
    """The nearest cleaner.yaml, or pyproject.toml with [tool.cleaner], from `start` upwards."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in YAML_NAMES:
            if (folder / name).is_file():
                return folder / name
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and _has_tool_cleaner(pyproject):
            return pyproject
    return None


_TOOL_HEADER = regex.compile(r"^\s*\[\s*tool\s*\.\s*cleaner\s*(?:\.|\])", regex.M)


def _has_tool_cleaner(path: Path) -> bool:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if _TOOL_HEADER.search(text):
        return True
    try:  # dotted keys or inline tables: only a real parse can tell
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False
    return isinstance(data.get("tool"), dict) and "cleaner" in data["tool"]


# --------------------------------------------------------------------------- loading


def load_config(path: Path) -> Config:
    """Read and validate one config file; every problem is reported at once as file:line."""
    path = Path(path)
    raw, lines = _read_toml(path) if path.name == PYPROJECT or path.suffix == ".toml" else _read_yaml(path)
    config = Config(file=path, root=path.resolve().parent)
    problems: list[str] = []
    for key, value in raw.items():
        where = f"{path}:{lines.get(key, 1)}"
        spec = KEYS.get(key)
        if spec is None:
            problems.append(f"{where}: unknown key '{key}'{suggest(key, KEYS)}; known keys: {', '.join(KEYS)}")
            continue
        try:
            checked = spec.check(value)
        except Invalid as exc:
            problems.append(f"{where}: '{key}' {exc}")
            continue
        if spec.paths:
            checked = tuple(str((config.root / p)) if not os.path.isabs(p) else p for p in checked)
        config = config.override(key, checked, where)
    if problems:
        raise ConfigError(problems)
    return config


def _read_yaml(path: Path) -> tuple[Mapping[str, Any], Mapping[str, int]]:
    try:
        data = load_yaml(path)
    except FileProblems as exc:
        raise ConfigError(exc.problems) from exc
    if data is None:
        return {}, {}
    if not isinstance(data, LineMap):
        raise ConfigError([f"{path}:1: a cleaner config must be a mapping of keys such as {', '.join(KEYS)}"])
    return data, data.key_lines


def _read_toml(path: Path) -> tuple[Mapping[str, Any], Mapping[str, int]]:
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}:1: cannot read: {exc}"]) from exc
    except tomllib.TOMLDecodeError as exc:
        line = regex.search(r"line (\d+)", str(exc))
        raise ConfigError([f"{path}:{line.group(1) if line else 1}: invalid TOML: {exc}"]) from exc
    section = data.get("tool", {}).get("cleaner", {}) if isinstance(data.get("tool"), dict) else {}
    if not isinstance(section, dict):
        raise ConfigError([f"{path}:1: [tool.cleaner] must be a table"])
    return section, toml_key_lines(text, section)


_TABLE = regex.compile(r"^\s*\[\s*([^\[\]]+?)\s*\]\s*(?:#.*)?$")
_KEY = regex.compile(r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*=""")


def _dotted(name: str) -> list[str]:
    parts = regex.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", name)
    return [p.strip("\"'") for p in parts]


def toml_key_lines(text: str, section: Mapping[str, Any]) -> dict[str, int]:
    """Line of each key of [tool.cleaner], found by scanning the text (tomllib keeps no positions)."""
    found: dict[str, int] = {}
    table: list[str] = []
    header = None
    for no, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("[["):
            table = ["<array>"]
            continue
        m = _TABLE.match(line)
        if m:
            table = _dotted(m.group(1))
            if table == ["tool", "cleaner"]:
                header = header or no
            elif table[:2] == ["tool", "cleaner"] and len(table) > 2:
                found.setdefault(table[2], no)
            continue
        m = _KEY.match(line)
        if m:
            path = table + _dotted(m.group(1))
            if path[:2] == ["tool", "cleaner"] and len(path) > 2:
                found.setdefault(path[2], no)
    for key in section:
        found.setdefault(key, header or 1)
    return found


# --------------------------------------------------------------------------- resolving with the command line


def _flag_overrides(args: Any) -> list[tuple[str, Any, str]]:
    """(key, value, flag) for each config key the command line set explicitly."""
    out: list[tuple[str, Any, str]] = []
    for key, attr, flag in (("rules", "rules", "--rules"), ("disable", "disable", "--disable"),
                            ("exclude", "exclude", "--exclude")):
        value = getattr(args, attr, None)
        if value:
            out.append((key, tuple(str(Path(v).resolve()) if key == "rules" else v for v in value), flag))
    if getattr(args, "no_builtin_rules", None):
        out.append(("builtin-rules", False, "--no-builtin-rules"))
    if getattr(args, "models", None):
        out.append(("models", (str(Path(args.models).resolve()),), "--models"))
    for key in ("text-field", "html-field", "id-field"):
        value = getattr(args, key.replace("-", "_"), None)
        if value is not None:
            out.append((key, value, f"--{key}"))
    if getattr(args, "no_comments", False):
        out.append(("comments", None, "--no-comments"))
    elif getattr(args, "comments", None) is not None:
        out.append(("comments", args.comments, "--comments"))
    return out


def resolve(args: Any = None, cwd: Path | None = None) -> Config:
    """The config that applies: the file named by --config, else the nearest one (unless --isolated), then flags."""
    explicit = getattr(args, "config", None)
    if getattr(args, "isolated", False):
        config = Config(root=(cwd or Path.cwd()).resolve())
    elif explicit is not None:
        if not Path(explicit).is_file():
            raise ConfigError([f"{explicit}:1: --config: no such file"])
        config = load_config(Path(explicit))
    else:
        found = find_config(cwd)
        config = load_config(found) if found else Config(root=(cwd or Path.cwd()).resolve())
    problems = []
    for key, value, flag in _flag_overrides(args):
        try:
            config = config.override(key, KEYS[key].check(value), flag)
        except Invalid as exc:
            problems.append(f"{flag}: {exc}")
    if problems:
        raise ConfigError(problems)
    return config


def format_config(config: Config) -> str:
    """The resolved settings, one per line, each with where it came from."""
    head = f"# config file: {config.file}" if config.file else "# config file: none found (defaults)"
    rows = [(key, _show(value), source) for key, value, source in config.describe()]
    width = max(len(f"{k} = {v}") for k, v, _ in rows)
    body = [f"{f'{k} = {v}':<{width}}  # {s}" for k, v, s in rows]
    return "\n".join([head, *body])


def _show(value: Any) -> str:
    if value is None:
        return "false"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    return f'"{value}"'
