-- One answer recorded once (an evaluation's response, a budget's choice), on any channel, all or nothing.
-- KEYS: 1 status, 2 deadline, 3 voters (voter key → record), 4 receipts (receipt → ARGV[6]), 5 idem, 6 audit, 7 head
-- ARGV: 1 id, 2 voter key, 3 idem field, 4 receipt, 5 record JSON (without "at"), 6 what the receipt
--       maps to, 7 audit type, 8 data JSON, 9 body hash
-- The same idempotency key returns the receipt it sealed; otherwise the first answer of a voter
-- counts and a later one is refused with the one recorded. The deadline (0 = none) is checked
-- against Redis TIME, so nothing counts after it even before the status says closed.
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
redis.call('HSET', KEYS[4], ARGV[4], ARGV[6])
redis.call('HSET', KEYS[5], ARGV[3], ARGV[4])
local seq, hash = append(KEYS[6], KEYS[7], ARGV[1], ARGV[7], ARGV[8], ARGV[9])
return {'ok', ARGV[4], tostring(seq), hash, tostring(now)}
