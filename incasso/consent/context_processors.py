"""``cookie_banner`` for every template: web/base.html shows the banner to visitors who have not chosen yet."""

from __future__ import annotations

from django.http import HttpRequest

from incasso.consent.cookies import CookieBanner, cookie_banner_state


def cookie_banner(request: HttpRequest) -> dict[str, CookieBanner | None]:
    # Staff and client users work under their agreements; the banner is for the public pages' visitors.
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return {"cookie_banner": None}
    return {"cookie_banner": cookie_banner_state(request)}
