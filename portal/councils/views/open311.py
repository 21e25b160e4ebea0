"""Open311 GeoReport v2, read-only JSON: services, requests, one request
(``portal.councils.open311`` says what is in them)."""

import json

from flask import Response, request

from portal.councils import bp, open311

PREFIX = "/open311/v2"


def _json(body, status=200):
    response = Response(json.dumps(body, ensure_ascii=False), status=status,
                        mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data, read by other sites
    response.vary.add("Accept-Language")  # service names are in the reader's language
    return response


def _answer(make):
    try:
        return _json(make())
    except open311.GeoReportError as error:
        return _json(error.body(), error.code)


@bp.get(f"{PREFIX}/services.json")
def open311_services():
    def make():
        open311.check_jurisdiction(request.args.get("jurisdiction_id"))
        return open311.services()
    return _answer(make)


@bp.get(f"{PREFIX}/requests.json")
def open311_requests():
    return _answer(lambda: open311.requests(open311.read_query(request.args)))


@bp.get(f"{PREFIX}/requests/<int:request_id>.json")
def open311_request(request_id):
    def make():
        open311.check_jurisdiction(request.args.get("jurisdiction_id"))
        return open311.one_request(request_id)
    return _answer(make)
