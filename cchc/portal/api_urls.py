# API endpoints of this app, mounted at /api/v1/portal/ (URL names prefixed "portal-").
urlpatterns = []
