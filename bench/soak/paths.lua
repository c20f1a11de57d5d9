-- wrk script for the soak run: rotates through forecast requests of every horizon,
-- both cities and all units, plus the info, health and readiness routes, so the run
-- exercises the cache, the JSON writer and the router rather than one cached body.
local paths = {}
local cities = { "San%20Francisco", "Portland" }
local units = { "celsius", "kelvin", "fahrenheit" }
for hours = 1, 168 do
  local city = cities[(hours % 2) + 1]
  local unit = units[(hours % 3) + 1]
  paths[#paths + 1] = "/baseline/forecast/" .. hours .. "?city=" .. city .. "&units=" .. unit
end
paths[#paths + 1] = "/baseline"
paths[#paths + 1] = "/healthz"
paths[#paths + 1] = "/readyz"
local index = 0

request = function()
  index = (index % #paths) + 1
  return wrk.format("GET", paths[index])
end
