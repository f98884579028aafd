"""Static files in production (docs/spec.md §14): collectstatic writes compressed copies under hashed names
with a manifest, and a third-party stylesheet that names a file its package lacks (viewflow's
roboto-fontface.css did) does not stop the release."""

import pytest
from django.core.management import call_command
from django.templatetags.static import static
from django.test import override_settings

from config import backends


@pytest.fixture
def static_tree(tmp_path):
    source = tmp_path / "source"
    (source / "css").mkdir(parents=True)
    (source / "img").mkdir()
    (source / "img" / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (source / "css" / "site.css").write_text(
        "body { background: url('../img/logo.svg'); }\n"
        "@font-face { src: url('../fonts/Roboto-Thin.woff2'); }\n" + "p { color: #123; }\n" * 100
    )
    with override_settings(
        STATICFILES_DIRS=[source],
        STATIC_ROOT=tmp_path / "collected",
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
        STORAGES={
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": backends.static_storage(debug=False),
        },
    ):
        yield tmp_path / "collected"


def test_collectstatic_writes_hashed_compressed_files_and_keeps_a_missing_reference_as_written(static_tree):
    call_command("collectstatic", "--noinput", verbosity=0)

    url = static("css/site.css")
    assert url.startswith("/static/css/site.") and url.endswith(".css") and url != "/static/css/site.css"
    hashed = static_tree / url.removeprefix("/static/")
    css = hashed.read_text()
    assert static("img/logo.svg").removeprefix("/static/img/") in css
    assert 'url("../fonts/Roboto-Thin.woff2")' in css  # left as written
    assert hashed.with_name(hashed.name + ".gz").exists()
    assert (static_tree / "staticfiles.json").exists()
