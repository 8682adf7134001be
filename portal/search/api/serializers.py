"""What the search endpoint answers: the query and its hits grouped by kind, each with a link to its record."""

from rest_framework import serializers

from ..selectors import KINDS


class SearchHitSerializer(serializers.Serializer):
    label = serializers.CharField()
    url = serializers.CharField(help_text="The record's page on this host.")


class SearchGroupSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KINDS)
    more = serializers.BooleanField(help_text="More matched than are listed: a longer query narrows them.")
    hits = SearchHitSerializer(many=True)


class SearchResultsSerializer(serializers.Serializer):
    query = serializers.CharField()
    too_short = serializers.BooleanField(help_text="Not searched: the query has fewer than min_length characters.")
    min_length = serializers.IntegerField()
    groups = SearchGroupSerializer(many=True)


def hit_label(kind: str, hit) -> str:
    """The text a hit is known by: VIN, shipment reference, certificate type and number, title or name."""
    if kind == "vehicles":
        return hit.vin
    if kind == "shipments":
        return hit.label
    if kind == "certificates":
        return f"{hit.certificate_type.code} {hit.number}"
    if kind == "projects":
        return hit.title
    return hit.name
