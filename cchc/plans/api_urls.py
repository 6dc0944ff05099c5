# API endpoints of this app, mounted at /api/v1/plans/ (URL names prefixed "plans-").
urlpatterns = []
