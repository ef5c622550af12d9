-- A budget's status change (draft → open → closed) with its audit entry, exactly once.
-- KEYS: 1 status, 2 meta, 3 audit, 4 head
-- ARGV: 1 budgetId, 2 allowed from statuses (comma separated), 3 new status, 4 meta JSON,
--       5 audit type, 6 data JSON, 7 body hash
local status = redis.call('GET', KEYS[1]) or 'missing'
local ok = false
for s in string.gmatch(ARGV[2], '[^,]+') do if s == status then ok = true end end
if not ok then return {'status', status} end
redis.call('SET', KEYS[1], ARGV[3])
redis.call('SET', KEYS[2], ARGV[4])
local seq, hash, at = append(KEYS[3], KEYS[4], ARGV[1], ARGV[5], ARGV[6], ARGV[7])
return {'ok', tostring(seq), hash, at}
