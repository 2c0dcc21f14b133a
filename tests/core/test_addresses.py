"""Typed countries → ISO 3166-1 alpha-2 codes (documents and e-invoices need the code)."""

import pytest

from salesapp.core.addresses import country_code


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("US", "US"),
        ("us", "US"),
        ("United States", "US"),
        ("USA", "US"),
        ("  united   kingdom ", "GB"),
        ("UK", "GB"),
        ("Deutschland", "DE"),
        ("Germany", "DE"),
        ("Allemagne", "DE"),
        ("Österreich", "AT"),
        ("France", "FR"),
        ("EU", ""),
        ("Atlantis", ""),
        ("", ""),
        (None, ""),
    ],
)
def test_country_code(typed, code):
    assert country_code(typed) == code
