"""Static files build with the production storage: `collectstatic` (the Dockerfile's and
CI's) writes the manifest, and every file the templates name is in it. A vendored file that
points at a file we do not ship (a source map, a font) fails here instead of in production,
where a missing manifest makes every page a 500."""

import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from whitenoise.storage import CompressedManifestStaticFilesStorage

from kam.settings import base
from kam.staticfiles import StaticStorage

ROOT = Path(__file__).resolve().parent.parent
STATIC_TAG = re.compile(r"""\{%\s*static\s+['"]([^'"]+)['"]\s*%\}""")


def template_static_names() -> set[str]:
    """Every file a template names with {% static '...' %}."""
    names: set[str] = set()
    for path in (ROOT / "templates").rglob("*.html"):
        names |= set(STATIC_TAG.findall(path.read_text(encoding="utf-8")))
    return names


@pytest.fixture
def manifest(settings, tmp_path) -> dict[str, str]:
    """The manifest `collectstatic` writes with the production storage."""
    settings.STORAGES = base.STORAGES
    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", "--noinput", verbosity=0)
    return json.loads((tmp_path / "staticfiles.json").read_text(encoding="utf-8"))["paths"]


def test_production_uses_the_manifest_storage():
    backend = base.STORAGES["staticfiles"]["BACKEND"]
    assert backend == "kam.staticfiles.StaticStorage"
    assert issubclass(StaticStorage, CompressedManifestStaticFilesStorage)


def test_each_address_is_found_in_the_manifest_once_per_storage(manifest, settings):
    storage = StaticStorage()  # reads the manifest collectstatic wrote
    address = storage.url("css/app.css")
    assert address == f"/static/{manifest['css/app.css']}"
    assert address != "/static/css/app.css"

    storage.hashed_files["css/app.css"] = "css/app.000000000000.css"
    assert storage.url("css/app.css") == address  # kept, not looked up again
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        storage.url("css/nowhere.css")
    settings.DEBUG = True
    assert storage.url("css/app.css") == "/static/css/app.css"  # the file's own name, as it changes


def test_the_templates_name_static_files():
    named = template_static_names()
    assert {"vendor/bootstrap/bootstrap.min.css", "vendor/chartjs/chart.umd.min.js"} <= named


def test_every_static_file_of_the_templates_is_in_the_manifest_under_a_hashed_name(manifest):
    missing = sorted(name for name in template_static_names() if name not in manifest)
    assert missing == []
    stem = re.compile(r"^(?P<stem>.+)\.[0-9a-f]{12}(?P<ext>\.[a-z]+)$")
    for name in template_static_names():
        match = stem.match(manifest[name])
        assert match is not None, manifest[name]
        assert match["stem"] + match["ext"] == name


def test_no_vendored_file_points_at_a_source_map_we_do_not_ship():
    vendored = sorted((ROOT / "static" / "vendor").rglob("*.*"))
    pointing = [
        str(path.relative_to(ROOT))
        for path in vendored
        if path.suffix in {".js", ".css"} and "sourceMappingURL" in path.read_text(encoding="utf-8")
    ]
    assert len(vendored) >= 4
    assert pointing == []
