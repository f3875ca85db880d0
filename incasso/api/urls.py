from ninja import NinjaAPI

api = NinjaAPI(title="Incasso API", version="1")
