"""Set-up checks (`manage.py check`, run by migrate and runserver): what certificates need from
the machine. Without libharfbuzz-subset0 WeasyPrint subsets the CJK fonts in Python and one
certificate takes 15–20 seconds instead of a fraction of one."""

from django.core.checks import Warning, register

from . import signing


@register("certificates")
def check_harfbuzz_subset(app_configs=None, **kwargs):
    from weasyprint.text.ffi import harfbuzz, harfbuzz_subset

    if harfbuzz_subset is not None and harfbuzz.hb_version_atleast(4, 1, 0):
        return []
    return [
        Warning(
            "HarfBuzz subsetting (libharfbuzz-subset0, version 4.1 or later) is missing: each certificate "
            "PDF will take 15–20 seconds to render.",
            hint="apt-get install libharfbuzz-subset0 (scripts/setup.sh installs it).",
            id="certificates.W001",
        )
    ]


@register("certificates")
def check_noto_cjk(app_configs=None, **kwargs):
    from . import fonts

    if fonts._font_file(fonts.FACES[0][1]) is not None:
        return []
    return [
        Warning(
            "Noto Serif CJK SC is not installed: certificates would print Chinese text with a fallback font.",
            hint="apt-get install fonts-noto-cjk (scripts/setup.sh installs it).",
            id="certificates.W002",
        )
    ]


@register("certificates")
def check_signing_key(app_configs=None, **kwargs):
    if signing.has_signing_key():
        return []
    return [
        Warning(
            f"No certificate signing key in {signing.key_directory()}: certificates cannot be issued.",
            hint="Run `manage.py create_signing_key` once (or point CERT_SIGNING_KEY at the office's key).",
            id="certificates.W003",
        )
    ]
