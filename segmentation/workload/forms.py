"""The board's query string: the managers' order and the unassigned clients' page."""

from django import forms

from segmentation.workload.board import BY_LOAD, SORTS


class BoardForm(forms.Form):
    sort = forms.ChoiceField(choices=[(s, s) for s in SORTS], required=False)
    after = forms.CharField(required=False, max_length=400)
    before = forms.CharField(required=False, max_length=400)

    def choices(self) -> tuple[str, str, str]:
        """The order and the page cursors; a value not understood is the default (worst load first,
        the first page): a link with a stale cursor should still show the board."""
        self.is_valid()
        data = self.cleaned_data
        return data.get("sort") or BY_LOAD, data.get("after") or "", data.get("before") or ""
