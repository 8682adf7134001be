"""The inbox preference form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.core.forms import StyledForm

from .choices import Delivery, NoticeKind


class NoticePreferenceForm(StyledForm, forms.Form):
    """Which kinds reach the inbox, and how e-mail brings them."""

    kinds = forms.MultipleChoiceField(
        label=_("Tell me about"),
        choices=NoticeKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    delivery = forms.ChoiceField(label=_("By e-mail"), choices=Delivery.choices, widget=forms.RadioSelect)

    @classmethod
    def for_preference(cls, preference, data=None):
        initial = {
            "kinds": [kind for kind in NoticeKind.values if preference.wants(kind)],
            "delivery": preference.delivery,
        }
        return cls(data=data, initial=initial)

    @property
    def muted(self) -> list[str]:
        return [kind for kind in NoticeKind.values if kind not in self.cleaned_data["kinds"]]
