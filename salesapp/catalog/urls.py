from django.urls import path

from . import views

urlpatterns = [
    path("settings/organization/", views.organization_settings, name="organization"),
    path("currencies/", views.currency_list, name="currency_list"),
    path("currencies/new/", views.currency_create, name="currency_create"),
    path("currencies/<uuid:pk>/", views.currency_detail, name="currency_detail"),
    path("products/", views.product_list, name="product_list"),
    path("products/new/", views.product_create, name="product_create"),
    path("products/<uuid:pk>/", views.product_detail, name="product_detail"),
    path("price-lists/", views.price_list_list, name="price_list_list"),
    path("price-lists/new/", views.price_list_create, name="price_list_create"),
    path("price-lists/<uuid:pk>/", views.price_list_detail, name="price_list_detail"),
    path("price-lists/<uuid:pk>/items/new/", views.price_list_item_create, name="price_list_item_create"),
    path(
        "price-lists/<uuid:pk>/items/<uuid:item_pk>/",
        views.price_list_item_detail,
        name="price_list_item_detail",
    ),
    path(
        "price-lists/<uuid:pk>/items/<uuid:item_pk>/delete/",
        views.price_list_item_delete,
        name="price_list_item_delete",
    ),
    path("unit-groups/", views.unit_group_list, name="unit_group_list"),
    path("unit-groups/new/", views.unit_group_create, name="unit_group_create"),
    path("unit-groups/<uuid:pk>/", views.unit_group_detail, name="unit_group_detail"),
    path("unit-groups/<uuid:pk>/units/new/", views.unit_create, name="unit_create"),
    path("unit-groups/<uuid:pk>/units/<uuid:unit_pk>/", views.unit_detail, name="unit_detail"),
    path("unit-groups/<uuid:pk>/units/<uuid:unit_pk>/delete/", views.unit_delete, name="unit_delete"),
    path("discount-lists/", views.discount_list_list, name="discount_list_list"),
    path("discount-lists/new/", views.discount_list_create, name="discount_list_create"),
    path("discount-lists/<uuid:pk>/", views.discount_list_detail, name="discount_list_detail"),
    path("discount-lists/<uuid:pk>/rows/new/", views.discount_create, name="discount_create"),
    path(
        "discount-lists/<uuid:pk>/rows/<uuid:discount_pk>/delete/",
        views.discount_delete,
        name="discount_delete",
    ),
]
