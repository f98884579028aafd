"""The REST API's one error shape, as a schema every app's endpoints document (docs/spec.md §11):

    {"error": "<code>", "message": "<readable, in the request's language>", "fields": {"name": ["..."]}}

api.errors.exception_handler writes it for every view (settings.REST_FRAMEWORK); this is its schema.
"""

from rest_framework import serializers


class ApiErrorSerializer(serializers.Serializer):
    error = serializers.CharField(help_text="A stable code: `invalid`, `forbidden`, `not_found`, `conflict`, …")
    message = serializers.CharField(help_text="Readable, in the request's language (Accept-Language).")
    fields = serializers.DictField(  # type: ignore[assignment]  # a field named "fields": the metaclass takes it out of the class
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Messages by field name, for invalid input.",
    )

    class Meta:
        ref_name = "Error"
