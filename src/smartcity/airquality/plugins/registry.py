from .base import Adapter
from .contrib.datex2 import Datex2MeasuredData
from .contrib.sensor_community import SensorCommunityArchiveCsv, SensorCommunityJson
from .contrib.traffic_csv import TrafficCountsCsv
from .contrib.uba import UbaAirData

ADAPTERS: dict[str, type[Adapter]] = {
    cls.key: cls
    for cls in (SensorCommunityJson, SensorCommunityArchiveCsv, UbaAirData, TrafficCountsCsv, Datex2MeasuredData)
}


def get(key: str) -> Adapter:
    try:
        return ADAPTERS[key]()
    except KeyError:
        raise KeyError(f"unknown adapter {key!r}; known: {', '.join(sorted(ADAPTERS))}")
