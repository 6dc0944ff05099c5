# API endpoints of this app, mounted at /api/v1/dossiers/ (URL names prefixed "dossiers-").
urlpatterns = []
