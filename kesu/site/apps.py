from django.apps import AppConfig


class SiteConfig(AppConfig):
    name = "kesu.site"
    label = "site"
    verbose_name = "Site"
