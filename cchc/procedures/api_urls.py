# API endpoints of this app, mounted at /api/v1/procedures/ (URL names prefixed "procedures-").
urlpatterns = []
