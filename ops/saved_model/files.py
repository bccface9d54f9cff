"""The files of a saved model directory and the manifest that checks them.

    export_dir/
      manifest.json      {"format": "autograph-saved-model-manifest", "version": 1,
                          "files": {relative path: {"sha256": hex, "size": bytes}}}
      saved_model.json   the object graph: objects, variables, functions, signatures
      variables.npz      variable values (runtime.serialization.arrays layout)
      constants.npz      constants captured by the graphs
      graphs/<f>_<i>.json   one graph document per concrete function

Every file but the manifest is listed in it with its SHA-256; the loader reads each file once,
checks size and hash, and only then parses it, so a truncated or edited file is refused with an
error naming it.
"""
from __future__ import annotations

import hashlib
import os
import posixpath

from runtime.serialization import SerializationError, atomic
from runtime.serialization.graph_json import dumps, parse_json

MANIFEST = "manifest.json"
OBJECT_GRAPH = "saved_model.json"
VARIABLES = "variables.npz"
CONSTANTS = "constants.npz"
GRAPHS = "graphs"
MANIFEST_FORMAT = "autograph-saved-model-manifest"
VERSION = 1


def is_saved_model(path: str) -> bool:
    """Does ``path`` look like a directory this module wrote (it may be replaced)?"""
    return os.path.isfile(os.path.join(path, MANIFEST))


def write_all(export_dir: str, files: dict) -> None:
    """Write ``files`` (relative path -> bytes) and their manifest as the directory
    ``export_dir``, atomically: built beside it, renamed into place when complete."""
    manifest = {"format": MANIFEST_FORMAT, "version": VERSION,
                "files": {name: {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
                          for name, data in files.items()}}
    with atomic.directory(export_dir, is_saved_model) as tmp:
        for name, data in files.items():
            atomic.write_into(tmp, name, data)
        # The manifest last: a directory with a manifest has every file it lists.
        atomic.write_into(tmp, MANIFEST, dumps(manifest))


def read_all(export_dir: str) -> dict:
    """Relative path -> bytes of every file the manifest lists, each checked against it."""
    export_dir = os.fspath(export_dir)
    if not os.path.isdir(export_dir):
        raise FileNotFoundError(f"no saved model at {export_dir!r} (not a directory)")
    manifest_path = os.path.join(export_dir, MANIFEST)
    try:
        with open(manifest_path, "rb") as f:
            manifest = parse_json(f.read(), manifest_path)
    except FileNotFoundError:
        raise SerializationError(f"{manifest_path}: missing; {export_dir!r} is not a saved model "
                                 "written by autograph (or its save did not finish)") from None
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise SerializationError(f"{manifest_path}: not an autograph saved-model manifest")
    if type(manifest.get("version")) is not int or not 1 <= manifest["version"] <= VERSION:
        raise SerializationError(f"{manifest_path}: version {manifest.get('version')!r} is not "
                                 f"supported (this version of autograph reads {VERSION})")
    listed = manifest.get("files")
    if not isinstance(listed, dict):
        raise SerializationError(f"{manifest_path}: missing 'files'")
    out = {}
    for name, entry in listed.items():
        path = _inside(export_dir, name, manifest_path)
        if not (isinstance(entry, dict) and isinstance(entry.get("sha256"), str)
                and type(entry.get("size")) is int):
            raise SerializationError(f"{manifest_path}: entry for {name!r} needs sha256 and size")
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            raise SerializationError(f"{path}: missing (listed in {MANIFEST})") from None
        except OSError as e:
            raise SerializationError(f"{path}: cannot be read ({e})") from None
        if len(data) != entry["size"]:
            raise SerializationError(f"{path}: {len(data)} bytes, but the manifest records "
                                     f"{entry['size']} (truncated or replaced?)")
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise SerializationError(f"{path}: SHA-256 checksum mismatch (the file was changed "
                                     "after saving)")
        out[name] = data
    for required in (OBJECT_GRAPH, VARIABLES, CONSTANTS):
        if required not in out:
            raise SerializationError(f"{manifest_path}: does not list {required}")
    return out


def _inside(export_dir: str, name, manifest_path: str) -> str:
    """The path of manifest entry ``name``, refusing names that leave the directory."""
    if not isinstance(name, str) or name in ("", ".", MANIFEST) or name.startswith("/") or \
            "\\" in name or posixpath.normpath(name) != name or name.split("/")[0] == "..":
        raise SerializationError(f"{manifest_path}: bad file name {name!r} (must be a relative "
                                 "path inside the saved model)")
    return os.path.join(export_dir, *name.split("/"))
