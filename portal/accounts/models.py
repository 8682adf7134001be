"""Records of sign-in: the hand-off tokens already redeemed (each works once)."""

from django.conf import settings
from django.db import models


class HandoffRedemption(models.Model):
    """A workspace hand-off token that has been used; a second use of the same token id is refused."""

    token_id = models.CharField(max_length=32, primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    redeemed_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.token_id
