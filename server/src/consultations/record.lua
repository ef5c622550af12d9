-- One household's answers to a consultation, on any channel, all or nothing (ARCHITECTURE.md).
-- KEYS: 1 status, 2 deadline, 3 eligible, 4 responses, 5 receipts, 6 idem, 7 audit, 8 head, 9 sealed
-- ARGV: 1 consultationId, 2 householdId, 3 idem field, 4 receipt, 5 response JSON (without "at"),
--       6 sealed JSON ('' unless secret), 7 audit type, 8 data JSON, 9 body hash, 10 receipt JSON (without "at")
-- Checks first (write nothing), then every write. The deadline is checked against Redis TIME, so
-- no answer counts after closesAt on any channel, whichever process and whatever its clock.
local seen = redis.call('HGET', KEYS[6], ARGV[3])
if seen then return {'dup', seen} end
local status = redis.call('GET', KEYS[1])
if status ~= 'open' then return {'not_open', status or 'missing'} end
local now = now_ms()
local deadline = tonumber(redis.call('GET', KEYS[2]) or '0')
if now >= deadline then return {'closed', tostring(deadline)} end
if redis.call('SISMEMBER', KEYS[3], ARGV[2]) == 0 then return {'not_eligible'} end
local cur = redis.call('HGET', KEYS[4], ARGV[2])
if cur then return {'already', cur} end
if redis.call('HEXISTS', KEYS[5], ARGV[4]) == 1 then return {'receipt_taken'} end

local rec = cjson.decode(ARGV[5])
rec.at = now
redis.call('HSET', KEYS[4], ARGV[2], cjson.encode(rec))
local rr = cjson.decode(ARGV[10])
-- Secret: the receipt keeps no time (a time would lead back to the household through its response).
if ARGV[6] == '' then rr.at = now end
redis.call('HSET', KEYS[5], ARGV[4], cjson.encode(rr))
if ARGV[6] ~= '' then redis.call('ZADD', KEYS[9], 0, ARGV[4] .. ' ' .. ARGV[6]) end
redis.call('HSET', KEYS[6], ARGV[3], ARGV[4])
local seq, hash = append(KEYS[7], KEYS[8], ARGV[1], ARGV[7], ARGV[8], ARGV[9])
return {'ok', ARGV[4], tostring(seq), hash, tostring(now)}
