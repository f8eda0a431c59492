"""One date format per language (settings.FORMAT_MODULE_PATH): every page and message agrees.

The long and the short names are the same format, so `|date:"DATE_FORMAT"`,
`|date:"SHORT_DATE_FORMAT"` and `formats.date_format(...)` all render alike. Number
formats are not set here and stay Django's own for the language.
"""
