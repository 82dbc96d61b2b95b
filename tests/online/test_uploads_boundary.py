"""The online zone's JSON upload endpoints and forms at their boundary: any body is a clear
4xx, never a 500 (Hypothesis drives the JSON bodies and offsets, a few dozen examples)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import Phone
from .test_uploads import api, start_application

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**70), max_value=2**70) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
BODIES = st.fixed_dictionaries(
    {},
    optional={
        "target": JSON_VALUES | st.sampled_from(["apply:x:id_card", "apply:\x00:form", "apply:" + "a" * 200]),
        "size": JSON_VALUES,
        "filename": JSON_VALUES,
    },
)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],  # a busy CI machine
)


def _clear(response: Any) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.get_json()["message"]  # Chinese, for the resident


def test_upload_endpoints_never_fail_with_500(app: Flask, resident: Phone) -> None:
    app_id = start_application(resident)
    resident.get(f"/online/apply/{app_id}/materials")

    @FUZZ
    @given(body=BODIES)
    def start(body: dict[str, Any]) -> None:
        response = api(resident, "POST", "/online/uploads", json=body)
        if response.status_code != 201:
            _clear(response)

    start()
    started = api(resident, "POST", "/online/uploads", json={"target": f"apply:{app_id}:form", "size": 10})
    url = f"/online/uploads/{started.get_json()['upload_id']}"

    @FUZZ
    @given(
        offset=st.text(max_size=25) | st.integers(min_value=-(2**70), max_value=2**70).map(str),
        data=st.binary(max_size=40),
    )
    def chunk(offset: str, data: bytes) -> None:
        response = api(resident, "PUT", f"{url}?offset={offset}", data=data)
        if response.status_code != 200:
            _clear(response)

    chunk()
    for path in ("/online/uploads/" + "x" * 400, "/online/uploads/%00", "/online/uploads/..%2f"):
        assert api(resident, "GET", path).status_code == 404
    assert (
        api(resident, "POST", "/online/uploads", data="not json", content_type="text/plain").status_code
        == 400
    )
    no_csrf = resident.http.put(
        f"{url}?offset=0", data=b"\xff\xd8\xff", headers={"Accept": "application/json"}
    )
    assert no_csrf.status_code == 400


def test_forms_refuse_nul_and_overlong_fields(app: Flask, resident: Phone) -> None:
    app_id = start_application(resident)
    resident.get(f"/online/apply/{app_id}/applicant")
    for name in ("张\x00三", "张" * 300, ""):
        response = resident.post(f"/online/apply/{app_id}/applicant", {"kind": "person", "name": name,
                                 "id_number": "x", "home_division": "140521"})  # fmt: skip
        assert response.status_code == 400 and "请核对" in response.get_data(as_text=True)
    assert resident.get("/online/matters?q=" + "养" * 500).status_code == 200
    assert resident.get("/online/matters/" + "x" * 500).status_code == 404
    assert resident.get("/online/apply/" + "x" * 500 + "/review").status_code == 404
    for page in (99999999999999999999, 0, 2**31):
        assert resident.post(f"/online/apply/{app_id}/pages/{page}/delete").status_code == 404
