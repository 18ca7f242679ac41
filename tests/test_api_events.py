import pytest


@pytest.fixture
def client(seeded):
    return seeded.test_client()


def test_events_list_in_date_order_with_counts(client):
    body = client.get("/api/v1/events").get_json()
    assert [e["slug"] for e in body["events"]] == [
        "ctwg-15", "star-xi", "ctwg-16", "aviation-soft-target-workshop"]
    star = body["events"][1]
    assert star["capacity"] == 100
    assert (star["confirmed"], star["waitlisted"], star["places_left"]) == (0, 0, 100)
    # Held in August 2020 (the machine's clock is later): registration closed when it began.
    assert star["registration_open"] is False
    assert star["timezone"] == "Asia/Kuala_Lumpur"
    assert star["starts_at"] == "2020-08-04T00:00:00+08:00"
    assert star["ends_at"] == "2020-08-05T00:00:00+08:00"


def test_event_with_month_only_has_no_dates(client):
    body = client.get("/api/v1/events/ctwg-16").get_json()
    assert body["dates"] == "August 2020, dates to be confirmed"
    assert (body["start_date"], body["starts_at"]) == (None, None)
    assert body["tentative_month"] == "2020-08"
    assert body["dates_confirmed"] is False
    assert body["agenda"] == []


def test_event_agenda_times_carry_the_kuala_lumpur_offset(client):
    body = client.get("/api/v1/events/ctwg-15").get_json()
    first = body["agenda"][0]
    assert first["title"] == "Charting the activities of the CTWG for 2020"
    assert (first["starts_at"], first["ends_at"]) == (
        "2020-02-10T09:00:00+08:00", "2020-02-10T10:30:00+08:00")
    assert body["agenda_provisional"] is True
    assert body["deliverables"] == ["1.1"]


def test_unknown_slug_is_json_404(client):
    response = client.get("/api/v1/events/nope")
    assert response.status_code == 404
    assert response.get_json() == {"error": "Not Found",
                                   "message": "There is no event with this slug."}


def test_openapi_document_lists_every_api_route(seeded, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    documented = {(path, method.upper()) for path, item in doc["paths"].items() for method in item}
    routes = set()
    for rule in seeded.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint != "api.openapi":
            path = rule.rule.removeprefix("/api/v1").replace("<", "{").replace(">", "}")
            path = path.replace("{int:", "{")
            routes |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes - documented == set()
