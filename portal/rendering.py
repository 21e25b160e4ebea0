"""Render a page, or for an htmx request only the block of it that changed.

The page template is the single source of its markup: an htmx request gets one of its blocks,
rendered with the same context, instead of a second copy kept in a partial.
"""

from flask import current_app, make_response, render_template, request


def render_block(template_name, block, **context):
    """Render one ``{% block %}`` of ``template_name`` with the usual template context."""
    app = current_app._get_current_object()
    template = app.jinja_env.get_or_select_template(template_name)
    app.update_template_context(context)
    return "".join(template.blocks[block](template.new_context(context)))


def render(template_name, block=None, status=200, **context):
    """Render ``template_name``; for an htmx request naming no other target, just ``block``.

    Bad input is answered with status 422, which htmx is configured to swap in, and which
    rolls the request's transaction back (see ``portal.commit_or_roll_back``).
    """
    htmx = request.htmx
    # Boosted links and history restores (back button) replace the whole page.
    if block and htmx and not (htmx.boosted or htmx.history_restore_request):
        html = render_block(template_name, block, **context)
    else:
        html = render_template(template_name, **context)
    response = make_response(html, status)
    response.vary.add("HX-Request")
    return response


REDIRECTS = (301, 302, 303, 307, 308)


def htmx_redirects(response):
    """A redirect answering an htmx request becomes ``HX-Redirect``: the browser goes to the
    new page as a whole, instead of htmx following the redirect in the background and
    swapping a complete page (header, menu and all) into a fragment of this one.

    Registered for every request (``create_app``), so no view has to remember it: a second
    tap that is answered "already done, see your page", a sign-in that has expired, a view
    that redirects after its work.
    """
    if response.status_code not in REDIRECTS or "Location" not in response.headers:
        return response
    response.vary.add("HX-Request")
    if request.headers.get("HX-Request") == "true":
        response.headers["HX-Redirect"] = response.headers.pop("Location")
        response.status_code = 204  # htmx reads the header before it would swap anything
        response.set_data(b"")
    return response
