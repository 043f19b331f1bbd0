-- wrk script for the htmx progress update: a POST as htmx sends it, with the CSRF token
-- in a header (hx-headers on <body>) and the CSRF cookie beside the session cookie.
--
--   wrk -s bench/post.lua URL -- BODY|BODY... COOKIE_NAMES CSRF_SECRET SESSION_KEY,SHOWN...
--
-- Each request goes out as the next member in turn (one session per member), so the
-- connections do not queue behind one member's row lock; each member's saves take the bodies
-- in turn, so every save changes their row. SHOWN (urlencoded, after the comma) is what that
-- member's dashboard sends along: the versions of the summaries it shows.

local requests = {}
local counter = 0

function init(args)
  local bodies, names, secret = args[1], args[2], args[3]
  local session_name, csrf_name = names:match("([^,]+),([^,]+)")
  for body in bodies:gmatch("[^|]+") do
    for i = 4, #args do
      local key, shown = args[i]:match("([^,]+),?(.*)")
      local headers = {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["HX-Request"] = "true",
        ["X-CSRFToken"] = secret,
        ["Cookie"] = session_name .. "=" .. key .. "; " .. csrf_name .. "=" .. secret,
      }
      requests[#requests + 1] = wrk.format("POST", nil, headers, body .. shown)
    end
  end
end

function request()
  counter = counter % #requests + 1
  return requests[counter]
end
