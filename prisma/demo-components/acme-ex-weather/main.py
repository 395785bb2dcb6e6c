# The demo's own component ("acme.ex-weather"), added to the demo project the way a team adds
# theirs: a folder with a program, run over Keboola's Common Interface. It makes hourly readings
# for the configured cities (deterministic, no network needed) since the last run it remembers
# in its state, and writes them to out/tables with a manifest (incremental, primary key).
import csv
import datetime
import json
import os
import random
import sys

data = os.environ["KBC_DATADIR"]
config = json.load(open(os.path.join(data, "config.json")))
params = config.get("parameters", {})
cities = params.get("cities")
if not isinstance(cities, list) or not cities:
    print('Configuration "parameters.cities" must list at least one city.', file=sys.stderr)
    sys.exit(1)
if not params.get("#api_key"):
    print('Configuration "parameters.#api_key" is missing.', file=sys.stderr)
    sys.exit(1)

state = json.load(open(os.path.join(data, "in", "state.json")))
now = datetime.datetime.now(datetime.timezone.utc).replace(minute=0, second=0, microsecond=0)
since = datetime.datetime.fromisoformat(state["last_hour"]) if "last_hour" in state else now - datetime.timedelta(hours=24)
hours = max(0, min(int((now - since).total_seconds() // 3600), 24 * 7))
print(f"Fetching {hours} hour(s) of readings for {len(cities)} cities since {since.isoformat()}")

path = os.path.join(data, "out", "tables", "readings.csv")
with open(path, "w", newline="") as f:
    writer = csv.writer(f)
    writer.writerow(["city", "hour", "temperature_c", "wind_kmh"])
    for city in cities:
        for h in range(hours):
            hour = since + datetime.timedelta(hours=h + 1)
            rnd = random.Random(f"{city}-{hour.isoformat()}")
            writer.writerow([city, hour.isoformat(), f"{rnd.uniform(-5, 30):.1f}", f"{rnd.uniform(0, 60):.0f}"])
        print(f"  {city}: {hours} readings")
json.dump({"destination": params.get("table", "in.c-weather.readings"), "incremental": True, "primary_key": ["city", "hour"]},
          open(path + ".manifest", "w"))
json.dump({"last_hour": now.isoformat()}, open(os.path.join(data, "out", "state.json"), "w"))
print(f"Wrote {hours * len(cities)} readings; next run continues after {now.isoformat()}")
