"""Static files in production: compressed (gzip, and Brotli when installed), hashed names, a manifest.

Third-party CSS may name files its package does not ship (viewflow's roboto-fontface.css lists
font weights that are not in the wheel). Django's manifest storage stops `collectstatic` on the
first such reference; this one leaves that reference as written, which is what the browser would
have asked for anyway (and got a 404 for). Our own files are all found, so they all get hashed names.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class ManifestStaticFilesStorage(CompressedManifestStaticFilesStorage):
    # ES modules name each other by relative path (the offline verify page's script and the vendored
    # tiny-cbor): rewritten to the hashed names too, so the service worker keeps what is imported.
    support_js_module_import_aggregation = True

    def hashed_name(self, name, content=None, filename=None):
        try:
            return super().hashed_name(name, content, filename)
        except ValueError as error:
            # Django's words for a file that is not there; any other ValueError is a real problem.
            if content is not None or "could not be found" not in str(error):
                raise
            return name
