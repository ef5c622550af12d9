-- A step of the ballot's life (create, open, close, publish) with its audit entry, atomically.
-- KEYS: 1 status, 2 meta, 3 audit, 4 head, 5 electorate, 6 eligible
-- ARGV: 1 ballotId, 2 allowed current statuses ('|'-separated; 'none' = no ballot yet),
--       3 new status, 4 meta JSON, 5 audit type, 6 data JSON, 7 body hash,
--       8 electorate JSON ('' = leave), then the eligible voter ids (opening only)
local status = redis.call('GET', KEYS[1]) or 'none'
local allowed = false
for s in string.gmatch(ARGV[2], '[^|]+') do
  if s == status then allowed = true end
end
if not allowed then return {'bad_status', status} end
redis.call('SET', KEYS[1], ARGV[3])
redis.call('SET', KEYS[2], ARGV[4])
if ARGV[8] ~= '' then
  redis.call('SET', KEYS[5], ARGV[8])
  redis.call('DEL', KEYS[6])
  -- SADD in slices: a Lua call's arguments go on the C stack (a 20,000-household roster).
  for i = 9, #ARGV, 1000 do
    redis.call('SADD', KEYS[6], unpack(ARGV, i, math.min(i + 999, #ARGV)))
  end
end
local seq, hash = append(KEYS[3], KEYS[4], ARGV[1], ARGV[5], ARGV[6], ARGV[7])
return {'ok', tostring(seq), hash}
