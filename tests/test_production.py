"""What the README's production section promises: collectstatic works with the manifest storage."""

from django.core.management import call_command
from django.test import override_settings


def test_collectstatic_with_the_production_storage(tmp_path):
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", "--noinput", verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()
    assert any(tmp_path.glob("vendor/bootstrap/bootstrap.min.*.css"))
