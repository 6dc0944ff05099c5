# API endpoints of this app, mounted at /api/v1/par/ (URL names prefixed "par-").
urlpatterns = []
