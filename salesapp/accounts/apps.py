from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "salesapp.accounts"
    label = "accounts"
