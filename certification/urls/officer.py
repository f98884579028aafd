from django.urls import path

app_name = "officer"
urlpatterns = [
]
