-- ESPhttpUpdate check-ins from a fleet: every request comes from the next device of this thread's share of the
-- MACs, with the headers the ESP8266 core sends.
-- wrk -t<threads> ... -s checkin.lua <url> -- <threads> <devices> <version> <sketch-md5>
local next_id = 0

function setup(thread)
  thread:set("first", next_id)
  next_id = next_id + 1
end

function init(args)
  stride = tonumber(args[1]) -- one share of the MACs per thread
  devices = tonumber(args[2])
  version = args[3]
  md5 = args[4]
  n = first
  wrk.headers["User-Agent"] = "ESP8266-http-Update"
  wrk.headers["x-ESP8266-free-space"] = "2000000"
  wrk.headers["x-ESP8266-sketch-size"] = "400000"
  wrk.headers["x-ESP8266-sketch-md5"] = md5
  wrk.headers["x-ESP8266-chip-size"] = "4194304"
  wrk.headers["x-ESP8266-sdk-version"] = "2.2.2-dev(38a443e)"
  wrk.headers["x-ESP8266-mode"] = "sketch"
  wrk.headers["x-ESP8266-version"] = version
end

function mac(i)
  return string.format("5C:CF:7F:%02X:%02X:%02X", math.floor(i / 65536) % 256, math.floor(i / 256) % 256, i % 256)
end

function request()
  local m = mac(n % devices)
  n = n + stride
  wrk.headers["x-ESP8266-STA-MAC"] = m
  wrk.headers["x-ESP8266-AP-MAC"] = m
  return wrk.format("GET")
end
