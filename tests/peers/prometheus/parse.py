"""Parses an OpenMetrics text exposition (stdin) with Prometheus' own Python client and
prints its samples as JSON lines: {"name", "labels", "value"}. Exits non-zero on a
malformed exposition, which is what the test checks first."""
import json
import sys

from prometheus_client.openmetrics.parser import text_string_to_metric_families

for family in text_string_to_metric_families(sys.stdin.read()):
    for sample in family.samples:
        print(json.dumps({"name": sample.name, "labels": sample.labels, "value": sample.value}))
