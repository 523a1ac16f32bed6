from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from barometre import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("equipe/", views.staff_home, name="staff-home"),
    path(
        "compte/connexion/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("compte/deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/", include(("api.urls", "api"), namespace="api")),
    path("", include("respondents.urls")),
    path("", include("surveys.urls")),
    path("", include("exports.urls")),
]

admin.site.site_header = "Baromètre — administration"
admin.site.site_title = "Baromètre"
