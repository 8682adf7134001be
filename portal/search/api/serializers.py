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
