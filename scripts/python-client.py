"""The HTTP API driven the way a user's script would: plain `requests`, no generated client.

    python scripts/python-client.py URL TOKEN

URL is a running `forecast serve` with a /baseline route and trained models for San
Francisco (scripts/sample-host.sh starts one); TOKEN its write token. Each step prints
what it checked; the first failure raises and exits non-zero. Run by scripts/schemathesis
after schemathesis, against the same host.
"""

import datetime
import math
import sys

import requests


def check(condition, message):
    if not condition:
        raise SystemExit(f"python-client: FAILED: {message}")
    print(f"python-client: ok: {message}")


def main(url, token):
    session = requests.Session()

    document = session.get(f"{url}/openapi.json", timeout=30).json()
    check(document["info"]["version"].count(".") == 2, f"openapi.json carries a version ({document['info']['version']})")

    answer = session.get(f"{url}/baseline/forecast/24", params={"city": "San Francisco", "level": "0.8,0.95"}, timeout=30)
    check(answer.status_code == 200, f"GET /baseline/forecast/24 with two levels answers 200 ({answer.status_code})")
    body = answer.json()
    hours = body["forecast"]
    check(len(hours) == 24, "24 hours forecast")
    check([band["level"] for band in body["intervals"]] == [0.8, 0.95], "one band per level asked, in order")
    wide, narrow = body["intervals"][1], body["intervals"][0]
    check(all(w_lo <= n_lo and n_up <= w_up for w_lo, n_lo, n_up, w_up in
              zip(wide["temperatureLower"], narrow["temperatureLower"], narrow["temperatureUpper"], wide["temperatureUpper"])),
          "the 95% band holds the 80% band at every hour")
    last = body["model"]["lastObservation"]
    first = datetime.datetime.fromisoformat(hours[0]["time"].replace("Z", "+00:00"))
    check(first == datetime.datetime.fromisoformat(last.replace("Z", "+00:00")) + datetime.timedelta(hours=1),
          f"the forecast starts the hour after the last observation ({last})")

    models = session.get(f"{url}/baseline/models/san-francisco", timeout=30)
    check(models.status_code == 200 and "summary" in models.json()["temperature"], "GET /baseline/models/san-francisco has the fit summary")

    start = datetime.datetime(2024, 3, 1, tzinfo=datetime.timezone.utc)
    values = [round(285 + 5 * math.sin(2 * math.pi * i / 24), 3) for i in range(336)]
    values[100] = None
    posted = session.post(f"{url}/baseline/forecast", timeout=60, json={
        "series": [{"id": "sensor", "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "step": 3600, "values": values}],
        "horizon": 24, "levels": [0.8, 0.95]})
    check(posted.status_code == 200, f"POST /baseline/forecast of a two-week series answers 200 ({posted.status_code} {posted.text[:200]})")
    forecast = posted.json()["forecasts"][0]
    check(forecast["id"] == "sensor" and len(forecast["forecast"]) == 24, "the posted series' 24 hours come back under its id")
    # Seasonal naive repeats the last day: the first forecast hour is the value 24 h before it.
    check(abs(forecast["forecast"][0]["mean"] - values[336 - 24]) < 1e-6, "and they repeat its last day")

    following = datetime.datetime.fromisoformat(last.replace("Z", "+00:00")) + datetime.timedelta(hours=1)
    observation = {"observations": [{"city": "San Francisco", "time": following.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                     "temperature": 285.0, "humidity": 60.0}]}
    refused = session.post(f"{url}/observations", json=observation, timeout=30)
    check(refused.status_code == 401, f"POST /observations without the token is refused with 401 ({refused.status_code})")
    stored = session.post(f"{url}/observations", json=observation, timeout=60, headers={"Authorization": f"Bearer {token}"})
    check(stored.status_code == 200, f"POST /observations with the token answers 200 ({stored.status_code} {stored.text[:200]})")
    moved = session.get(f"{url}/baseline/forecast/24", params={"city": "San Francisco"}, timeout=30).json()
    check(moved["model"]["lastObservation"] == observation["observations"][0]["time"],
          "the next forecast starts after the hour just posted")

    accuracy = session.get(f"{url}/baseline/accuracy", params={"city": "San Francisco"}, timeout=30)
    check(accuracy.status_code == 200, f"GET /baseline/accuracy answers 200 ({accuracy.status_code})")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1].rstrip("/"), sys.argv[2])
