-- Takes everything the gateway has pushed to one list, atomically, and makes it the pump's:
-- the list is RENAMEd to a pump-owned batch list (O(1): the records are neither copied nor
-- parsed), its TTL is removed (PERSIST: the gateway's TTL no longer applies to records the pump
-- has taken), and one small stream entry per ARGV[1] records references a range of the batch.
-- The entries are added before the rename, and removed again if adding one fails (e.g. OOM under
-- maxmemory), so an error changes nothing.
--
-- KEYS[1] the gateway list, KEYS[2] the stream, KEYS[3] the stream's counters hash (records:
--   records ever added; bytes: their size in Redis; batch: the last batch number;
--   last: Redis time in ms of the last move; floor, bfloor: see trim.lua). The batch lists are
--   named <stream>:b:<batch>. All of these share the list's hash slot.
-- ARGV[1] records per stream entry
--
-- Entry: fields b = batch number, s = offset of its first record in the batch, n = record count,
-- a = the batch's average bytes per record (from MEMORY USAGE with every list node counted:
-- O(nodes), no record is read), so that a consumer fetches a range in parts of bounded size.
-- Entry ID: <records added to the stream so far, this entry included>-<Redis time in ms>. The
-- first part makes backlogs and bounds plain arithmetic on IDs; the second makes an ID never
-- repeat after Redis lost the stream (restart without persistence), because time moved on.
--
-- Returns {records moved, their estimated bytes, last entry id or ''}.
local n = redis.call('LLEN', KEYS[1])
if n == 0 then
  return {0, 0, ''}
end
local per = tonumber(ARGV[1])
local bytes = redis.call('MEMORY', 'USAGE', KEYS[1], 'SAMPLES', 0) or 0
local avg = math.ceil(bytes / n)
local b = tonumber(redis.call('HGET', KEYS[3], 'batch') or '0') + 1
local total = tonumber(redis.call('HGET', KEYS[3], 'records') or '0')
local t = redis.call('TIME')
local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

local function add(position, start, count)
  return redis.pcall('XADD', KEYS[2], string.format('%d-%d', position, ms),
      'b', b, 's', start, 'n', count, 'a', avg)
end

-- the counters may have been lost while the stream was kept: continue after its last entry
local first = add(total + math.min(per, n), 0, math.min(per, n))
if type(first) == 'table' and first.err then
  if not string.find(first.err, 'equal or smaller', 1, true) then
    return redis.error_reply(first.err)
  end
  local info = redis.call('XINFO', 'STREAM', KEYS[2])
  for i = 1, #info, 2 do
    if info[i] == 'last-generated-id' then
      total = tonumber(string.match(info[i + 1], '^(%d+)-'))
    end
  end
  first = add(total + math.min(per, n), 0, math.min(per, n))
  if type(first) == 'table' and first.err then
    return redis.error_reply(first.err)
  end
end
local ids = {first}
local position = total + math.min(per, n)
for s = per, n - 1, per do
  local c = math.min(per, n - s)
  position = position + c
  local id = add(position, s, c)
  if type(id) == 'table' and id.err then
    redis.call('XDEL', KEYS[2], unpack(ids))
    return redis.error_reply(id.err)
  end
  table.insert(ids, id)
end

local batch = KEYS[2] .. ':b:' .. b
redis.call('RENAME', KEYS[1], batch)
redis.call('PERSIST', batch)
redis.call('HSET', KEYS[3], 'records', position, 'batch', b, 'last', ms)
redis.call('HINCRBY', KEYS[3], 'bytes', bytes)
return {n, bytes, ids[#ids]}
