"""Names typed by users are text in the print HTML and the PDF; rendering reaches no network and no
local file except our static files and the organization's logo."""

import io
import socket
import threading

import pypdf
import pytest
from django.test import Client

from salesapp.documents import rendering, services
from tests.documents.conftest import make_invoice


class Listener:
    """A local TCP port that records whether anything connected to it."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def listener():
    sock = Listener()
    yield sock
    sock.close()


@pytest.fixture
def fetchers(monkeypatch):
    """Every LocalOnlyFetcher created while rendering."""
    made = []
    real = rendering.LocalOnlyFetcher

    class Recording(real):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            made.append(self)

    monkeypatch.setattr(rendering, "LocalOnlyFetcher", Recording)
    return made


def hostile_names(port: int) -> list[str]:
    return [
        f"<img src=http://127.0.0.1:{port}/x>",
        "<script>alert(1)</script>",
        f"</style><style>@import url(http://127.0.0.1:{port}/a.css); body{{background:url(http://127.0.0.1:{port}/b)}}</style>",
        f'<link rel=stylesheet href="http://127.0.0.1:{port}/c.css">',
    ]


def test_hostile_names_are_text_in_the_pdf_and_fetch_nothing(account, rep, listener, fetchers):
    names = hostile_names(listener.port)
    invoice = make_invoice(customer=account, by=rep, names=names)

    pdf = services.invoice_pdf(invoice)

    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    flat = "".join(text.split())
    for name in names:
        assert "".join(name.split()) in flat, name
    assert listener.connections == 0
    assert fetchers and all(f.requested == [] for f in fetchers)  # escaped: nothing even asked


def test_hostile_names_are_text_in_the_print_html(account, rep, listener):
    names = hostile_names(listener.port)
    invoice = make_invoice(customer=account, by=rep, names=names)
    client = Client()
    client.force_login(rep)

    response = client.get(f"/documents/invoices/{invoice.pk}/print/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert f"<img src=http://127.0.0.1:{listener.port}/x>" not in html
    assert f"&lt;img src=http://127.0.0.1:{listener.port}/x&gt;" in html
    assert "&lt;/style&gt;&lt;style&gt;@import" in html
    assert "default-src 'none'" in response["Content-Security-Policy"]


def test_even_raw_markup_cannot_make_the_renderer_fetch(listener):
    """Defence in depth: if markup ever got through, the fetcher still refuses and nothing connects."""
    port = listener.port
    html = f"""<html><head><link rel=stylesheet href="http://127.0.0.1:{port}/s.css">
      <style>@import url(http://127.0.0.1:{port}/i.css); @font-face {{ font-family: x; src: url(http://127.0.0.1:{port}/f.woff) }}
      p {{ font-family: x; background: url(file:///etc/passwd) }}</style></head>
      <body><img src="http://127.0.0.1:{port}/x.png"><img src="file:///etc/hostname">
      <img src="{rendering.ASSET_ORIGIN}/static/../../../../etc/passwd"><img src="{rendering.ASSET_ORIGIN}/media/../../etc/passwd">
      <img src="{rendering.ASSET_ORIGIN}/media/logo/not-the-logo.png"><p>hello</p></body></html>"""
    fetcher = rendering.LocalOnlyFetcher(logo_name="logo/ours.png")

    pdf, pages = rendering.html_to_pdf(html, fetcher=fetcher)

    assert pages == 1 and pdf.startswith(b"%PDF")
    assert listener.connections == 0
    assert fetcher.refused and set(fetcher.refused) == set(fetcher.requested)
    assert any("127.0.0.1" in url for url in fetcher.refused)
    assert any(url.startswith("file:") for url in fetcher.refused)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:1/x",
        "https://example.com/logo.png",
        "file:///etc/passwd",
        "data:image/png;base64,AAAA",
        f"{rendering.ASSET_ORIGIN}/static/../settings.py",
        f"{rendering.ASSET_ORIGIN}/static/%2e%2e/%2e%2e/salesapp/settings.py",
        f"{rendering.ASSET_ORIGIN}/media/logo/other.png",
        f"{rendering.ASSET_ORIGIN}/media/logo/ours.png?x=1",
        f"{rendering.ASSET_ORIGIN}/etc/passwd",
        "https://assets.salesapp.invalid.evil.example/static/x.css",
    ],
)
def test_fetcher_refuses_anything_but_our_files(url):
    fetcher = rendering.LocalOnlyFetcher(logo_name="logo/ours.png")

    with pytest.raises(Exception, match="refused|disallowed"):
        fetcher.fetch(url)


def test_fetcher_serves_the_logo_from_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "logo").mkdir()
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 20
    (tmp_path / "logo" / "ours.png").write_bytes(png)
    fetcher = rendering.LocalOnlyFetcher(logo_name="logo/ours.png")

    response = fetcher.fetch(f"{rendering.ASSET_ORIGIN}/media/logo/ours.png")

    assert response.read() == png and response.content_type == "image/png"
