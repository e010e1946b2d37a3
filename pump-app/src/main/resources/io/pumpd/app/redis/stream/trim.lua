-- Keeps one pump-owned stream in shape; run by every daemon about once a second (idempotent).
--  1. creates the configured consumer groups that are missing (at 0: they read everything kept);
--  2. per group, computes its backlog: records added to the stream that the group has not yet
--     acknowledged (positions come from entry IDs, see move.lua; exact to within one entry);
--  3. drops, for a group whose backlog exceeds its bound, the oldest entries FOR THAT GROUP ONLY:
--     acknowledges its pending entries at or below the cut and moves its last-delivered ID past
--     the undelivered ones; the records dropped are counted and returned;
--  4. removes consumers with nothing pending that have been idle longer than ARGV[3] ms;
--  5. trims the stream to the oldest entry any group still needs (XTRIM MINID), and deletes the
--     batch lists (see move.lua) no entry refers to any more.
--
-- KEYS[1] the stream, KEYS[2] its counters hash (the batch lists <stream>:b:<n> share their slot)
-- ARGV[1] default record bound (-1 = none), ARGV[2] default byte bound (0 = none), both for
--   groups this daemon does not configure; ARGV[3] stale consumer idle ms; ARGV[4] number of
--   configured groups G; then G triples: name, record limit in this stream (-1 = none; the daemon
--   splits a pump's bound over its streams), byte bound (0 = none).
--
-- Returns {records ever added, bytes ever added, stream length, entries trimmed, age in ms of the
--   newest entry (-1 = none yet), {group, backlog records, age in ms of its oldest unacknowledged entry (0 = none), pending
--    entries, records dropped now, configured here (1/0)}, ...}
local stream = KEYS[1]
local MAXSEQ = '-18446744073709551615'

local function pos(id)
  return tonumber(string.match(id, '^(%d+)-'))
end

local function millis(id)
  return tonumber(string.match(id, '-(%d+)$'))
end

local function field(flat, name)
  for i = 1, #flat, 2 do
    if flat[i] == name then
      return flat[i + 1]
    end
  end
  return nil
end

local function recordsIn(id)
  local e = redis.call('XRANGE', stream, id, id)
  if #e == 0 then
    return 0
  end
  return tonumber(field(e[1][2], 'n') or '0')
end

-- the position up to which this group is done: min(last delivered, where its first pending entry
-- starts), >= floor (an entry's ID is the position of its LAST record, so it starts n earlier)
local function handled(name, lastId, floor)
  local h = pos(lastId)
  local summary = redis.call('XPENDING', stream, name)
  local pending = tonumber(summary[1])
  local firstPending = nil
  if pending > 0 then
    firstPending = summary[2]
    h = math.min(h, pos(firstPending) - math.max(1, recordsIn(firstPending)))
  end
  if h < floor then
    h = floor
  end
  return h, pending, firstPending
end

local configured = {}
local count = tonumber(ARGV[4])
for i = 0, count - 1 do
  local name = ARGV[5 + 3 * i]
  configured[name] = {tonumber(ARGV[6 + 3 * i]), tonumber(ARGV[7 + 3 * i])}
  redis.pcall('XGROUP', 'CREATE', stream, name, '0', 'MKSTREAM')
end
if redis.call('EXISTS', stream) == 0 then
  return {0, 0, 0, 0, -1}
end

local total = tonumber(redis.call('HGET', KEYS[2], 'records') or '0')
local bytes = tonumber(redis.call('HGET', KEYS[2], 'bytes') or '0')
local floor = tonumber(redis.call('HGET', KEYS[2], 'floor') or '0')
local avg = 0
if total > 0 then
  avg = bytes / total
end
local staleIdle = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local last = tonumber(redis.call('HGET', KEYS[2], 'last') or '-1')
local newest = -1
if last >= 0 then
  newest = math.max(0, now - last)
end
local out = {total, bytes, 0, 0, newest}
local keep = nil
for _, g in ipairs(redis.call('XINFO', 'GROUPS', stream)) do
  local name = field(g, 'name')
  local lastId = field(g, 'last-delivered-id')
  local bound = configured[name]
  local isConfigured = 1
  if bound == nil then
    bound = {tonumber(ARGV[1]), tonumber(ARGV[2])}
    isConfigured = 0
  end
  local limit = nil
  if bound[1] >= 0 then
    limit = bound[1]
  end
  if bound[2] > 0 and avg > 0 then
    local byBytes = math.floor(bound[2] / avg)
    if limit == nil or byBytes < limit then
      limit = byBytes
    end
  end

  local h, pending, firstPending = handled(name, lastId, floor)
  local dropped = 0
  if limit ~= nil and total - h > limit then
    local cut = total - limit
    local cutId = string.format('%d', cut) .. MAXSEQ
    if pending > 0 then
      for _, p in ipairs(redis.call('XPENDING', stream, name, '-', cutId, 100000)) do
        dropped = dropped + recordsIn(p[1])
        redis.call('XACK', stream, name, p[1])
      end
    end
    local ldPos = pos(lastId)
    if ldPos < cut then
      local last = redis.call('XREVRANGE', stream, cutId, '-', 'COUNT', 1)
      if #last > 0 and pos(last[1][1]) > ldPos then
        dropped = dropped + pos(last[1][1]) - math.max(ldPos, floor)
        redis.call('XGROUP', 'SETID', stream, name, last[1][1])
        lastId = last[1][1]
      end
    end
    h, pending, firstPending = handled(name, lastId, floor)
  end

  local age = 0
  if firstPending ~= nil then
    age = now - millis(firstPending)
  elseif h < total then
    local nextEntry = redis.call('XRANGE', stream, '(' .. lastId, '+', 'COUNT', 1)
    if #nextEntry > 0 then
      age = now - millis(nextEntry[1][1])
    end
  end
  if age < 0 then
    age = 0
  end

  for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', stream, name)) do
    if tonumber(field(c, 'pending')) == 0 and tonumber(field(c, 'idle')) > staleIdle then
      redis.call('XGROUP', 'DELCONSUMER', stream, name, field(c, 'name'))
    end
  end

  if keep == nil or h < keep then
    keep = h
  end
  table.insert(out, {name, total - h, age, pending, dropped, isConfigured})
end

if keep ~= nil and keep > floor then
  out[4] = redis.call('XTRIM', stream, 'MINID', string.format('%d-0', keep + 1))
  redis.call('HSET', KEYS[2], 'floor', keep)
end

-- delete the batch lists older than the oldest entry kept
local bfloor = tonumber(redis.call('HGET', KEYS[2], 'bfloor') or '1')
local oldest = redis.call('XRANGE', stream, '-', '+', 'COUNT', 1)
local upTo
if #oldest > 0 then
  upTo = tonumber(field(oldest[1][2], 'b')) - 1
else
  upTo = tonumber(redis.call('HGET', KEYS[2], 'batch') or '0')
end
if upTo >= bfloor then
  for b = bfloor, upTo do
    redis.call('UNLINK', stream .. ':b:' .. b)
  end
  redis.call('HSET', KEYS[2], 'bfloor', upTo + 1)
end
out[3] = redis.call('XLEN', stream)
return out
