from django.urls import path

from .views import KINDS, VIEWS
from .views.dashboard import home
from .views.lookup import product_lookup


def _patterns() -> list:
    out = []
    for kind in KINDS:
        views = VIEWS[kind.slug]
        base = kind.path
        out += [
            path(f"{base}/", views["list"], name=f"{kind.slug}_list"),
            path(f"{base}/new/", views["create"], name=f"{kind.slug}_create"),
            path(f"{base}/<uuid:pk>/", views["detail"], name=f"{kind.slug}_detail"),
            path(f"{base}/<uuid:pk>/lines/add/", views["line_add"], name=f"{kind.slug}_line_add"),
            path(
                f"{base}/<uuid:pk>/lines/<uuid:line_pk>/", views["line_edit"], name=f"{kind.slug}_line_edit"
            ),
            path(
                f"{base}/<uuid:pk>/lines/<uuid:line_pk>/delete/",
                views["line_delete"],
                name=f"{kind.slug}_line_delete",
            ),
        ]
        for command in kind.commands:
            out.append(
                path(
                    f"{base}/<uuid:pk>/{command.name}/", views[command.name], name=command.url_name(kind.slug)
                )
            )
    return out


urlpatterns = [
    path("", home, name="home"),
    path("lines/product-lookup/", product_lookup, name="product_lookup"),
    *_patterns(),
]
