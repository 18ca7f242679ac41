"""The OpenAPI document describes the document and outcome endpoints."""


def test_openapi_documents_the_documents_and_outcomes(client):
    spec = client.get("/api/v1/openapi.json").json
    upload = spec["paths"]["/events/{slug}/documents"]["post"]
    schema = upload["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert schema == {"$ref": "#/components/schemas/DocumentUpload"}
    assert spec["components"]["schemas"]["DocumentUpload"]["required"] == [
        "file", "title", "access"]
    assert sorted(upload["responses"]) == ["201", "401", "403", "404", "413", "415", "422"]
    for path in ("/events/{slug}/documents", "/registrations/{token}/documents",
                 "/events/{slug}/outcomes", "/events/{slug}/documents/{document_id}/revisions"):
        assert path in spec["paths"]
