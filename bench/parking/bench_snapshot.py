"""Generation time and size of the signed daily snapshot for handhelds, on the generated permits.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_enforce /work/venv/bin/python bench/parking/bench_snapshot.py
"""

import resource
import time

from common import setup_django


def main() -> None:
    setup_django()
    from smartcity.parking import tokens
    from smartcity.parking.enforcement import signing, snapshot
    from smartcity.parking.models import Permit

    print(f"permits in database: {Permit.objects.count():,}")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    built = snapshot.build_snapshot()
    seconds = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    content = built.file.open("rb").read()
    started = time.perf_counter()
    tokens.open_snapshot(built.manifest, content, signing.published_keys())
    verify_ms = (time.perf_counter() - started) * 1000
    print(f"snapshot: {built.entries:,} entries, {built.size / 1e6:.1f} MB gzip, generated in {seconds:.1f} s "
          f"({built.entries / seconds:,.0f} entries/s), peak RSS grew by {(rss_after - rss_before) / 1024:.0f} MiB, "
          f"signature+hash check {verify_ms:.0f} ms")


if __name__ == "__main__":
    main()
