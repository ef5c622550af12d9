-- Compare-and-set of one paper's double-entry record. The record's version `v` must
-- still be what the caller read, so two people making the second entry of one paper at once
-- settle it once: the other one retries and finds it settled. The progress counters the core
-- reads move in the same step.
-- KEYS[1] {consultation:C}:entries   (paper code → record JSON)
-- KEYS[2] {consultation:C}:entrycounts (awaiting, mismatch)
-- KEYS[3], KEYS[4] the consultation's audit chain and head (the core's; same entry format)
-- ARGV: paperCode, expectedVersion, newRecordJson, dAwaiting, dMismatch,
--       consultationId, auditType ('' = no entry), dataJson, bodyHash
-- A held paper, a resolution and a refusal join the chain in the same step as the state change.
local cur = redis.call('HGET', KEYS[1], ARGV[1])
local v = 0
if cur then v = tonumber(cjson.decode(cur).v) or 0 end
if v ~= tonumber(ARGV[2]) then return {'stale', tostring(v)} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
local da, dm = tonumber(ARGV[4]), tonumber(ARGV[5])
if da ~= 0 then redis.call('HINCRBY', KEYS[2], 'awaiting', da) end
if dm ~= 0 then redis.call('HINCRBY', KEYS[2], 'mismatch', dm) end
if ARGV[7] ~= '' then append(KEYS[3], KEYS[4], ARGV[6], ARGV[7], ARGV[8], ARGV[9]) end
return {'ok', tostring(v + 1)}
