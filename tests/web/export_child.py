"""Run by tests/web/test_export_100k.py in a process of its own: one Export to Excel of the invoice list
(view "All Invoices"), as a worker serves it, streamed to a file. Prints, as JSON, its resident memory
before and its peak during the export (KiB, from /proc), the bytes written and the seconds taken.

    DATABASE_URL=… python -m tests.web.export_child <username> <out.xlsx>
"""

import json
import os
import resource
import sys
import time


def status_kib(field: str) -> int:
    """VmRSS (resident now) or VmHWM (peak resident since the last reset) of this process, in KiB."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # no /proc: the lifetime peak


def reset_peak() -> None:
    """Linux: writing 5 to clear_refs resets VmHWM to the current resident size."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def main(username: str, out: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesapp.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import RequestFactory

    from salesapp.sales.views.documents import document_list
    from salesapp.sales.views.kinds import INVOICE

    user = get_user_model().objects.get(username=username)

    def export(query: dict[str, str], path: str) -> int:
        request = RequestFactory().get("/invoices/", query)
        request.user = user
        response = document_list(request, kind=INVOICE)
        written = 0
        with open(path, "wb") as f:
            for chunk in response.streaming_content:
                f.write(chunk)
                written += len(chunk)
        return written

    # Warm up (imports, the query machinery, openpyxl) with an export that matches nothing.
    export({"view": "all", "export": "xlsx", "q": "no such invoice"}, out + ".empty")
    reset_peak()
    before = status_kib("VmRSS")
    started = time.monotonic()
    written = export({"view": "all", "export": "xlsx"}, out)
    seconds = time.monotonic() - started
    figures = {"before_kib": before, "peak_kib": status_kib("VmHWM"), "bytes": written, "seconds": seconds}
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
