-- The final result, written once after close (whichever process gets there first), with its entry.
-- KEYS: 1 status, 2 result, 3 resulthead, 4 audit, 5 head
-- ARGV: 1 consultationId, 2 result JSON, 3 data JSON, 4 body hash
local status = redis.call('GET', KEYS[1])
if status ~= 'closed' then return {'status', status or 'missing'} end
if redis.call('EXISTS', KEYS[2]) == 1 then return {'exists'} end
redis.call('SET', KEYS[2], ARGV[2])
local seq, hash = append(KEYS[4], KEYS[5], ARGV[1], 'result', ARGV[3], ARGV[4])
redis.call('SET', KEYS[3], seq .. ':' .. hash)
return {'ok', tostring(seq), hash}
