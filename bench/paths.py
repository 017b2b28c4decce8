"""The URLs the benchmark asks for (no Django imports: ``bench.run`` uses them without setting Django up)."""

API_DETAIL = "/api/v2/pages/{pk}/"
API_LISTING = "/api/v2/pages/?type=cms.EventReportPage&limit=20"
STOCK_DETAIL = "/bench/stock/pages/{pk}/"
STOCK_IDS_DETAIL = "/bench/stock-ids/pages/{pk}/"
STOCK_LISTING = "/bench/stock/pages/?type=cms.EventReportPage&fields=*&limit=20"
TRIVIAL_DETAIL = "/bench/trivial/detail/"
TRIVIAL_LISTING = "/bench/trivial/listing/"
PUBLISH_PERSON = "/bench/publish/person/{pk}/"


def with_param(path, name, value):
    return f"{path}{'&' if '?' in path else '?'}{name}={value}"
