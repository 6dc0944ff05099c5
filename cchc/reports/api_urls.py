# API endpoints of this app, mounted at /api/v1/reports/ (URL names prefixed "reports-").
urlpatterns = []
