-- One choice of projects for a budget (a household's or a member's), on any channel, all or nothing.
-- KEYS: 1 status, 2 deadline, 3 choices, 4 receipts, 5 idem, 6 audit, 7 head
-- ARGV: 1 budgetId, 2 voter key (h:<household> | m:<member> | p:<paper>), 3 idem field, 4 receipt,
--       5 choice JSON (without "at"), 6 audit type, 7 data JSON, 8 body hash
-- The same idempotency key gives the same receipt; a second choice for the same voter is refused
-- with the first one's record; no choice counts after the deadline (Redis TIME) or once closed.
local seen = redis.call('HGET', KEYS[5], ARGV[3])
if seen then return {'dup', seen} end
local status = redis.call('GET', KEYS[1])
if status ~= 'open' then return {'not_open', status or 'missing'} end
local now = now_ms()
local deadline = tonumber(redis.call('GET', KEYS[2]) or '0')
if deadline > 0 and now >= deadline then return {'closed', tostring(deadline)} end
local cur = redis.call('HGET', KEYS[3], ARGV[2])
if cur then return {'already', cur} end
if redis.call('HEXISTS', KEYS[4], ARGV[4]) == 1 then return {'receipt_taken'} end
local rec = cjson.decode(ARGV[5])
rec.at = now
redis.call('HSET', KEYS[3], ARGV[2], cjson.encode(rec))
redis.call('HSET', KEYS[4], ARGV[4], ARGV[2])
redis.call('HSET', KEYS[5], ARGV[3], ARGV[4])
local seq, hash = append(KEYS[6], KEYS[7], ARGV[1], ARGV[6], ARGV[7], ARGV[8])
return {'ok', ARGV[4], tostring(seq), hash, tostring(now)}
