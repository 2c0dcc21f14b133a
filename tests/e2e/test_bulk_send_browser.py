"""Bulk Send by Email of 20 invoices from the invoice list, in Chromium (Playwright), with the real
things behind it: Redis as the broker, a `celery worker` process on the test database and an aiosmtpd
SMTP server answering a little slowly, so that the progress bar is seen moving. Saves
var/screenshots/<test>-*.png.
"""

import uuid

import pytest
from playwright.sync_api import expect

from salesapp.documents.models import Delivery, DeliveryBatch, DeliveryState
from salesapp.sales import services
from tests.documents.harness import Worker, celery_enqueues_to, start_smtp, worker_env
from tests.e2e.browser import login
from tests.services import database_url, require_redis

pytestmark = pytest.mark.browser

COUNT = 20


@pytest.fixture
def worker(page, transactional_db):
    """The live server enqueues to a Redis queue of its own; one worker process sends to aiosmtpd."""
    url = require_redis()
    queue = f"salesapp-e2e-{uuid.uuid4().hex[:10]}"
    controller, smtp = start_smtp()
    smtp.delay = 0.2  # a server that takes its time: the batch takes seconds, not a blink
    with celery_enqueues_to(url, queue):
        process = Worker(
            worker_env(database_url=database_url(), broker_url=url, queue=queue, smtp_port=controller.port)
        )
        try:
            process.wait_ready()
            yield smtp
        finally:
            process.stop()
            controller.stop()


def test_bulk_send_of_20_invoices_shows_live_progress_and_the_summary(
    page, shoot, worker, rep, opportunity, account
):
    smtp = worker
    invoices = [services.opportunity_generate_invoice(opportunity=opportunity, by=rep) for _ in range(COUNT)]
    login(page, rep.username)
    page.goto("/invoices/?view=all")
    expect(page.get_by_test_id("row-select")).to_have_count(COUNT)

    page.get_by_test_id("select-all").check()
    expect(page.get_by_test_id("bulk-count")).to_have_text(f"{COUNT} selected")
    shoot("selected")
    page.get_by_test_id("bulk-email").click()

    expect(page.get_by_test_id("will-send")).to_have_text(str(COUNT))
    expect(page.get_by_test_id("will-skip")).to_have_text("0")
    shoot("confirm")
    page.get_by_test_id("bulk-email-send").click()

    progress = page.get_by_test_id("batch-progress")
    expect(progress).to_be_visible()
    # Live: the page shows a state between none and all done without being reloaded.
    page.wait_for_function(
        f"""() => {{
            const el = document.querySelector("[data-testid=batch-progress]");
            const done = el ? Number(el.dataset.done) : 0;
            return done > 0 && done < {COUNT};
        }}""",
        timeout=60_000,
    )
    shoot("in-progress")
    expect(page.get_by_test_id("batch-sent")).to_have_text(f"{COUNT} sent", timeout=120_000)
    expect(page.get_by_test_id("batch-failed")).to_have_text("0 failed")
    expect(page.get_by_test_id("batch-skipped")).to_have_text("0 skipped")
    expect(progress).not_to_have_attribute("hx-trigger", "every 1s")  # polling stopped
    expect(page.get_by_test_id("batch-delivery")).to_have_count(COUNT)
    shoot()

    batch = DeliveryBatch.objects.get()
    assert batch.deliveries.filter(state=DeliveryState.SENT).count() == COUNT
    assert set(Delivery.objects.values_list("invoice_id", flat=True)) == {i.pk for i in invoices}
    assert len(smtp.messages) == COUNT
    message_ids = {m["Message-ID"].strip() for m in smtp.parsed()}
    assert message_ids == set(Delivery.objects.values_list("message_id", flat=True))
    assert smtp.sessions == 1  # one worker process, one SMTP connection for all 20
