"""Signs in to a fresh demo server and gives the fuzzer something to find.

    python prepare.py BASE_URL DATA_DIR SEEDED_DICT STAFF_USERNAME

Prints two lines, the staff token and the citizen token. Before that it opens, as the demo
citizen, two cases (one with a PNG and a PDF, so documents 1 and 2 exist) and, after paying
a bill through the gateway call, one clearance, and writes their random tracking and
clearance codes to SEEDED_DICT (a libFuzzer dictionary that schemathesis.toml reads).
Standard library only: it runs with the virtualenv's interpreter or any Python 3.
"""

import base64
import json
import re
import struct
import sys
import time
import urllib.error
import urllib.request
import zlib

BASE, DATA_DIR, SEEDED, STAFF_USER = sys.argv[1:5]
CITIZEN_ID, CITIZEN_MOBILE = "0499370899", "09120000001"
PASSWORD = "daftar-demo"


def call(method, path, body=None, token=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{method} {path}: {error.code} {error.read().decode(errors='replace')}")


def sign_in_code():
    """The newest code sent to the citizen's mobile, from DATA_DIR/messages.log."""
    digits = str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789")
    for _ in range(50):
        codes = []
        try:
            with open(f"{DATA_DIR}/messages.log", encoding="utf-8") as log:
                for line in log:
                    message = json.loads(line)
                    if message["to"].endswith(CITIZEN_MOBILE[1:]):
                        codes += re.findall(r"[0-9]{6}", message["text"].translate(digits))
        except FileNotFoundError:
            pass
        if codes:
            return codes[-1]
        time.sleep(0.1)
    raise SystemExit("no sign-in code in messages.log")


def png():
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


def b64(data):
    return base64.b64encode(data).decode()


staff = call("POST", "/api/v1/auth/token", {"username": STAFF_USER, "password": PASSWORD})["token"]
call("POST", "/api/v1/auth/otp", {"national_id": CITIZEN_ID, "mobile": CITIZEN_MOBILE})
citizen = call("POST", "/api/v1/auth/otp/verify",
               {"national_id": CITIZEN_ID, "code": sign_in_code()})["token"]

# Case 1: a renewal-toll clearance request with two documents (documents 1 and 2), in the
# renewal and clearance unit's queue. Case 2: a question, in the consulting unit's (a
# suggestion is filed through the complaint form, which routes it, not /api/v1/cases).
tracking = [
    call("POST", "/api/v1/cases", {
        "service_id": "10010101019th01",
        "answers": {"applicant_national_id": CITIZEN_ID, "mobile": CITIZEN_MOBILE,
                    "renewal_code": "01-102-07-0", "district": "1"},
        "documents": [
            {"kind": "national_card", "file_name": "card.png", "content_base64": b64(png())},
            {"kind": "title_deed", "file_name": "deed.pdf",
             "content_base64": b64(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")},
        ],
    }, citizen)["tracking_code"],
    call("POST", "/api/v1/cases", {
        "service_id": "10010101024th01",
        "answers": {"mobile": CITIZEN_MOBILE, "topic": "other", "question": "schemathesis"},
    }, citizen)["tracking_code"],
]

# A clearance needs a property that owes nothing: pay 01-101-12-0's bill first, as the
# gateway would (the renewal unit's account).
gateway = call("POST", "/api/v1/auth/token",
               {"username": "renewal_clearance", "password": PASSWORD})["token"]
call("POST", "/api/v1/payments", {"bill_id": "110167", "payment_id": "385050175",
                                  "amount_rials": 3850000, "paid_at": "2026-12-01T10:00:00Z",
                                  "trace_number": "prepare-1"}, gateway)
clearance = call("POST", "/api/v1/clearances",
                 {"district": "1", "renewal_code": "01-101-12-0"}, citizen)["code"]

with open(SEEDED, "w", encoding="utf-8") as out:
    for value in [*tracking, clearance]:
        out.write(f'"{value}"\n')

print(staff)
print(citizen)
