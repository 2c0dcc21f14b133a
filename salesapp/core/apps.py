from django.apps import AppConfig
from django.db.backends.signals import connection_created


def _sqlite_real_variable_limit(sender, connection, **kwargs):
    """Django 5.2 assumes SQLite allows 999 query parameters, so bulk inserts of long documents
    split into several queries. The SQLite we run reports its real limit (250,000 here): use it,
    so a conversion is one INSERT for its lines on SQLite as on PostgreSQL."""
    if connection.vendor != "sqlite":
        return
    import sqlite3

    limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    connection.features.max_query_params = max(999, limit)


class CoreConfig(AppConfig):
    name = "salesapp.core"
    label = "core"

    def ready(self) -> None:
        connection_created.connect(_sqlite_real_variable_limit, dispatch_uid="salesapp-sqlite-limit")
