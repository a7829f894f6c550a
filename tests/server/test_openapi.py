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
    ("post", "/v1/cases/{case_id}/hand-over"),
    ("get", "/v1/cases/{case_id}/update-templates"),
    ("get", "/v1/officers/colleagues"),
    ("delete", "/v1/cases/{case_id}/invitations/{invitation_id}"),
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


async def test_the_wire_names_officer_mode_relies_on(api: Api) -> None:
    schemas = (await api.client.get("http://testserver/openapi.json")).json()["components"]["schemas"]
    case = schemas["CasePublic"]["properties"]
    assert {"closed_at", "right_to_review_until", "victim_access"} <= set(case)
    assert set(schemas["VictimAccessPublic"]["properties"]) == {
        "signed_in",
        "last_signed_in_at",
        "last_seen_at",
        "invitation",
    }
    assert set(schemas["InvitationState"]["enum"]) == {"sent", "opened", "used", "expired", "withdrawn"}
    assert {"handed_to", "template"} <= set(schemas["CaseUpdatePublic"]["properties"])
    assert set(schemas["HandOverPublic"]["properties"]) == {"case_id", "officer", "update"}
    assert set(schemas["UpdateTemplatePublic"]["properties"]) == {
        "template",
        "status",
        "closed_outcome",
        "working_days",
        "due_by",
    }
    assert "CaseRemovedEvent" in schemas
