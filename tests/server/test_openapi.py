from __future__ import annotations

from tests.support import Api

ENDPOINTS = {
    ("post", "/v1/auth/officer/login"),
    ("post", "/v1/auth/victim/redeem"),
    ("post", "/v1/auth/victim/verify"),
    ("post", "/v1/officers"),
    ("post", "/v1/cases"),
    ("get", "/v1/cases"),
    ("get", "/v1/cases/{case_id}"),
    ("post", "/v1/cases/{case_id}/invitations"),
    ("post", "/v1/cases/{case_id}/updates"),
    ("post", "/v1/cases/{case_id}/update-requests"),
    ("put", "/v1/cases/{case_id}/messages/{client_msg_id}"),
    ("post", "/v1/cases/{case_id}/read"),
    ("get", "/v1/sync"),
    ("get", "/v1/stats"),
    ("get", "/v1/me/contact-preferences"),
    ("put", "/v1/me/contact-preferences"),
    ("put", "/v1/officers/me/availability"),
    ("get", "/v1/support-services"),
    ("put", "/v1/support-services"),
}


async def test_the_openapi_document_describes_every_endpoint_and_the_error_shape(api: Api) -> None:
    response = await api.client.get("http://testserver/openapi.json")
    assert response.status_code == 200
    document = response.json()
    described = {(method, path) for path, item in document["paths"].items() for method in item}
    assert ENDPOINTS <= described
    assert "ErrorBody" in document["components"]["schemas"]
    sync = document["paths"]["/v1/sync"]["get"]
    assert {p["name"] for p in sync["parameters"]} == {"since", "timeout"}
    assert "SyncPublic" in str(sync["responses"]["200"])


async def test_the_wire_names_the_app_relies_on(api: Api) -> None:
    schemas = (await api.client.get("http://testserver/openapi.json")).json()["components"]["schemas"]
    assert set(schemas["ContactPreferences"]["properties"]) == {
        "contact_channels",
        "contact_times",
        "safe_to_leave_voicemail",
        "news_alerts",
    }
    assert "contact_preferences" in schemas["VictimPublic"]["required"]
    assert {"reply_within_hours", "away_message"} <= set(schemas["OfficerContact"]["required"])
    assert {"reply_within_hours", "away_message"} <= set(schemas["OfficerPublic"]["required"])
    assert set(schemas["SupportServicesPublic"]["properties"]) == {"version", "services"}
    assert set(schemas["SupportServicePublic"]["properties"]) == {
        "id",
        "name",
        "purpose",
        "phone",
        "website",
        "source",
        "reviewed",
    }
