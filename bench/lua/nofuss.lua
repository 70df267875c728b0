-- NoFUSS client check-ins (0.2+): the device's MAC, product and version in X-ESP8266-* headers.
-- wrk -t<threads> ... -s nofuss.lua <url> -- <threads> <devices> <version> <product>
local next_id = 0

function setup(thread)
  thread:set("first", next_id)
  next_id = next_id + 1
end

function init(args)
  stride = tonumber(args[1])
  devices = tonumber(args[2])
  n = first
  wrk.headers["User-Agent"] = "NoFussClient"
  wrk.headers["X-ESP8266-DEVICE"] = args[4]
  wrk.headers["X-ESP8266-VERSION"] = args[3]
  wrk.headers["X-ESP8266-BUILD"] = "abc1234"
  wrk.headers["X-ESP8266-CHIPID"] = "15602487"
  wrk.headers["X-ESP8266-CHIPSIZE"] = "4194304"
end

function request()
  local i = n % devices
  n = n + stride
  wrk.headers["X-ESP8266-MAC"] = string.format("5C:CF:7F:%02X:%02X:%02X", math.floor(i / 65536) % 256,
    math.floor(i / 256) % 256, i % 256)
  return wrk.format("GET")
end
