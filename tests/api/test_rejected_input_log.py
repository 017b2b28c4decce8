"""Rejected input is logged without the query string's values: a value may be a preview token."""

import logging

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_rejected_request_is_logged_without_values(caplog):
    # (The preview endpoints' token is a query parameter like this one.)
    query = "type=cms.EventReportPage&fields=title&start_date=SECRET-TOKEN-VALUE"
    with caplog.at_level(logging.INFO, logger="api.endpoints.base"):
        response = Client(HTTP_HOST="localhost").get(f"/api/v2/pages/?{query}")
    assert response.status_code == 400
    logged = [record.getMessage() for record in caplog.records if record.name == "api.endpoints.base"]
    assert logged, "nothing was logged"
    assert all("SECRET-TOKEN-VALUE" not in message for message in logged), logged
    assert any("parameters: fields, start_date, type" in message for message in logged), logged
