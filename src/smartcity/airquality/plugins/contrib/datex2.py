"""DATEX II (v2.x) MeasuredDataPublication subset: TrafficFlow (vehicles/h) and TrafficSpeed (km/h).

One station per measurement site, one datastream per measured-value index (the index encodes lane and
vehicle class per site, e.g. 11 = light-vehicle flow). Quality figures go into the observation parameters.
"""

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from ...ingest import InvalidValue, Reason, Rejection, parse_time
from ..base import Parsed, Record, Station

XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
KINDS = {"TrafficFlow": ("FLOW", "Kfz/h", ("vehicleFlow", "vehicleFlowRate")),
         "TrafficSpeed": ("SPEED", "km/h", ("averageVehicleSpeed", "speed"))}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(el, name: str):
    return next((c for c in el if _local(c.tag) == name), None)


class Datex2MeasuredData:
    key = "datex2"
    data_class = "traffic"
    licence = "dl-zero-de/2.0"

    def parse(self, raw: bytes, **context: object) -> Parsed:
        out = Parsed()
        try:
            root = ElementTree.fromstring(raw)
        except (ElementTree.ParseError, DefusedXmlException) as exc:
            out.rejected.append(Rejection(0, Reason.MALFORMED, f"not well-formed XML: {exc}"))
            return out
        sites = [el for el in root.iter() if _local(el.tag) == "siteMeasurements"]
        for i, site in enumerate(sites):
            try:
                ref = _child(site, "measurementSiteReference")
                site_id = ref.get("id") if ref is not None else None
                time_el = _child(site, "measurementTimeDefault")
                if not site_id or time_el is None:
                    raise ValueError("measurementSiteReference id and measurementTimeDefault are required")
                end = parse_time((time_el.text or "").strip(), "measurementTimeDefault")
                station = Station(key=f"datex2:{site_id}", name=f"Messstelle {site_id}",
                                  properties={"type": "traffic-counter", "datex2Site": site_id})
                for mv in (c for c in site if _local(c.tag) == "measuredValue"):
                    index = mv.get("index", "")
                    basic = next((el for el in mv.iter() if _local(el.tag) == "basicData"), None)
                    kind = KINDS.get((basic.get(XSI_TYPE) or "").split(":")[-1]) if basic is not None else None
                    if kind is None:
                        continue
                    code, unit, path = kind
                    node = basic
                    for name in path:
                        node = _child(node, name) if node is not None else None
                    if node is None or not (node.text or "").strip():
                        raise ValueError(f"index {index}: no {'/'.join(path)}")
                    params = {_local(el.tag): el.text for el in basic.iter()
                              if _local(el.tag) in {"numberOfInputValuesUsed", "numberOfIncompleteInputs",
                                                    "standardDeviation"}}
                    out.records.append(Record(station, f"{code}-{index}", code, end, node.text.strip(), unit=unit,
                                              parameters={"index": index, **params}))
            except InvalidValue as exc:
                out.rejected.append(Rejection(i, exc.reason, str(exc)))
            except (ValueError, AttributeError) as exc:
                out.rejected.append(Rejection(i, Reason.MALFORMED, f"site {i + 1}: {exc}"[:200]))
        return out
