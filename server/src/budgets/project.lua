-- Writes one project of a budget (proposed, accepted, rejected, selected, an update) if it is still
-- exactly what the change was planned on, with its audit entry.
-- KEYS: 1 projects hash, 2 audit, 3 head, 4 status
-- ARGV: 1 budgetId, 2 projectId, 3 expected JSON ('' = must be new), 4 next JSON, 5 audit type,
--       6 data JSON, 7 body hash, 8 budget statuses allowed (comma separated; '' = any)
if ARGV[8] ~= '' then
  local status = redis.call('GET', KEYS[4]) or 'missing'
  local ok = false
  for s in string.gmatch(ARGV[8], '[^,]+') do if s == status then ok = true end end
  if not ok then return {'status', status} end
end
local cur = redis.call('HGET', KEYS[1], ARGV[2])
if ARGV[3] == '' then
  if cur then return {'stale'} end
elseif cur ~= ARGV[3] then return {'stale'} end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[4])
local seq, hash = append(KEYS[2], KEYS[3], ARGV[1], ARGV[5], ARGV[6], ARGV[7])
return {'ok', tostring(seq), hash}
