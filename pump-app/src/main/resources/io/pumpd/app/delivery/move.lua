-- Moves up to ARGV[1] records from the head of a gateway list into ONE entry of the pump-owned
-- stream, atomically (a script runs as one unit). The entry is added before the list is trimmed,
-- so an error (e.g. OOM under maxmemory) changes nothing.
--
-- KEYS[1] the gateway list, KEYS[2] the stream, KEYS[3] the stream's counters hash
--   (records: records ever added; bytes: their bytes; last: Redis time in ms of the last move;
--   floor: see trim.lua). All three share a hash slot.
-- ARGV[1] most records to move
--
-- Entry: fields n = record count, r = the records as a msgpack array of raw strings.
-- Entry ID: <records added to the stream so far, this entry included>-<Redis time in ms>. The
-- first part makes backlogs and bounds plain arithmetic on IDs; the second makes an ID never
-- repeat after Redis lost the stream (restart without persistence), because time moved on.
--
-- Returns {records moved, bytes moved, entry id or ''}.
local max = tonumber(ARGV[1])
local items = redis.call('LRANGE', KEYS[1], 0, max - 1)
local n = #items
if n == 0 then
  return {0, 0, ''}
end
local bytes = 0
for i = 1, n do
  bytes = bytes + #items[i]
end
local total = tonumber(redis.call('HGET', KEYS[3], 'records') or '0') + n
local t = redis.call('TIME')
local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local payload = cmsgpack.pack(items)
local id = string.format('%d-%d', total, ms)
local added = redis.pcall('XADD', KEYS[2], id, 'n', n, 'r', payload)
if type(added) == 'table' and added.err then
  if not string.find(added.err, 'equal or smaller', 1, true) then
    return redis.error_reply(added.err)
  end
  -- the counters were lost while the stream was kept: continue after the stream's last entry
  local info = redis.call('XINFO', 'STREAM', KEYS[2])
  local last = '0-0'
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then
      last = info[i + 1]
    end
  end
  total = tonumber(string.match(last, '^(%d+)-')) + n
  id = string.format('%d-%d', total, ms)
  redis.call('XADD', KEYS[2], id, 'n', n, 'r', payload)
end
redis.call('LTRIM', KEYS[1], n, -1)
redis.call('HSET', KEYS[3], 'records', total, 'last', ms)
redis.call('HINCRBY', KEYS[3], 'bytes', bytes)
return {n, bytes, id}
