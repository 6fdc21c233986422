"""Daftar's Open311 GeoReport v2 endpoint, read and written by an independent client.

georeport (PyPI) lists the services, reads a service's definition, and reads requests back,
in JSON and in XML. georeport has no call to create a request, so the post is made as the
standard describes it (form fields, the API key among them) with requests, and read back
with georeport. Run by run.sh with the endpoint's root and an API key issued by
`daftar open311 issue`.

    python client_test.py http://127.0.0.1:PORT/open311/v2 KEY
"""

import sys

import requests
from georeport import GeoReport

ROOT, KEY = sys.argv[1], sys.argv[2]
TOLLS_SERVICE = "10010101025th01"


def check(condition, message):
    if not condition:
        print(f"FAILED: {message}", file=sys.stderr)
        sys.exit(1)


def post(fmt, fields):
    return requests.post(f"{ROOT}/requests.{fmt}", data=fields, timeout=10)


for fmt in ("json", "xml"):
    client = GeoReport(ROOT, api_key=KEY, output_format=fmt)

    services = client.get_service_list()
    codes = [service["service_code"] for service in services]
    check(codes == ["service_complaint", "criticism", "suggestion"], f"{fmt} services: {codes}")
    definition = client.get_service_definition("service_complaint")
    attributes = definition["attributes"]
    if fmt == "xml":
        attributes = attributes["attribute"]
        attributes = attributes if isinstance(attributes, list) else [attributes]
    check(attributes[0]["code"] == "concerns_service", f"{fmt} definition: {definition}")

    description = f"چراغ خیابان خاموش است ({fmt})"
    created = post(fmt, {
        "api_key": KEY,
        "service_code": "service_complaint",
        "attribute[concerns_service]": TOLLS_SERVICE,
        "description": description,
        "lat": "32.3256",
        "long": "50.8644",
        "first_name": "Sara",
        "email": "sara@example.com",
    })
    check(created.status_code == 200, f"{fmt} post: {created.status_code} {created.text}")
    if fmt == "json":
        request_id = created.json()[0]["service_request_id"]
    else:
        import xmltodict
        request_id = xmltodict.parse(created.content)["service_requests"]["request"]["service_request_id"]

    read = client.get_service_request(request_id)
    check(read["service_request_id"] == request_id, f"{fmt} read back: {read}")
    check(read["description"] == description, f"{fmt} description: {read}")
    check(read["status"] == "open", f"{fmt} status: {read}")
    check(float(read["lat"]) == 32.3256, f"{fmt} lat: {read}")
    check("Sara" not in str(read) and "example.com" not in str(read), f"{fmt} personal data: {read}")

    listed = client.get_service_requests(service_code="service_complaint", status="open")
    listed = listed if isinstance(listed, list) else [listed]
    check(any(r["service_request_id"] == request_id for r in listed), f"{fmt} list: {listed}")

    # Without a key: 403, in the standard's error shape.
    refused = post(fmt, {"service_code": "suggestion", "description": "x"})
    check(refused.status_code == 403, f"{fmt} without a key: {refused.status_code}")
    if fmt == "json":
        check(refused.json()[0]["code"] == 403, f"{fmt} 403 shape: {refused.text}")
    else:
        check("<errors><error><code>403</code>" in refused.text, f"{fmt} 403 shape: {refused.text}")

    # An unknown service code: 400.
    unknown = post(fmt, {"api_key": KEY, "service_code": "pothole", "description": "x"})
    check(unknown.status_code == 400, f"{fmt} unknown code: {unknown.status_code} {unknown.text}")
    try:
        client.get_service_requests(service_code="pothole")
        check(False, f"{fmt}: listing an unknown code was not refused")
    except requests.HTTPError as error:
        check(error.response.status_code == 400, f"{fmt} list unknown code: {error}")

print("open311: georeport listed, posted and read back in JSON and XML")
