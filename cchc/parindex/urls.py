app_name = "parindex"
urlpatterns = []
