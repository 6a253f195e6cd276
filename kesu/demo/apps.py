from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "kesu.demo"
    label = "demo"
    verbose_name = "Demo data"
