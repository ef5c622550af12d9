-- A consultation's status change or deadline extension, with its audit entry, exactly once.
-- KEYS: 1 status, 2 meta, 3 audit, 4 head, 5 deadline, 6 electorate, 7 eligible
-- ARGV: 1 consultationId, 2 allowed from statuses (comma separated), 3 new status ('' = keep),
--       4 meta JSON, 5 audit type, 6 data JSON, 7 body hash,
--       8 clock check: 'before' (now < deadline) | 'after' (now >= deadline) | '',
--       9 new deadline ms ('' = keep), 10 electorate JSON ('' = none), then the eligible ids
local status = redis.call('GET', KEYS[1]) or 'missing'
local ok = false
for s in string.gmatch(ARGV[2], '[^,]+') do if s == status then ok = true end end
if not ok then return {'status', status} end
local now = now_ms()
local deadline = tonumber(redis.call('GET', KEYS[5]) or '0')
if ARGV[8] == 'before' and now >= deadline then return {'deadline_passed', tostring(deadline)} end
if ARGV[8] == 'after' and now < deadline then return {'not_due', tostring(deadline)} end
if ARGV[3] ~= '' then redis.call('SET', KEYS[1], ARGV[3]) end
redis.call('SET', KEYS[2], ARGV[4])
if ARGV[9] ~= '' then redis.call('SET', KEYS[5], ARGV[9]) end
if ARGV[10] ~= '' then
  redis.call('SET', KEYS[6], ARGV[10])
  for i = 11, #ARGV, 500 do
    redis.call('SADD', KEYS[7], unpack(ARGV, i, math.min(i + 499, #ARGV)))
  end
end
local seq, hash = append(KEYS[3], KEYS[4], ARGV[1], ARGV[5], ARGV[6], ARGV[7])
return {'ok', tostring(seq), hash, tostring(now)}
