# API endpoints of this app, mounted at /api/v1/feedback/ (URL names prefixed "feedback-").
urlpatterns = []
