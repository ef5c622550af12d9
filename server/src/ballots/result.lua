-- Stores the final result of a closed ballot once, with its audit entry (whoever comes first).
-- KEYS: 1 status, 2 result, 3 audit, 4 head, 5 result head (the head published with the result)
-- ARGV: 1 ballotId, 2 result JSON, 3 data JSON, 4 body hash
local status = redis.call('GET', KEYS[1])
if status ~= 'closed' then return {'bad_status', status or 'missing'} end
if redis.call('EXISTS', KEYS[2]) == 1 then return {'exists'} end
redis.call('SET', KEYS[2], ARGV[2])
local seq, hash = append(KEYS[3], KEYS[4], ARGV[1], 'result', ARGV[3], ARGV[4])
redis.call('SET', KEYS[5], seq .. ':' .. hash)
return {'ok', tostring(seq), hash}
