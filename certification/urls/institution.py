from django.urls import path

app_name = "institution"
urlpatterns = [
]
