"""Languages of the dashboards and text that exists in each of them."""

from typing import Literal, NamedTuple

Lang = Literal["id", "en"]

#: Indonesian first: it is the default language of the dashboards.
LANGS: tuple[Lang, ...] = ("id", "en")


class Text(NamedTuple):
    """One piece of text in Bahasa Indonesia and in English."""

    id: str
    en: str

    def get(self, lang: Lang) -> str:
        """The text in `lang`."""
        return self.id if lang == "id" else self.en


class PanelText(NamedTuple):
    """Title and description of one panel (or dashboard)."""

    title: Text
    description: Text
