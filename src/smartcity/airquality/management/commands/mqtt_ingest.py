import signal

from django.conf import settings
from django.core.management.base import BaseCommand

from smartcity.airquality.mqtt import Worker


class Command(BaseCommand):
    help = "Speichert per MQTT veröffentlichte Beobachtungen (v1.1/Datastreams(<id>)/Observations)."

    def add_arguments(self, parser):
        parser.add_argument("--url", default=settings.MQTT_URL)
        parser.add_argument("--client-id", default=settings.AIRQUALITY_MQTT_CLIENT_ID)
        parser.add_argument("--prefix", default="", help="Themenpräfix vor v1.1/… (z. B. für Tests)")
        parser.add_argument("--batch", type=int, default=settings.AIRQUALITY_MQTT_BATCH)
        parser.add_argument("--linger-ms", type=int, default=settings.AIRQUALITY_MQTT_LINGER_MS,
                            help="höchstens so lange auf weitere Nachrichten eines Stapels warten")

    def handle(self, *args, url, client_id, prefix, batch, linger_ms, **options):
        worker = Worker(url=url, client_id=client_id, prefix=prefix, batch=batch,
                        max_bytes=settings.AIRQUALITY_MQTT_MAX_BYTES, linger=linger_ms / 1000)
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: worker.stop.set())
        self.stdout.write(f"MQTT-Ingest: {url} als {client_id}")
        worker.run()
