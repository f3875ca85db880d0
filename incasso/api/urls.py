"""The versioned REST API. Endpoints validate, call one service and serialise; no business logic here."""

from ninja import NinjaAPI

from incasso.api import cases, claims, paylinks, quote

api = NinjaAPI(title="Incasso API", version="1", urls_namespace="api-v1")
api.add_router("", quote.router)
api.add_router("", claims.router)
api.add_router("", paylinks.router)
api.add_router("", cases.router)
