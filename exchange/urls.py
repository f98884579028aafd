"""The Excel exchange (docs/spec.md §7): templates, imports with preview, photos in bulk, exports."""

from django.urls import path

from .views import exports, history, imports, photos

app_name = "exchange"
urlpatterns = [
    path("", imports.index, name="index"),
    path("templates/<str:kind>.xlsx", imports.template_download, name="template"),
    path("<str:kind>/upload/", imports.upload, name="upload"),
    path("imports/", history.import_history, name="history"),
    path("imports/export.xlsx", history.import_history_export, name="history_export"),
    path("imports/<int:pk>/", imports.preview, name="preview"),
    path("imports/<int:pk>/confirm/", imports.confirm, name="confirm"),
    path("imports/<int:pk>/progress.json", imports.progress_json, name="progress"),
    path("imports/<int:pk>/start-again/", imports.start_again, name="start_again"),
    path("imports/<int:pk>/errors.xlsx", imports.error_report, name="error_report"),
    path("photos/", photos.photo_upload, name="photos"),
    path("exports/<str:name>.xlsx", exports.export, name="export"),
]
