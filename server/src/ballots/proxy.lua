-- Registers (or moves) the proxy of one household on one ballot, with the per-holder cap.
-- KEYS: 1 status, 2 eligible, 3 votes, 4 proxies, 5 proxy counts, 6 audit, 7 head
-- ARGV: 1 ballotId, 2 household id, 3 proxy user id, 4 cap, 5 expected current holder ('' = none),
--       6 data JSON, 7 body hash
local status = redis.call('GET', KEYS[1])
if status ~= 'draft' and status ~= 'open' then return {'not_open', status or 'missing'} end
if status == 'open' and redis.call('SISMEMBER', KEYS[2], ARGV[2]) == 0 then return {'not_eligible', ARGV[2]} end
local voted = redis.call('HGET', KEYS[3], ARGV[2])
if voted then return {'already_voted', voted} end
local cur = redis.call('HGET', KEYS[4], ARGV[2]) or ''
if cur == ARGV[3] then return {'same'} end
if cur ~= ARGV[5] then return {'stale'} end
local held = tonumber(redis.call('HGET', KEYS[5], ARGV[3]) or '0')
if held >= tonumber(ARGV[4]) then return {'cap', tostring(held)} end
if cur ~= '' then redis.call('HINCRBY', KEYS[5], cur, -1) end
redis.call('HINCRBY', KEYS[5], ARGV[3], 1)
redis.call('HSET', KEYS[4], ARGV[2], ARGV[3])
local seq, hash = append(KEYS[6], KEYS[7], ARGV[1], 'proxy_registered', ARGV[6], ARGV[7])
return {'ok', tostring(seq), hash}
