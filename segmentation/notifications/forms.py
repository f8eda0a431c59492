from django import forms


class NotificationPageForm(forms.Form):
    """The page cursors of the notification list (opaque; a broken one shows the first page)."""

    after = forms.CharField(required=False, max_length=200)
    before = forms.CharField(required=False, max_length=200)
